//! `cargo xtask <command>`: the one entry point for building, testing and demonstrating the extension.

mod bench;
mod dist;
mod setup;
mod test;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  dist              build the extension: dist/store (Chrome Web Store), dist/dev (adds loopback for the sandbox),
                    dist/bms-itglue-<version>.zip; prints every artifact's raw and gzipped size
  demo [--headless] [--reset]
                    build, start the sandbox with demo data and open Chromium with the extension configured;
                    headless (the default without a display) saves screenshots to target/demo/
  test              run every test: native unit and conformance tests, then end-to-end tests in headless Chromium
  bench [--large-real]
                    the sync command against the sandbox (release, real rate limits): a dry-run first sync of the
                    large seed, a real first and second sync of the medium seed; requests against the lower
                    bound, 429s, wall time, CPU time and peak memory. --large-real: instead, a real first sync of
                    the large seed (about an hour, mostly waiting for IT Glue's rate limit) and a second run with
                    nothing changed, in target/bench-large-real/";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("dist") => dist::run().map(drop),
        Some("demo") => test::demo(&args[1..]),
        Some("test") => test::run(),
        Some("bench") => bench::run(&args[1..]),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
