//! Holds `manifest.json` to account at build time: a manifest that breaks a rule fails the build with a message
//! that says what to fix. The rules live in the `manifest-policy` crate, which the dist build also applies.

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=manifest.json");
    println!("cargo:rerun-if-changed=extension");
    let text = std::fs::read_to_string("manifest.json").unwrap_or_else(|e| fail(&[format!("cannot read manifest.json: {e}")]));
    let manifest: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| fail(&[format!("manifest.json is not valid JSON: {e}")]));
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let exists = |file: &str| Path::new("extension").join(file).is_file();
    let problems = manifest_policy::check_store(&manifest, &version, &exists);
    if !problems.is_empty() {
        fail(&problems);
    }
}

fn fail(problems: &[String]) -> ! {
    for problem in problems {
        println!("cargo:warning={problem}");
    }
    panic!("manifest.json breaks {} rule(s):\n  - {}", problems.len(), problems.join("\n  - "));
}
