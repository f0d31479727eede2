//! Command-line parsing for the `sandbox` binary.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use crate::bms_web::InvalidRecordPath;
use crate::config::{Config, UnknownAuthFailureStyle, UnknownCspMode, UnknownItGlueRegion};
use crate::ratelimit::{UnknownQuota, parse_quota};
use crate::store::world::UnknownScale;

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
  --itglue-region us|eu|au    region of the IT Glue API listener; keys of other
                              regions get 403 (default: us)
  --bms-summary-unwrapped     serve /v2/crm/accounts/summary/{id} without the envelope
  --bms-token-lifetime SECS   BMS access token lifetime (default: 900)
  --bms-ticket-queue-optional create BMS tickets without a queue or an assignee
  --itglue-jwt-lifetime SECS  IT Glue user JWT lifetime (default: 7200)
  --scale demo|small|medium|large
                              generated data set (default: demo); a store seeded
                              with another scale or seed is re-seeded
  --seed N                    seed of the generated data (default: 1)
  --itglue-org-full-lock      PSA-synced organizations reject every PATCH
  --itglue-contact-emails-synced
                              contact e-mails count as synced even without a PSA link
  --itglue-two-way-relaxes-locks
                              synced records are editable while two-way sync is on
  --itglue-rate-limit N/SECS|off
                              IT Glue requests per account and sliding window
                              (default: 3000/300)
  --itglue-retry-after        send Retry-After on IT Glue 429s
  --bms-rate-limit N/SECS|off BMS calls per endpoint and sliding window
                              (default: 1500/3600)
  --bms-over-limit-status N   status of an over-limit BMS call (default: 429)
  --bms-over-limit-body TEXT  body of an over-limit BMS call (default: the
                              success:false envelope)
  --no-rate-limits            turn both rate limits off
  --bms-account-path PATH     BMS account page path (default: /react/crm/accounts/{id})
  --bms-contact-path PATH     BMS contact page path (default: /react/crm/contacts/{id})
  --bms-asset-path PATH       BMS hardware asset page path
                              (default: /react/servicedesk/hardwareassets/{id})
  --bms-native-itglue         show the look-alike of BMS's own IT Glue integration on
                              ticket pages
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
    #[error(transparent)]
    Region(#[from] UnknownItGlueRegion),
    #[error(transparent)]
    Scale(#[from] UnknownScale),
    #[error(transparent)]
    Quota(#[from] UnknownQuota),
    #[error(transparent)]
    PagePath(#[from] InvalidRecordPath),
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
            Long("itglue-region") => config.itglue_region = text(&mut parser)?.parse()?,
            Long("bms-summary-unwrapped") => config.bms_summary_unwrapped = true,
            Long("bms-ticket-queue-optional") => config.bms_ticket_queue_optional = true,
            Long("bms-token-lifetime") => {
                let value = text(&mut parser)?;
                let seconds = value.parse::<u64>().map_err(|_| CliError::Value {
                    option: "--bms-token-lifetime",
                    expected: "a number of seconds",
                    value,
                })?;
                config.bms_token_lifetime = Duration::from_secs(seconds);
            }
            Long("itglue-jwt-lifetime") => {
                let value = text(&mut parser)?;
                let seconds = value.parse::<u64>().map_err(|_| CliError::Value {
                    option: "--itglue-jwt-lifetime",
                    expected: "a number of seconds",
                    value,
                })?;
                config.itglue_jwt_lifetime = Duration::from_secs(seconds);
            }
            Long("scale") => config.world.scale = text(&mut parser)?.parse()?,
            Long("seed") => {
                let value = text(&mut parser)?;
                config.world.seed = value.parse().map_err(|_| CliError::Value {
                    option: "--seed",
                    expected: "a non-negative integer",
                    value,
                })?;
            }
            Long("itglue-org-full-lock") => config.itglue_org_sync_fully_locked = true,
            Long("itglue-contact-emails-synced") => {
                config.itglue_contact_emails_always_synced = true;
            }
            Long("itglue-two-way-relaxes-locks") => config.itglue_two_way_relaxes_locks = true,
            Long("itglue-rate-limit") => {
                config.rate_limits.itglue = parse_quota(&text(&mut parser)?)?;
            }
            Long("bms-rate-limit") => config.rate_limits.bms = parse_quota(&text(&mut parser)?)?,
            Long("no-rate-limits") => {
                config.rate_limits.itglue = None;
                config.rate_limits.bms = None;
            }
            Long("itglue-retry-after") => config.rate_limits.itglue_retry_after = true,
            Long("bms-over-limit-status") => {
                config.rate_limits.bms_over_limit.status = http_status(&mut parser)?;
            }
            Long("bms-over-limit-body") => {
                config.rate_limits.bms_over_limit.body = Some(text(&mut parser)?);
            }
            Long("bms-account-path") => config.bms_pages.account = text(&mut parser)?.parse()?,
            Long("bms-contact-path") => config.bms_pages.contact = text(&mut parser)?.parse()?,
            Long("bms-asset-path") => {
                config.bms_pages.hardware_asset = text(&mut parser)?.parse()?;
            }
            Long("bms-native-itglue") => config.bms_pages.native_itglue = true,
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

fn http_status(parser: &mut lexopt::Parser) -> Result<u16, CliError> {
    let value = text(parser)?;
    value
        .parse()
        .ok()
        .filter(|status| (100..=599).contains(status))
        .ok_or(CliError::Value {
            option: "--bms-over-limit-status",
            expected: "an HTTP status from 100 to 599",
            value,
        })
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
    use crate::config::{AuthFailureStyle, CspMode, ItGlueRegion};

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
        assert_eq!(config.itglue_region, ItGlueRegion::Us);
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
            "--itglue-region",
            "eu",
            "--bms-summary-unwrapped",
            "--bms-token-lifetime",
            "5",
            "--scale",
            "small",
            "--seed",
            "42",
            "--itglue-org-full-lock",
            "--itglue-contact-emails-synced",
            "--itglue-two-way-relaxes-locks",
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
        assert_eq!(config.itglue_region, ItGlueRegion::Eu);
        assert_eq!(config.bms_token_lifetime, Duration::from_secs(5));
        assert_eq!(config.world.scale, crate::store::world::Scale::Small);
        assert_eq!(config.world.seed, 42);
        assert!(config.itglue_org_sync_fully_locked);
        assert!(config.itglue_contact_emails_always_synced);
        assert!(config.itglue_two_way_relaxes_locks);
        Ok(())
    }

    #[test]
    fn itglue_jwt_lifetime_in_seconds() -> Result<(), CliError> {
        let config = run(&["--itglue-jwt-lifetime", "60"])?;
        assert_eq!(config.itglue_jwt_lifetime, Duration::from_secs(60));
        assert_eq!(run(&[])?.itglue_jwt_lifetime, Duration::from_secs(7200));
        Ok(())
    }

    #[test]
    fn bms_page_switches() -> Result<(), CliError> {
        let defaults = run(&[])?.bms_pages;
        assert_eq!(defaults.contact.as_str(), "/react/crm/contacts/{id}");
        assert!(!defaults.native_itglue);
        let pages = run(&[
            "--bms-account-path",
            "/react/crm/companies/{id}",
            "--bms-contact-path",
            "/react/crm/people/{id}",
            "--bms-asset-path",
            "/react/assets/hardware/{id}",
            "--bms-native-itglue",
        ])?
        .bms_pages;
        assert_eq!(pages.account.for_id(5), "/react/crm/companies/5");
        assert_eq!(pages.contact.list(), "/react/crm/people");
        assert_eq!(pages.hardware_asset.as_str(), "/react/assets/hardware/{id}");
        assert!(pages.native_itglue);
        assert!(run(&["--bms-contact-path", "/react/servicedesk/tickets/{id}"]).is_err());
        Ok(())
    }

    #[test]
    fn rate_limit_switches() -> Result<(), CliError> {
        let defaults = run(&[])?.rate_limits;
        assert_eq!(
            defaults.itglue.map(|q| q.to_string()).as_deref(),
            Some("3000/300")
        );
        assert_eq!(
            defaults.bms.map(|q| q.to_string()).as_deref(),
            Some("1500/3600")
        );
        let config = run(&[
            "--itglue-rate-limit",
            "5/2",
            "--bms-rate-limit",
            "off",
            "--itglue-retry-after",
            "--bms-over-limit-status",
            "503",
            "--bms-over-limit-body",
            "slow down",
        ])?;
        let limits = config.rate_limits;
        assert_eq!(
            limits.itglue.map(|q| (q.requests, q.window.as_secs())),
            Some((5, 2))
        );
        assert!(limits.bms.is_none() && limits.itglue_retry_after);
        assert_eq!(limits.bms_over_limit.status, 503);
        assert_eq!(limits.bms_over_limit.body.as_deref(), Some("slow down"));
        let off = run(&["--no-rate-limits"])?.rate_limits;
        assert!(off.itglue.is_none() && off.bms.is_none());
        assert!(run(&["--bms-over-limit-status", "99"]).is_err());
        assert!(run(&["--itglue-rate-limit", "many"]).is_err());
        Ok(())
    }

    #[test]
    fn rejects_bad_values_and_unknown_options() {
        assert!(run(&["--csp", "lax"]).is_err());
        assert!(run(&["--itglue-port", "http"]).is_err());
        assert!(run(&["--itglue-jwt-lifetime", "soon"]).is_err());
        assert!(run(&["--itglue-auth-error", "500"]).is_err());
        assert!(run(&["--verbose"]).is_err());
        assert!(run(&["--scale", "huge"]).is_err());
        assert!(run(&["--seed", "-1"]).is_err());
        assert!(matches!(
            parse([OsString::from("--help")]),
            Ok(Command::Help)
        ));
    }
}
