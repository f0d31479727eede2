//! Installs what the build and the tests need on a fresh machine, and runs commands with clear failures.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Must equal the `wasm-bindgen` crate version pinned in the workspace `Cargo.toml`.
pub const WASM_BINDGEN_VERSION: &str = "0.2.130";
pub const CHROMIUM: &str = "/usr/bin/chromium";

pub type Result<T = ()> = std::result::Result<T, String>;

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

pub fn run(command: &mut Command) -> Result {
    let shown = format!("{command:?}");
    let status = command.status().map_err(|e| format!("cannot start {shown}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{shown} failed ({status})")) }
}

fn output(command: &mut Command) -> Option<String> {
    let out = command.output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

pub fn wasm_target() -> Result {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        return Ok(());
    }
    eprintln!("installing the wasm32-unknown-unknown target");
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// The wasm-bindgen CLI must match the crate exactly, or the generated glue breaks at run time.
pub fn wasm_bindgen_cli() -> Result<PathBuf> {
    let cargo_home = std::env::var_os("CARGO_HOME").map(PathBuf::from).or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")));
    let binary = cargo_home.ok_or("neither CARGO_HOME nor HOME is set")?.join("bin/wasm-bindgen");
    let version = output(Command::new(&binary).arg("--version")).unwrap_or_default();
    if version.split_whitespace().nth(1) != Some(WASM_BINDGEN_VERSION) {
        eprintln!("installing wasm-bindgen-cli {WASM_BINDGEN_VERSION} (a few minutes, once)");
        // Without --locked: the registry lacks one of the CLI's locked transitive versions.
        run(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", WASM_BINDGEN_VERSION]))?;
    }
    Ok(binary)
}

/// wasm-opt comes from npm's binaryen (Debian's is too old and breaks the output); Playwright from npm too.
pub fn npm_packages() -> Result {
    let root = root();
    if root.join("node_modules/.bin/wasm-opt").exists() && root.join("node_modules/playwright-core").exists() {
        return Ok(());
    }
    require_tool("npm", "install Node.js and npm (apt-get install nodejs npm)")?;
    run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(root))
}

pub fn chromium() -> Result {
    if Path::new(CHROMIUM).exists() {
        return Ok(());
    }
    let is_root = output(Command::new("id").arg("-u")).is_some_and(|uid| uid.trim() == "0");
    if !is_root {
        return Err(format!("Chromium is missing at {CHROMIUM}: install it with `sudo apt-get install chromium`"));
    }
    eprintln!("installing Chromium from Debian's packages");
    run(Command::new("apt-get").arg("update").env("DEBIAN_FRONTEND", "noninteractive"))?;
    run(Command::new("apt-get").args(["install", "-y", "chromium"]).env("DEBIAN_FRONTEND", "noninteractive"))
}

pub fn require_tool(tool: &str, hint: &str) -> Result {
    match Command::new(tool).arg("--version").output() {
        Ok(_) => Ok(()),
        Err(_) => Err(format!("`{tool}` is not installed: {hint}")),
    }
}
