//! `bms-itglue-sync`: one sync run against a BMS and IT Glue pair from the command line. Secrets come from
//! environment variables named on the command line, never from the arguments themselves.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Instant;

use bms_itglue_core::settings::{ApiBase, BmsServer, BmsSettings, ItGlueRegion, ItGlueSettings, Secret};
use bms_itglue_core::sync::SyncSettings;
use bms_itglue_core::transport::{RateLimits, RetryPolicy};
use bms_itglue_sync_runner::{Connections, RunOptions, RunReport, Scheduler, run_sync};
use serde::Serialize;

use crate::files::JsonFiles;
use crate::terminal::Terminal;
use crate::transport::{HttpTransport, SystemClock};

pub const USAGE: &str =
    "usage: bms-itglue-sync --bms-url URL --bms-user USER --bms-password-env VAR --bms-company COMPANY
                       --itglue-url URL --itglue-key-env VAR [--settings FILE.json] [--dry-run] [--full]
                       [--one-time-push] [--state-dir DIR] [--report-json FILE] [--quiet]

  --bms-password-env, --itglue-key-env   names of environment variables holding the BMS password and the
                                         IT Glue API key
  --settings FILE.json                   the sync settings (account and asset types, statuses, contacts,
                                         two-way sync, conflict policy); without it nothing is in scope
  --dry-run                              plan and print, write nothing
  --full                                 list everything (notices deletions)
  --one-time-push                        push IT Glue data to a new BMS
  --state-dir DIR                        links, cursors, journal and logs (default: ./bms-itglue-state)
  --report-json FILE                     also write the report, timings and resource use as JSON";

/// Per-request deadline: a 1000-record page can be slow, and a timeout halves the page anyway.
const TIMEOUT_MS: u64 = 60_000;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}\n\n{USAGE}")]
    Usage(String),
    #[error("{0}")]
    Setup(String),
    #[error("{0}")]
    Run(String),
}

#[derive(Debug, Default)]
pub struct Args {
    pub bms_url: String,
    pub bms_user: String,
    pub bms_password_env: String,
    pub bms_company: String,
    pub itglue_url: String,
    pub itglue_key_env: String,
    pub settings: Option<PathBuf>,
    pub dry_run: bool,
    pub full: bool,
    pub one_time_push: bool,
    pub state_dir: PathBuf,
    pub report_json: Option<PathBuf>,
    pub quiet: bool,
}

fn text(value: OsString) -> Result<String, CliError> {
    value.into_string().map_err(|v| CliError::Usage(format!("not valid UTF-8: {v:?}")))
}

pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Args, CliError> {
    use lexopt::prelude::*;
    let usage = |e: lexopt::Error| CliError::Usage(e.to_string());
    let mut parser = lexopt::Parser::from_args(args);
    let mut out = Args { state_dir: PathBuf::from("bms-itglue-state"), ..Args::default() };
    while let Some(arg) = parser.next().map_err(usage)? {
        match arg {
            Long("bms-url") => out.bms_url = text(parser.value().map_err(usage)?)?,
            Long("bms-user") => out.bms_user = text(parser.value().map_err(usage)?)?,
            Long("bms-password-env") => out.bms_password_env = text(parser.value().map_err(usage)?)?,
            Long("bms-company") => out.bms_company = text(parser.value().map_err(usage)?)?,
            Long("itglue-url") => out.itglue_url = text(parser.value().map_err(usage)?)?,
            Long("itglue-key-env") => out.itglue_key_env = text(parser.value().map_err(usage)?)?,
            Long("settings") => out.settings = Some(parser.value().map_err(usage)?.into()),
            Long("state-dir") => out.state_dir = parser.value().map_err(usage)?.into(),
            Long("report-json") => out.report_json = Some(parser.value().map_err(usage)?.into()),
            Long("dry-run") => out.dry_run = true,
            Long("full") => out.full = true,
            Long("one-time-push") => out.one_time_push = true,
            Long("quiet") => out.quiet = true,
            Long("help") | Short('h') => return Err(CliError::Usage("help".into())),
            other => return Err(CliError::Usage(other.unexpected().to_string())),
        }
    }
    for (value, name) in [
        (&out.bms_url, "--bms-url"),
        (&out.bms_user, "--bms-user"),
        (&out.bms_password_env, "--bms-password-env"),
        (&out.bms_company, "--bms-company"),
        (&out.itglue_url, "--itglue-url"),
        (&out.itglue_key_env, "--itglue-key-env"),
    ] {
        if value.is_empty() {
            return Err(CliError::Usage(format!("{name} is required")));
        }
    }
    Ok(out)
}

fn secret(var: &str) -> Result<Secret, CliError> {
    std::env::var(var).map(Secret::new).map_err(|_| CliError::Setup(format!("environment variable {var} is not set")))
}

pub fn connections(args: &Args) -> Result<Connections, CliError> {
    let setup = |e: bms_itglue_core::settings::SettingsError| CliError::Setup(e.to_string());
    Ok(Connections {
        bms: BmsSettings {
            server: BmsServer::Custom(ApiBase::parse("--bms-url", &args.bms_url).map_err(setup)?),
            username: args.bms_user.clone(),
            password: secret(&args.bms_password_env)?,
            company: args.bms_company.clone(),
            web: None,
        },
        itglue: ItGlueSettings {
            region: ItGlueRegion::Custom(ApiBase::parse("--itglue-url", &args.itglue_url).map_err(setup)?),
            api_key: secret(&args.itglue_key_env)?,
        },
    })
}

