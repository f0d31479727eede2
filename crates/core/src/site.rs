//! Which service a browser URL belongs to.

use url::Url;

/// The web applications the extension injects into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Site {
    Bms,
    ItGlue,
}

/// The hosts of the real BMS web UI, one per data centre.
pub const BMS_UI_HOSTS: [&str; 4] = ["bms.kaseya.com", "bmsemea.kaseya.com", "bmsapac.kaseya.com", "vorexlogin.com"];

/// Loopback host names used by the development build against the sandbox. Chromium resolves every
/// `*.localhost` name to the loopback interface, so the sandbox can give each service its own origin.
const DEV_BMS_HOST: &str = "bms.localhost";
const DEV_ITGLUE_SUFFIX: &str = ".itglue.localhost";

pub fn site_of(url: &str) -> Option<Site> {
    let url = Url::parse(url).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    if BMS_UI_HOSTS.contains(&host.as_str()) || host == DEV_BMS_HOST {
        return Some(Site::Bms);
    }
    let is_itglue = host.ends_with(".itglue.com") || host.ends_with(DEV_ITGLUE_SUFFIX);
    // The API hosts serve JSON, never pages a technician looks at.
    if is_itglue && !host.starts_with("api.") {
        return Some(Site::ItGlue);
    }
    None
}

/// True for hosts that can only be reached on this machine: the only place plain `http:` is acceptable.
pub fn is_loopback_host(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
        url::Host::Domain(name) => {
            let name = name.to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_real_and_development_hosts() {
        assert_eq!(site_of("https://bms.kaseya.com/react/crm/accounts/1"), Some(Site::Bms));
        assert_eq!(site_of("https://bmsemea.kaseya.com/"), Some(Site::Bms));
        assert_eq!(site_of("http://bms.localhost:8080/react/crm/accounts/1"), Some(Site::Bms));
        assert_eq!(site_of("https://mycompany.itglue.com/2/configurations/455"), Some(Site::ItGlue));
        assert_eq!(site_of("http://demo-msp.itglue.localhost:9/2"), Some(Site::ItGlue));
    }

    #[test]
    fn rejects_api_hosts_and_lookalikes() {
        assert_eq!(site_of("https://api.itglue.com/organizations"), None);
        assert_eq!(site_of("https://bms.kaseya.com.evil.example/"), None);
        assert_eq!(site_of("https://evil-bms.kaseya.com/"), None);
        assert_eq!(site_of("not a url"), None);
    }
}
