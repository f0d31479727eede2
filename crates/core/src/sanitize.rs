//! Every HTML string from IT Glue or BMS passes through here before any page shows it.

use serde::{Deserialize, Serialize};

/// HTML that has been through [`sanitize`]. The worker is the only producer; pages render it as markup.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SafeHtml(String);

impl SafeHtml {
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
}

/// Keeps the rich-text subset that IT Glue's and BMS's editors produce; drops scripts, event handlers, styles
/// and every URL scheme other than http, https and mailto. Links open in a new tab without an opener.
pub fn sanitize(html: &str) -> SafeHtml {
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(["http", "https", "mailto"].into())
        .link_rel(Some("noopener noreferrer nofollow"))
        .set_tag_attribute_value("a", "target", "_blank")
        .rm_tags(["img"]);
    // A byte-order mark is invisible, and the parser would drop it on a second pass when it leads the output.
    SafeHtml(builder.clean(html).to_string().trim_start_matches('\u{feff}').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn removes_scripts_handlers_and_images() {
        let out = sanitize(r#"<p>Hi <b>there</b></p><script>alert(1)</script><img src=x onerror=alert(2)><a href="javascript:alert(3)">x</a>"#);
        assert_eq!(out.as_str(), r#"<p>Hi <b>there</b></p><a target="_blank" rel="noopener noreferrer nofollow">x</a>"#);
    }

    #[test]
    fn keeps_safe_links_and_makes_them_open_a_new_tab() {
        let out = sanitize(r#"<a href="https://example.com/oncall" onclick="x()">on-call</a>"#);
        assert_eq!(out.as_str(), r#"<a href="https://example.com/oncall" target="_blank" rel="noopener noreferrer nofollow">on-call</a>"#);
    }

    proptest! {
        #[test]
        fn output_never_carries_active_content(input in ".{0,200}", tag in "(script|iframe|object|style)") {
            let out = sanitize(&format!("<{tag}>{input}</{tag}><div onmouseover=\"{input}\">{input}</div>"));
            let lower = out.as_str().to_ascii_lowercase();
            prop_assert!(!lower.contains("<script") && !lower.contains("<iframe") && !lower.contains("<object") && !lower.contains("<style"));
            prop_assert!(!lower.contains("onmouseover"));
        }

        #[test]
        fn sanitizing_is_idempotent(input in ".{0,200}") {
            let once = sanitize(&input);
            prop_assert_eq!(sanitize(once.as_str()), once);
        }
    }
}