fn settings(args: &Args) -> Result<SyncSettings, CliError> {
    let Some(path) = &args.settings else {
        eprintln!("warning: no --settings: no account type is selected, so nothing is in scope");
        return Ok(SyncSettings::default());
    };
    let text = std::fs::read_to_string(path).map_err(|e| CliError::Setup(format!("{}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| CliError::Setup(format!("{}: {e}", path.display())))
}

/// CPU time and peak memory of this process.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Usage {
    pub cpu_user_ms: u64,
    pub cpu_system_ms: u64,
    pub peak_rss_kib: u64,
}

pub fn usage() -> Usage {
    let mut raw = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given; RUSAGE_SELF is always valid.
    let filled = unsafe { libc::getrusage(libc::RUSAGE_SELF, raw.as_mut_ptr()) } == 0;
    if !filled {
        return Usage::default();
    }
    // SAFETY: getrusage returned 0, so the struct is initialised.
    let r = unsafe { raw.assume_init() };
    let ms = |t: libc::timeval| t.tv_sec as u64 * 1000 + t.tv_usec as u64 / 1000;
    Usage { cpu_user_ms: ms(r.ru_utime), cpu_system_ms: ms(r.ru_stime), peak_rss_kib: r.ru_maxrss as u64 }
}

/// What `--report-json` writes.
#[derive(Debug, Serialize)]
pub struct Measured<'a> {
    pub report: &'a RunReport,
    pub wall_ms: u64,
    pub usage: Usage,
}

/// The requests a run could not have done without: catalogs, list pages at the largest size, asset reads and
/// writes.
pub fn lower_bound(report: &RunReport) -> u64 {
    let s = &report.stats;
    s.lookups + s.min_list_pages + s.asset_reads + s.writes
}

fn print(report: &RunReport, wall_ms: u64, usage: Usage) {
    print!("{}", report.summary);
    let m = &report.metrics;
    let s = &report.stats;
    println!(
        "requests: {} (lower bound {}: {} lookups, {} list pages, {} asset reads, {} writes)",
        m.requests,
        lower_bound(report),
        s.lookups,
        s.min_list_pages,
        s.asset_reads,
        s.writes
    );
    println!(
        "429s received: {}, retries: {}, waited for limits: {:.1} s",
        m.rate_limited,
        m.retries,
        m.waited_ms as f64 / 1000.0
    );
    println!(
        "wall time: {:.1} s, CPU time: {:.1} s user + {:.1} s system, peak memory: {:.1} MiB",
        wall_ms as f64 / 1000.0,
        usage.cpu_user_ms as f64 / 1000.0,
        usage.cpu_system_ms as f64 / 1000.0,
        usage.peak_rss_kib as f64 / 1024.0
    );
    println!("conflicts: {}, errors: {}, completed: {}", report.conflicts.len(), report.errors.len(), report.completed);
    for op in report.plan.iter().filter(|op| !op.warnings.is_empty()) {
        println!("  {} {}: {:?}", op.entity, op.reason, op.warnings);
    }
}

pub fn run(args: Args) -> Result<RunReport, CliError> {
    let started = Instant::now();
    let connections = connections(&args)?;
    let settings = settings(&args)?;
    let store = JsonFiles::new(&args.state_dir).map_err(|e| CliError::Setup(e.to_string()))?;
    let transport = HttpTransport::new().map_err(|e| CliError::Setup(e.to_string()))?;
    let clock = SystemClock::default();
    let now_ms = bms_itglue_sync_runner::Clock::now_ms(&clock);
    let scheduler = Scheduler::new(transport, clock, RateLimits::default(), RetryPolicy::default(), TIMEOUT_MS);
    let options = RunOptions {
        dry_run: args.dry_run,
        full_pass: args.full,
        one_time_push: args.one_time_push,
        only: None,
        now_ms,
    };
    let terminal = Terminal::new(args.quiet);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Setup(e.to_string()))?;
    let report = runtime
        .block_on(run_sync(&scheduler, &store, &connections, &settings, &options, &terminal))
        .map_err(|e| CliError::Run(e.to_string()))?;
    let wall_ms = started.elapsed().as_millis() as u64;
    let usage = usage();
    print(&report, wall_ms, usage);
    if let Some(path) = &args.report_json {
        let json = serde_json::to_string_pretty(&Measured { report: &report, wall_ms, usage })
            .map_err(|e| CliError::Run(e.to_string()))?;
        std::fs::write(path, json).map_err(|e| CliError::Run(format!("{}: {e}", path.display())))?;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    #[test]
    fn parses_the_command_line_and_requires_the_connection() {
        let args = parse(os(&[
            "--bms-url",
            "http://127.0.0.1:1",
            "--bms-user",
            "u",
            "--bms-password-env",
            "P",
            "--bms-company",
            "Demo MSP",
            "--itglue-url",
            "http://127.0.0.1:2",
            "--itglue-key-env",
            "K",
            "--dry-run",
            "--full",
        ]))
        .unwrap();
        assert!(args.dry_run && args.full && !args.one_time_push);
        assert_eq!(args.bms_company, "Demo MSP");
        assert!(matches!(parse(os(&["--bms-url", "x"])), Err(CliError::Usage(_))));
        assert!(matches!(parse(os(&["--password", "x"])), Err(CliError::Usage(_))));
    }
}
