//! The rules `manifest.json` must follow, and the development variant that may reach the loopback sandbox.
//!
//! `manifest.json` in the repository is the store manifest. The development build (used by the demo and the
//! tests) is derived from it by [`development_variant`], which adds loopback hosts and nothing else.

use serde_json::{Value, json};

/// Hosts of BMS's web UI and API, and of IT Glue's web app and API: the only hosts the store build may touch.
pub const STORE_HOST_PERMISSIONS: [&str; 12] = [
    "https://bms.kaseya.com/*",
    "https://api.bms.kaseya.com/*",
    "https://bmsemea.kaseya.com/*",
    "https://api.bmsemea.kaseya.com/*",
    "https://bmsapac.kaseya.com/*",
    "https://api.bmsapac.kaseya.com/*",
    "https://vorexlogin.com/*",
    "https://api.vorexlogin.com/*",
    "https://*.itglue.com/*",
    "https://api.itglue.com/*",
    "https://api.eu.itglue.com/*",
    "https://api.au.itglue.com/*",
];

/// Loopback hosts the development build adds so that it can reach the sandbox.
pub const LOOPBACK_HOST_PERMISSIONS: [&str; 3] = ["http://127.0.0.1/*", "http://localhost/*", "http://*.localhost/*"];

/// The sandbox's BMS web UI, where the development build injects its content script.
pub const LOOPBACK_BMS_PAGES: &str = "http://bms.localhost/*";

/// Files the wasm build produces; the manifest may name them although they are not in `extension/`.
pub const GENERATED_FILES: [&str; 4] = ["wasm/ui.js", "wasm/ui_bg.wasm", "wasm/worker.js", "wasm/worker_bg.wasm"];

/// Checks a store manifest. Each violation is a sentence that says what to fix.
pub fn check_store(manifest: &Value, package_version: &str, file_exists: &dyn Fn(&str) -> bool) -> Vec<String> {
    let mut problems = Vec::new();
    check_version(manifest, package_version, &mut problems);
    check_csp(manifest, &mut problems);
    check_files(manifest, file_exists, &mut problems);
    for pattern in host_patterns(manifest) {
        if is_loopback(&pattern) {
            problems.push(format!(
                "manifest.json names the loopback pattern {pattern:?}: the store build must not; the development build adds loopback hosts itself"
            ));
        } else if !STORE_HOST_PERMISSIONS.contains(&pattern.as_str()) {
            problems.push(format!(
                "manifest.json names the host pattern {pattern:?}, which is neither a BMS nor an IT Glue host: remove it, or add it to STORE_HOST_PERMISSIONS with a reason"
            ));
        }
    }
    let granted = strings(manifest.pointer("/host_permissions"));
    for needed in STORE_HOST_PERMISSIONS {
        if !granted.iter().any(|g| g == needed) {
            problems.push(format!("host_permissions lacks {needed:?}, which the worker needs to call that service"));
        }
    }
    problems
}

/// Checks a development manifest: the store rules, except that loopback hosts are allowed.
pub fn check_development(manifest: &Value, package_version: &str, file_exists: &dyn Fn(&str) -> bool) -> Vec<String> {
    let mut problems = Vec::new();
    check_version(manifest, package_version, &mut problems);
    check_csp(manifest, &mut problems);
    check_files(manifest, file_exists, &mut problems);
    for pattern in host_patterns(manifest) {
        if !is_loopback(&pattern) && !STORE_HOST_PERMISSIONS.contains(&pattern.as_str()) {
            problems.push(format!("development manifest names the unexpected host pattern {pattern:?}"));
        }
    }
    problems
}

/// The store manifest plus loopback hosts for the sandbox: host permissions, content-script matches, and the
/// pages that may load the widget's web-accessible files.
pub fn development_variant(store: &Value) -> Value {
    let mut dev = store.clone();
    if let Some(perms) = dev.get_mut("host_permissions").and_then(Value::as_array_mut) {
        perms.extend(LOOPBACK_HOST_PERMISSIONS.iter().map(|p| json!(p)));
    }
    for list in ["content_scripts", "web_accessible_resources"] {
        if let Some(entries) = dev.get_mut(list).and_then(Value::as_array_mut) {
            for entry in entries {
                if let Some(matches) = entry.get_mut("matches").and_then(Value::as_array_mut) {
                    matches.push(json!(LOOPBACK_BMS_PAGES));
                }
            }
        }
    }
    if let Some(name) = dev.get("name").and_then(Value::as_str) {
        dev["name"] = json!(format!("{name} (development)"));
    }
    dev
}

/// Every file path the manifest refers to.
pub fn named_files(manifest: &Value) -> Vec<String> {
    let mut files = Vec::new();
    files.extend(strings(manifest.pointer("/background/service_worker")));
    files.extend(strings(manifest.pointer("/action/default_popup")));
    files.extend(strings(manifest.pointer("/options_ui/page")));
    for section in ["/icons", "/action/default_icon"] {
        if let Some(Value::Object(icons)) = manifest.pointer(section) {
            files.extend(icons.values().filter_map(Value::as_str).map(str::to_owned));
        }
    }
    for entry in array(manifest.pointer("/content_scripts")) {
        files.extend(strings(entry.get("js")));
        files.extend(strings(entry.get("css")));
    }
    for entry in array(manifest.pointer("/web_accessible_resources")) {
        files.extend(strings(entry.get("resources")));
    }
    files
}

