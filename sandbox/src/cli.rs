//! Command-line parsing for the `sandbox` binary.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use crate::config::{Config, UnknownAuthFailureStyle, UnknownCspMode};

pub const USAGE: &str = "\
Usage: sandbox [OPTIONS]

Emulates the IT Glue API, the Kaseya BMS v2 API and the BMS web pages on 127.0.0.1.
Prints one JSON line with the URLs and demo credentials once every listener is bound.

Options:
  --db PATH                   SQLite file (default: target/sandbox/sandbox.db)
  --reset                     drop and re-seed the demo data
  --csp off|relaxed|strict    CSP of the BMS pages (default: relaxed)
  --itglue-port N             IT Glue API port (default: any free port)
  --bms-api-port N            BMS API port
  --bms-web-port N            BMS web UI port
  --itglue-web-port N         IT Glue web UI port
  --itglue-auth-error 403|401 status for a missing or unknown API key (default: 403)
  --bms-summary-unwrapped     serve /v2/crm/accounts/summary/{id} without the envelope
  --bms-token-lifetime SECS   BMS access token lifetime (default: 900)
  -h, --help                  show this help
";

#[derive(Debug)]
pub enum Command {
    Run(Box<Config>),
    Help,
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Args(#[from] lexopt::Error),
    #[error(transparent)]
    Csp(#[from] UnknownCspMode),
    #[error(transparent)]
    AuthStyle(#[from] UnknownAuthFailureStyle),
    #[error("{option} expects {expected}, got {value:?}")]
    Value {
        option: &'static str,
        expected: &'static str,
        value: String,
    },
}

/// Parses the arguments after the program name.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, CliError> {
    use lexopt::prelude::*;

    let mut config = Config::default();
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next()? {
        match arg {
            Long("db") => config.db_path = PathBuf::from(parser.value()?),
            Long("reset") => config.reset = true,
            Long("csp") => config.csp = text(&mut parser)?.parse()?,
            Long("itglue-port") => config.ports.itglue_api = port(&mut parser, "--itglue-port")?,
            Long("bms-api-port") => config.ports.bms_api = port(&mut parser, "--bms-api-port")?,
            Long("bms-web-port") => config.ports.bms_web = port(&mut parser, "--bms-web-port")?,
            Long("itglue-web-port") => {
                config.ports.itglue_web = port(&mut parser, "--itglue-web-port")?;
            }
            Long("itglue-auth-error") => config.itglue_auth_failure = text(&mut parser)?.parse()?,
            Long("bms-summary-unwrapped") => config.bms_summary_unwrapped = true,
            Long("bms-token-lifetime") => {
                let value = text(&mut parser)?;
                let seconds = value.parse::<u64>().map_err(|_| CliError::Value {
                    option: "--bms-token-lifetime",
                    expected: "a number of seconds",
                    value,
                })?;
                config.bms_token_lifetime = Duration::from_secs(seconds);
            }
            Short('h') | Long("help") => return Ok(Command::Help),
            other => return Err(other.unexpected().into()),
        }
    }
    Ok(Command::Run(Box::new(config)))
}

fn text(parser: &mut lexopt::Parser) -> Result<String, CliError> {
    use lexopt::ValueExt;
    Ok(parser.value()?.string()?)
}

fn port(parser: &mut lexopt::Parser, option: &'static str) -> Result<u16, CliError> {
    let value = text(parser)?;
    value.parse().map_err(|_| CliError::Value {
        option,
        expected: "a port number",
        value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{AuthFailureStyle, CspMode};

    fn run(args: &[&str]) -> Result<Config, CliError> {
        match parse(args.iter().map(OsString::from))? {
            Command::Run(config) => Ok(*config),
            Command::Help => panic!("unexpected help"),
        }
    }

    #[test]
    fn defaults_without_arguments() -> Result<(), CliError> {
        let config = run(&[])?;
        assert_eq!(config.db_path, PathBuf::from("target/sandbox/sandbox.db"));
        assert!(!config.reset);
        assert_eq!(config.csp, CspMode::Relaxed);
        assert_eq!(config.itglue_auth_failure, AuthFailureStyle::Forbidden403);
        Ok(())
    }

    #[test]
    fn every_option() -> Result<(), CliError> {
        let config = run(&[
            "--db",
            "x/y.db",
            "--reset",
            "--csp",
            "strict",
            "--itglue-port",
            "7001",
            "--bms-api-port",
            "7002",
            "--bms-web-port",
            "7003",
            "--itglue-web-port",
            "7004",
            "--itglue-auth-error",
            "401",
            "--bms-summary-unwrapped",
            "--bms-token-lifetime",
            "5",
        ])?;
        assert_eq!(config.db_path, PathBuf::from("x/y.db"));
        assert!(config.reset && config.bms_summary_unwrapped);
        assert_eq!(config.csp, CspMode::Strict);
        assert_eq!(
            (
                config.ports.itglue_api,
                config.ports.bms_api,
                config.ports.bms_web,
                config.ports.itglue_web
            ),
            (7001, 7002, 7003, 7004)
        );
        assert_eq!(
            config.itglue_auth_failure,
            AuthFailureStyle::Unauthorized401
        );
        assert_eq!(config.bms_token_lifetime, Duration::from_secs(5));
        Ok(())
    }

    #[test]
    fn rejects_bad_values_and_unknown_options() {
        assert!(run(&["--csp", "lax"]).is_err());
        assert!(run(&["--itglue-port", "http"]).is_err());
        assert!(run(&["--itglue-auth-error", "500"]).is_err());
        assert!(run(&["--verbose"]).is_err());
        assert!(matches!(
            parse([OsString::from("--help")]),
            Ok(Command::Help)
        ));
    }
}
