//! What the popup and the options page show about syncing: the run status with progress, and the sync log.

use serde::{Deserialize, Serialize};

/// Progress of the running sync, per entity kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressView {
    pub phase: String,
    pub entity: Option<String>,
    pub done: u64,
    pub total: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum SyncStatus {
    /// Sync was never run or is not set up.
    #[default]
    Never,
    /// A sync is scheduled (saving settings queues one an hour later, as the native integration does).
    Queued { at_ms: u64 },
    Syncing { progress: ProgressView },
    /// `started_at_ms` tells a page which run an outcome belongs to, so that one pressing "Start sync now" waits
    /// for its own run and not for the end of one that was already going.
    Ok {
        #[serde(default)]
        started_at_ms: u64,
        finished_at_ms: u64,
        summary: String,
    },
    Error {
        #[serde(default)]
        started_at_ms: u64,
        at_ms: u64,
        message: String,
    },
}

impl SyncStatus {
    /// The label the native integration's Active Integrations page uses.
    pub fn label(&self) -> &'static str {
        match self {
            SyncStatus::Never => "Not synced yet",
            SyncStatus::Queued { .. } => "Queued",
            SyncStatus::Syncing { .. } => "Syncing",
            SyncStatus::Ok { .. } => "OK",
            SyncStatus::Error { .. } => "Error",
        }
    }

    /// When the run that ended with this status started; none while no run has ended.
    pub fn run_started_at_ms(&self) -> Option<u64> {
        match self {
            SyncStatus::Ok { started_at_ms, .. } | SyncStatus::Error { started_at_ms, .. } => Some(*started_at_ms),
            SyncStatus::Never | SyncStatus::Queued { .. } | SyncStatus::Syncing { .. } => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogLevel {
    Info,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    pub at_ms: u64,
    pub level: LogLevel,
    pub entity: Option<String>,
    pub message: String,
}

/// The choices the Sync Settings tab offers, read from BMS.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncChoices {
    pub account_types: Vec<String>,
    pub asset_types: Vec<String>,
}

/// Keeps the newest `limit` lines: the log is a rolling window, not an archive.
pub fn append_log(log: &mut Vec<LogLine>, lines: impl IntoIterator<Item = LogLine>, limit: usize) {
    log.extend(lines);
    if log.len() > limit {
        log.drain(..log.len() - limit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(at_ms: u64) -> LogLine {
        LogLine { at_ms, level: LogLevel::Info, entity: None, message: String::new() }
    }

    #[test]
    fn the_log_keeps_the_newest_lines() {
        let mut log = vec![line(1), line(2)];
        append_log(&mut log, [line(3), line(4)], 3);
        assert_eq!(log.iter().map(|l| l.at_ms).collect::<Vec<_>>(), [2, 3, 4]);
    }

    #[test]
    fn statuses_serialize_with_a_state_tag() {
        let json = serde_json::to_value(SyncStatus::Queued { at_ms: 5 }).unwrap();
        assert_eq!(json, serde_json::json!({"state": "queued", "at_ms": 5}));
        assert_eq!(SyncStatus::Syncing { progress: ProgressView::default() }.label(), "Syncing");
    }

    #[test]
    fn an_outcome_stored_before_runs_had_a_start_still_loads() {
        let stored = r#"{"state": "ok", "finished_at_ms": 9, "summary": "done"}"#;
        let status: SyncStatus = serde_json::from_str(stored).unwrap();
        assert_eq!(status, SyncStatus::Ok { started_at_ms: 0, finished_at_ms: 9, summary: "done".into() });
        assert_eq!(status.run_started_at_ms(), Some(0));
        assert_eq!(SyncStatus::Queued { at_ms: 5 }.run_started_at_ms(), None);
    }
}