fn check_version(manifest: &Value, package_version: &str, problems: &mut Vec<String>) {
    let version = manifest.get("version").and_then(Value::as_str).unwrap_or_default();
    if version != package_version {
        problems.push(format!(
            "manifest.json has version {version:?} but the package is {package_version:?}: set \"version\": \"{package_version}\""
        ));
    }
    if manifest.get("manifest_version").and_then(Value::as_u64) != Some(3) {
        problems.push("manifest.json must be Manifest V3: set \"manifest_version\": 3".into());
    }
}

fn check_csp(manifest: &Value, problems: &mut Vec<String>) {
    let csp = manifest.pointer("/content_security_policy/extension_pages").and_then(Value::as_str).unwrap_or_default();
    if !csp.contains("'wasm-unsafe-eval'") {
        problems.push(
            "content_security_policy.extension_pages lacks 'wasm-unsafe-eval': without it the worker cannot compile its WebAssembly (use \"script-src 'self' 'wasm-unsafe-eval'; object-src 'self'\")".into(),
        );
    }
    for forbidden in ["'unsafe-eval'", "'unsafe-inline'", "http:", "https:"] {
        if csp.contains(forbidden) {
            problems.push(format!("content_security_policy.extension_pages allows {forbidden}: extensions may run no remote or inline code"));
        }
    }
}

fn check_files(manifest: &Value, file_exists: &dyn Fn(&str) -> bool, problems: &mut Vec<String>) {
    for file in named_files(manifest) {
        if file.contains('*') {
            problems.push(format!("manifest.json names {file:?}: list files one by one so that each can be checked"));
        } else if !GENERATED_FILES.contains(&file.as_str()) && !file_exists(&file) {
            problems.push(format!("manifest.json names {file:?}, which is not in extension/: add the file or fix the name"));
        }
    }
}

fn host_patterns(manifest: &Value) -> Vec<String> {
    let mut patterns = strings(manifest.pointer("/host_permissions"));
    for list in ["/content_scripts", "/web_accessible_resources"] {
        for entry in array(manifest.pointer(list)) {
            patterns.extend(strings(entry.get("matches")));
        }
    }
    patterns
}

fn is_loopback(pattern: &str) -> bool {
    let host = pattern.split("://").nth(1).unwrap_or_default().split(['/', ':']).next().unwrap_or_default();
    host == "localhost" || host.ends_with(".localhost") || host.starts_with("127.") || host == "[::1]"
}

fn array(value: Option<&Value>) -> Vec<&Value> {
    value.and_then(Value::as_array).map(|a| a.iter().collect()).unwrap_or_default()
}

fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Value {
        json!({
            "manifest_version": 3,
            "name": "x",
            "version": "1.2.3",
            "background": {"service_worker": "worker.js", "type": "module"},
            "host_permissions": STORE_HOST_PERMISSIONS,
            "content_scripts": [{"matches": ["https://bms.kaseya.com/*"], "js": ["content.js"]}],
            "web_accessible_resources": [{"resources": ["wasm/ui.js", "frame.html"], "matches": ["https://bms.kaseya.com/*"]}],
            "content_security_policy": {"extension_pages": "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'"}
        })
    }

    fn all_exist(_: &str) -> bool {
        true
    }

    #[test]
    fn a_good_store_manifest_passes_and_its_development_variant_too() {
        assert_eq!(check_store(&store(), "1.2.3", &all_exist), Vec::<String>::new());
        let dev = development_variant(&store());
        assert_eq!(check_development(&dev, "1.2.3", &all_exist), Vec::<String>::new());
        assert!(!check_store(&dev, "1.2.3", &all_exist).is_empty(), "the store rules must refuse loopback");
        assert_eq!(dev["content_scripts"][0]["matches"][1], LOOPBACK_BMS_PAGES);
    }

    #[test]
    fn each_violation_says_what_to_fix() {
        let mut m = store();
        m["version"] = json!("0.0.1");
        m["content_security_policy"]["extension_pages"] = json!("script-src 'self'");
        m["host_permissions"].as_array_mut().unwrap().push(json!("https://example.com/*"));
        m["content_scripts"][0]["matches"].as_array_mut().unwrap().push(json!("http://localhost/*"));
        let problems = check_store(&m, "1.2.3", &|f| f != "frame.html");
        let text = problems.join("\n");
        assert!(text.contains("set \"version\": \"1.2.3\""), "{text}");
        assert!(text.contains("lacks 'wasm-unsafe-eval'"), "{text}");
        assert!(text.contains("\"https://example.com/*\""), "{text}");
        assert!(text.contains("loopback pattern \"http://localhost/*\""), "{text}");
        assert!(text.contains("\"frame.html\", which is not in extension/"), "{text}");
        assert_eq!(problems.len(), 5, "{text}");
    }

    #[test]
    fn missing_service_hosts_are_reported() {
        let mut m = store();
        m["host_permissions"] = json!(["https://api.itglue.com/*"]);
        assert_eq!(check_store(&m, "1.2.3", &all_exist).len(), STORE_HOST_PERMISSIONS.len() - 1);
    }
}
