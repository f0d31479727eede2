//! `cargo xtask bench`: the sync command against the sandbox's large seed, with the sandbox's real rate limits.
//!
//! What it measures, and why so: a real first sync of the large seed writes tens of thousands of records into
//! IT Glue, which its 3,000-requests-per-5-minutes limit stretches over about an hour, and BMS lists assets only
//! as summaries, so each synced asset costs one read of a 1,500-per-hour endpoint. So by default the large seed
//! gets a dry run of the first sync (every listing, the catalogs and the plan, no writes), and the medium seed
//! gets a real first sync and then a second run with nothing changed; `--large-real` does the real first sync
//! and the second run on the large seed instead. Assets stay out of the sync settings for the same reason (see
//! the printed note).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::setup::{self, Result, root};

const PASSWORD_VAR: &str = "BENCH_BMS_PASSWORD";
const KEY_VAR: &str = "BENCH_ITGLUE_KEY";

/// A running sandbox binary and what its ready line said.
struct Sandbox {
    child: Child,
    ready: Value,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        // The sandbox serves until stopped; it was started here, by its own id.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_sandbox(root: &Path, dir: &Path, scale: &str) -> Result<Sandbox> {
    let db = dir.join(format!("sandbox-{scale}.db"));
    let mut child = Command::new(root.join("target/release/sandbox"))
        .args(["--scale", scale, "--reset", "--db"])
        .arg(&db)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("sandbox: {e}"))?;
    let stdout = child.stdout.take().ok_or("sandbox: no stdout")?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).map_err(|e| format!("sandbox: {e}"))?;
    let ready: Value = serde_json::from_str(&line).map_err(|e| format!("sandbox ready line {line:?}: {e}"))?;
    Ok(Sandbox { child, ready })
}

fn text<'a>(value: &'a Value, pointer: &str) -> Result<&'a str> {
    value.pointer(pointer).and_then(Value::as_str).ok_or_else(|| format!("the ready line has no {pointer}"))
}

/// One run of the sync command; its `--report-json`.
fn sync(root: &Path, sandbox: &Sandbox, state: &Path, settings: &Path, extra: &[&str]) -> Result<Value> {
    let report = state.join("report.json");
    let started = Instant::now();
    let status = Command::new(root.join("target/release/bms-itglue-sync"))
        .args(["--bms-url", text(&sandbox.ready, "/bms_api_ip")?])
        .args(["--bms-user", text(&sandbox.ready, "/credentials/bms_username")?])
        .args(["--bms-password-env", PASSWORD_VAR, "--bms-company"])
        .arg(text(&sandbox.ready, "/credentials/bms_company")?)
        .args(["--itglue-url", text(&sandbox.ready, "/itglue_api_ip")?, "--itglue-key-env", KEY_VAR, "--quiet"])
        .arg("--settings")
        .arg(settings)
        .arg("--state-dir")
        .arg(state)
        .arg("--report-json")
        .arg(&report)
        .args(extra)
        .env(PASSWORD_VAR, text(&sandbox.ready, "/credentials/bms_password")?)
        .env(KEY_VAR, text(&sandbox.ready, "/credentials/itglue_api_key")?)
        .status()
        .map_err(|e| format!("bms-itglue-sync: {e}"))?;
    // Exit status 3 is a run that finished with failed operations; its report is still what was measured. The
    // command itself is not printed on failure: its environment holds the secrets.
    if !status.success() && status.code() != Some(3) {
        return Err(format!("bms-itglue-sync failed ({status})"));
    }
    let file = std::fs::File::open(&report).map_err(|e| format!("{}: {e}", report.display()))?;
    let measured: Measured = serde_json::from_reader(std::io::BufReader::new(file))
        .map_err(|e| format!("{}: {e}", report.display()))?;
    eprintln!("(run took {:.1} s)", started.elapsed().as_secs_f64());
    let Measured { report: Figures { summary, metrics, stats }, wall_ms, usage } = measured;
    Ok(json!({"report": {"summary": summary, "metrics": metrics, "stats": stats}, "wall_ms": wall_ms, "usage": usage}))
}

/// What the bench prints of a `--report-json`, read as a stream that skips the rest. A dry run's report holds
/// its whole plan, about 100 MB of JSON for the large seed; a bench that kept it in memory would show up in the
/// peak memory of every run it starts afterwards (Linux counts a parent's resident memory at the fork in the
/// child's peak).
#[derive(Deserialize)]
struct Measured {
    report: Figures,
    wall_ms: u64,
    usage: Value,
}

#[derive(Deserialize)]
struct Figures {
    summary: Value,
    metrics: Value,
    stats: Value,
}

