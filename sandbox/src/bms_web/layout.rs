//! The React UI's document: chrome (top navigation, user menu, left menu) around an empty
//! `#root` that the page script fills after load, as the real single-page app does.

use super::routes::BmsPages;
use super::session::UserInfo;
use crate::html::escape;

/// Scripts every BMS page loads, in order. All are local files: the pages fetch nothing
/// from the internet, and no script is inline, so the strict CSP keeps them working.
pub const SESSION_SCRIPTS: &str = r#"<script src="/static/jquery-lite.js"></script>
<script src="/static/bootstrap-lite.js"></script>
<script src="/static/psa-session.js"></script>"#;

const MAIN_MENU: &[(&str, &str)] = &[
    ("Home", "/react/servicedesk/mytickets"),
    ("CRM", "/react/crm/accounts"),
    ("Service Desk", "/react/servicedesk/tickets"),
    ("Projects", "#"),
    ("Finance", "#"),
    ("Reports", "#"),
    ("Admin", "#"),
];

/// The meta element page script reads `localStorage.PSAUserInfo` from.
pub fn user_info_meta(user: &UserInfo) -> String {
    let json = serde_json::to_string(user).unwrap_or_default();
    format!(r#"<meta name="psa-user-info" content="{}">"#, escape(&json))
}

/// The React shell. `title` is escaped here.
pub fn shell(pages: &BmsPages, user: &UserInfo, title: &str) -> String {
    let routes = serde_json::to_string(pages).unwrap_or_default();
    let main_menu: String = MAIN_MENU
        .iter()
        .map(|(label, href)| {
            let section = label.to_ascii_lowercase().replace(' ', "-");
            format!(
                r#"<li class="psa-main-menu-item" data-section="{section}"><a href="{href}">{label}</a></li>"#
            )
        })
        .collect();
    let left_menu = left_menu(pages);
    format!(
        r##"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} | Kaseya BMS</title>
{user_meta}
<meta name="psa-routes" content="{routes}">
<link rel="stylesheet" href="/static/bms.css">
{SESSION_SCRIPTS}
<script src="/static/bms.js" defer></script>
<script src="/static/spa-kit.js" defer></script>
<script src="/static/bms-app.js" defer></script>
</head>
<body class="psa-app">
<header class="psa-topbar">
  <a class="psa-brand" href="/react/servicedesk/mytickets"><span class="psa-brand-mark">K</span> Kaseya BMS</a>
  <nav class="psa-main-menu" aria-label="Main menu"><ul>{main_menu}</ul></nav>
  <div class="psa-topbar-actions">
    <form class="psa-global-search" role="search"><input type="search" placeholder="Search tickets, accounts, contacts" aria-label="Search"></form>
    <div class="psa-user-menu">
      <button type="button" class="psa-user-menu-toggle" aria-haspopup="true" aria-expanded="false">
        <span class="psa-avatar">{initials}</span><span class="psa-user-name">{user}</span>
      </button>
      <ul class="psa-user-menu-list" hidden>
        <li><a href="#">My Settings</a></li>
        <li><a href="#">Help</a></li>
        <li><a href="#">Log Out</a></li>
      </ul>
    </div>
  </div>
</header>
<div class="psa-layout">
  <aside class="psa-left-menu" aria-label="Menu">{left_menu}</aside>
  <main class="psa-content" id="root" aria-busy="true"><div class="psa-loading" role="status">Loading&hellip;</div></main>
</div>
<footer class="psa-footer">&copy; Kaseya. BMS 2025.3.1</footer>
</body>
</html>
"##,
        title = escape(title),
        user_meta = user_info_meta(user),
        routes = escape(&routes),
        initials = escape(&user.initials()),
        user = escape(&user.full_name),
    )
}

fn left_menu(pages: &BmsPages) -> String {
    let item = |key: &str, label: &str, href: &str| {
        format!(
            r#"<li class="psa-left-menu-item" data-menu="{key}"><a href="{href}">{label}</a></li>"#
        )
    };
    let group = |section: &str, title: &str, items: Vec<String>| {
        format!(
            r#"<div class="psa-left-menu-group" data-section="{section}"><div class="psa-left-menu-title">{title}</div><ul>{}</ul></div>"#,
            items.concat()
        )
    };
    [
        group(
            "crm",
            "CRM",
            vec![
                item("accounts", "Accounts", pages.account.list()),
                item("contacts", "Contacts", "#"),
                item("opportunities", "Opportunities", "#"),
            ],
        ),
        group(
            "service-desk",
            "Service Desk",
            vec![
                item("tickets", "Tickets", "/react/servicedesk/tickets"),
                item("mytickets", "My Tickets", "/react/servicedesk/mytickets"),
                item("views", "Open Tickets View", "/react/home/views/1/tickets"),
                item("hardwareassets", "Hardware Assets", "#"),
                item("legacy", "Classic Ticket List", "/MSP/TicketsListing.aspx"),
            ],
        ),
    ]
    .concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_escapes_and_has_no_inline_script() {
        let user = UserInfo {
            user_id: 7,
            full_name: "Jane <Tech>".to_owned(),
            email_address: "j@example.com".to_owned(),
            tenant_id: 1,
            user_name: "jane".to_owned(),
        };
        let html = shell(&BmsPages::default(), &user, "A&B");
        assert!(html.contains("<title>A&amp;B | Kaseya BMS</title>"));
        assert!(html.contains("Jane &lt;Tech&gt;"));
        assert!(html.contains(r#"<span class="psa-avatar">J&lt;</span>"#));
        assert!(html.contains("&quot;fullName&quot;:&quot;Jane &lt;Tech&gt;&quot;"));
        assert_eq!(
            html.matches("<script").count(),
            html.matches("<script src=").count()
        );
        assert!(html.contains(r#"id="root""#));
    }
}
