//! `cargo xtask test` and `cargo xtask demo`.

use std::process::Command;

use crate::dist;
use crate::setup::{self, Result, root};

/// Native crates: everything except the two wasm modules, which the end-to-end tests exercise in Chromium.
const NATIVE_PACKAGES: [&str; 6] = ["bms-itglue-core", "bms-itglue-sync-runner", "bms-itglue-sync", "manifest-policy", "sandbox", "xtask"];

pub fn run() -> Result {
    let dist = dist::run()?;
    let root = root();
    let mut native = Command::new("cargo");
    native.arg("test").current_dir(&root);
    for package in NATIVE_PACKAGES {
        native.args(["-p", package]);
    }
    setup::run(&mut native)?;
    setup::run(Command::new("cargo").args(["build", "-p", "sandbox"]).current_dir(&root))?;
    setup::chromium()?;
    setup::run(
        Command::new("node")
            .args(["--test", "--test-concurrency=1", "tests/e2e/"])
            .current_dir(&root)
            .env("EXTENSION_DIR", &dist.dev)
            .env("SANDBOX_BIN", root.join("target/debug/sandbox"))
            .env("CHROMIUM", setup::CHROMIUM)
            .env("TEST_OUTPUT", root.join("test-output")),
    )
}

pub fn demo(args: &[String]) -> Result {
    let dist = dist::run()?;
    let root = root();
    setup::run(Command::new("cargo").args(["build", "-p", "sandbox"]).current_dir(&root))?;
    setup::chromium()?;
    setup::run(
        Command::new("node")
            .arg("tests/e2e/demo.mjs")
            .args(args)
            .current_dir(&root)
            .env("EXTENSION_DIR", &dist.dev)
            .env("SANDBOX_BIN", root.join("target/debug/sandbox"))
            .env("CHROMIUM", setup::CHROMIUM),
    )
}
