//! The IT Glue widget's view model: what the panel on a BMS record page shows.

use serde::{Deserialize, Serialize};

use crate::itglue::{ItGlueError, Organization};
use crate::sanitize::{SafeHtml, sanitize};

/// The service a problem is about, so the widget can say which one to fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Service {
    Bms,
    ItGlue,
}

impl Service {
    pub fn label(self) -> &'static str {
        match self {
            Service::Bms => "Kaseya BMS",
            Service::ItGlue => "IT Glue",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationCard {
    pub name: String,
    pub type_name: Option<String>,
    pub status_name: Option<String>,
    pub short_name: Option<String>,
    pub quick_notes: SafeHtml,
    /// The record's page in IT Glue, opened in a new tab.
    pub url: Option<String>,
}

impl From<&Organization> for OrganizationCard {
    fn from(org: &Organization) -> Self {
        OrganizationCard {
            name: org.name.clone(),
            type_name: org.type_name.clone(),
            status_name: org.status_name.clone(),
            short_name: org.short_name.clone(),
            quick_notes: sanitize(org.quick_notes.as_deref().unwrap_or_default()),
            url: org.resource_url.clone().filter(|u| u.starts_with("https://") || u.starts_with("http://")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum WidgetState {
    NotConfigured,
    NotLinked,
    Unauthorized { service: Service, detail: String },
    Unreachable { service: Service, detail: String },
    Error { detail: String },
    Organization { card: OrganizationCard },
}

impl WidgetState {
    /// The stable name that tests and styles key on.
    pub fn name(&self) -> &'static str {
        match self {
            WidgetState::NotConfigured => "not-configured",
            WidgetState::NotLinked => "not-linked",
            WidgetState::Unauthorized { .. } => "unauthorized",
            WidgetState::Unreachable { .. } => "unreachable",
            WidgetState::Error { .. } => "error",
            WidgetState::Organization { .. } => "ready",
        }
    }

    pub fn from_itglue_error(error: ItGlueError) -> Self {
        let detail = error.to_string();
        match error {
            ItGlueError::Unauthorized { .. } => WidgetState::Unauthorized { service: Service::ItGlue, detail },
            ItGlueError::Network(_) => WidgetState::Unreachable { service: Service::ItGlue, detail },
            ItGlueError::NotFound => WidgetState::NotLinked,
            _ => WidgetState::Error { detail },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(notes: &str, url: &str) -> Organization {
        Organization {
            id: "1".into(),
            name: "Happy Frog".into(),
            type_name: Some("Customer".into()),
            status_name: Some("Active".into()),
            short_name: None,
            quick_notes: Some(notes.into()),
            resource_url: Some(url.into()),
            psa_integration: Some("enabled".into()),
        }
    }

    #[test]
    fn cards_sanitize_quick_notes_and_refuse_script_urls() {
        let card = OrganizationCard::from(&org("<b>x</b><script>1</script>", "javascript:alert(1)"));
        assert_eq!(card.quick_notes.as_str(), "<b>x</b>");
        assert_eq!(card.url, None);
        assert_eq!(OrganizationCard::from(&org("", "https://a.itglue.com/1")).url.as_deref(), Some("https://a.itglue.com/1"));
    }

    #[test]
    fn errors_map_to_states_a_technician_can_act_on() {
        let e = ItGlueError::Unauthorized { status: 403, detail: "Forbidden".into() };
        assert_eq!(WidgetState::from_itglue_error(e).name(), "unauthorized");
        assert_eq!(WidgetState::from_itglue_error(ItGlueError::Network("refused".into())).name(), "unreachable");
        assert_eq!(WidgetState::from_itglue_error(ItGlueError::RateLimited).name(), "error");
    }
}