fn number(value: &Value, pointer: &str) -> u64 {
    value.pointer(pointer).and_then(Value::as_u64).unwrap_or(0)
}

fn print(label: &str, m: &Value) {
    let bound =
        ["/report/stats/lookups", "/report/stats/min_list_pages", "/report/stats/asset_reads", "/report/stats/writes"]
            .iter()
            .map(|p| number(m, p))
            .sum::<u64>();
    let planned: u64 = m
        .pointer("/report/summary/counts")
        .and_then(Value::as_object)
        .map(|kinds| {
            kinds
                .values()
                .filter_map(Value::as_object)
                .flat_map(|ops| ops.iter())
                .filter(|(op, _)| {
                    matches!(op.as_str(), "create-in-itglue" | "create-in-bms" | "update-itglue" | "update-bms")
                })
                .filter_map(|(_, n)| n.as_u64())
                .sum()
        })
        .unwrap_or(0);
    println!("{label}");
    println!(
        "  requests used: {} (lower bound {bound}: {} lookups + {} list pages at 1000 + {} asset reads + {} writes)",
        number(m, "/report/metrics/requests"),
        number(m, "/report/stats/lookups"),
        number(m, "/report/stats/min_list_pages"),
        number(m, "/report/stats/asset_reads"),
        number(m, "/report/stats/writes"),
    );
    println!(
        "  planned writes: {planned}; 429s received: {}; retries: {}",
        number(m, "/report/metrics/rate_limited"),
        number(m, "/report/metrics/retries")
    );
    println!(
        "  wall time: {:.1} s; CPU time: {:.1} s user + {:.1} s system; peak memory: {:.1} MiB",
        number(m, "/wall_ms") as f64 / 1000.0,
        number(m, "/usage/cpu_user_ms") as f64 / 1000.0,
        number(m, "/usage/cpu_system_ms") as f64 / 1000.0,
        number(m, "/usage/peak_rss_kib") as f64 / 1024.0
    );
}

fn settings_file(dir: &Path) -> Result<PathBuf> {
    let path = dir.join("settings.json");
    let settings = json!({
        "account_types": ["Customer"], "account_statuses": ["Active"], "asset_types": [], "asset_statuses": ["Active"],
        "contacts": true, "tickets": false, "two_way": {"state": "off"}, "microsoft_contacts_auto_push": false,
        "directory_contact_types": null,
        "conflict_policy": {"organization": "bms-wins", "location": "bms-wins", "contact": "bms-wins", "configuration": "bms-wins"}
    });
    std::fs::write(&path, settings.to_string()).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

fn fresh_dir(path: PathBuf) -> Result<PathBuf> {
    if path.exists() {
        std::fs::remove_dir_all(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    std::fs::create_dir_all(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

const LARGE: &str = "large seed (10,000 accounts, 100,000 assets, 50,000 contacts)";

pub fn run(args: &[String]) -> Result {
    let large_real = match args {
        [] => false,
        [flag] if flag == "--large-real" => true,
        other => return Err(format!("bench takes no arguments but --large-real, not {other:?}")),
    };
    let root = root();
    setup::run(
        Command::new("cargo").args(["build", "--release", "-p", "sandbox", "-p", "bms-itglue-sync"]).current_dir(&root),
    )?;
    // Apart from the default bench's directory, so that the two can run side by side.
    let bench = fresh_dir(root.join(if large_real { "target/bench-large-real" } else { "target/bench" }))?;
    let settings = settings_file(&bench)?;
    println!("settings: active customers and their contacts; assets left out (each synced asset costs one BMS read)");
    if large_real {
        return real_and_second(&root, &bench, &settings, "large", LARGE);
    }

    let large = start_sandbox(&root, &bench, "large")?;
    let state = fresh_dir(bench.join("large"))?;
    print(&format!("{LARGE}, first sync, dry run:"), &sync(&root, &large, &state, &settings, &["--dry-run"])?);
    drop(large);
    real_and_second(&root, &bench, &settings, "medium", "medium seed (1,000 accounts)")
}

/// A real first sync of a fresh sandbox at `scale`, then a second run with nothing changed.
fn real_and_second(root: &Path, bench: &Path, settings: &Path, scale: &str, label: &str) -> Result {
    let sandbox = start_sandbox(root, bench, scale)?;
    let state = fresh_dir(bench.join(scale))?;
    print(&format!("{label}, first sync:"), &sync(root, &sandbox, &state, settings, &[])?);
    print(&format!("{label}, second run with nothing changed:"), &sync(root, &sandbox, &state, settings, &[])?);
    Ok(())
}
