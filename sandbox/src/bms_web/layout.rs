//! The BMS application chrome around every page: top navigation, user menu, left menu.

use crate::html::escape;

/// The signed-in user shown in the user menu.
pub struct Viewer {
    pub full_name: String,
}

impl Viewer {
    fn initials(&self) -> String {
        self.full_name
            .split_whitespace()
            .filter_map(|word| word.chars().next())
            .flat_map(char::to_uppercase)
            .collect()
    }
}

const MAIN_MENU: &[&str] = &[
    "Home",
    "CRM",
    "Service Desk",
    "Projects",
    "Finance",
    "Reports",
    "Admin",
];
const CRM_MENU: &[&str] = &[
    "Accounts",
    "Contacts",
    "Opportunities",
    "Quotes",
    "Contracts",
    "Campaigns",
];

/// A full page. `title` and `viewer` are escaped here; `content` must already be HTML.
pub fn page(bms_web: &str, title: &str, viewer: &Viewer, content: &str) -> String {
    let accounts_url = format!("{bms_web}/react/crm/accounts");
    let main_menu: String = MAIN_MENU
        .iter()
        .map(|item| {
            let active = if *item == "CRM" {
                " psa-main-menu-item--active"
            } else {
                ""
            };
            let href = if *item == "CRM" {
                accounts_url.as_str()
            } else {
                "#"
            };
            format!(r#"<li class="psa-main-menu-item{active}"><a href="{href}">{item}</a></li>"#)
        })
        .collect();
    let left_menu: String = CRM_MENU
        .iter()
        .map(|item| {
            let active = if *item == "Accounts" {
                " psa-left-menu-item--active"
            } else {
                ""
            };
            let href = if *item == "Accounts" {
                accounts_url.as_str()
            } else {
                "#"
            };
            format!(r#"<li class="psa-left-menu-item{active}"><a href="{href}">{item}</a></li>"#)
        })
        .collect();
    format!(
        r##"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} | Kaseya BMS</title>
<link rel="stylesheet" href="/static/bms.css">
<script src="/static/bms.js" defer></script>
</head>
<body class="psa-app">
<header class="psa-topbar">
  <a class="psa-brand" href="{accounts_url}"><span class="psa-brand-mark">K</span> Kaseya BMS</a>
  <nav class="psa-main-menu" aria-label="Main menu"><ul>{main_menu}</ul></nav>
  <div class="psa-topbar-actions">
    <form class="psa-global-search" role="search"><input type="search" placeholder="Search tickets, accounts, contacts" aria-label="Search"></form>
    <div class="psa-user-menu">
      <button type="button" class="psa-user-menu-toggle" aria-haspopup="true" aria-expanded="false">
        <span class="psa-avatar">{initials}</span><span class="psa-user-name">{viewer}</span>
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
  <aside class="psa-left-menu" aria-label="CRM menu">
    <div class="psa-left-menu-title">CRM</div>
    <ul>{left_menu}</ul>
  </aside>
  <main class="psa-content" id="root">
{content}
  </main>
</div>
<footer class="psa-footer">&copy; Kaseya. BMS 2025.3.1</footer>
</body>
</html>
"##,
        title = escape(title),
        initials = escape(&viewer.initials()),
        viewer = escape(&viewer.full_name),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_escapes_title_and_user() {
        let viewer = Viewer {
            full_name: "Jane <Tech>".to_owned(),
        };
        let html = page("http://bms.localhost:1", "A&B", &viewer, "<p>x</p>");
        assert!(html.contains("<title>A&amp;B | Kaseya BMS</title>"));
        assert!(html.contains("Jane &lt;Tech&gt;"));
        assert!(html.contains(r#"<span class="psa-avatar">J&lt;</span>"#));
        assert!(!html.contains("<script>"));
    }
}
