//! Progress and log lines on stderr, at most one progress line per phase change or per couple of seconds.

use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};

use bms_itglue_sync_runner::{LogEntry, LogLevel, Phase, Progress, ProgressSink};

pub struct Terminal {
    last: RefCell<Option<(Phase, Instant)>>,
    errors: Cell<usize>,
    quiet: bool,
}

/// Errors beyond this many are counted, not printed: the report lists them.
const PRINTED_ERRORS: usize = 20;
const EVERY: Duration = Duration::from_secs(2);

impl Terminal {
    pub fn new(quiet: bool) -> Self {
        Terminal { last: RefCell::new(None), errors: Cell::new(0), quiet }
    }
}

impl ProgressSink for Terminal {
    fn progress(&self, progress: &Progress) {
        let mut last = self.last.borrow_mut();
        let due = match *last {
            Some((phase, at)) => phase != progress.phase || at.elapsed() >= EVERY || progress.done == progress.total,
            None => true,
        };
        if !due || self.quiet {
            return;
        }
        *last = Some((progress.phase, Instant::now()));
        let entity = progress.entity.map(|e| format!(" {e}")).unwrap_or_default();
        eprintln!("[{:?}{entity}] {}/{}", progress.phase, progress.done, progress.total);
    }

    fn log(&self, entry: LogEntry) {
        let entity = entry.entity.map(|e| format!("{e}: ")).unwrap_or_default();
        match entry.level {
            LogLevel::Error => {
                self.errors.set(self.errors.get() + 1);
                if self.errors.get() <= PRINTED_ERRORS {
                    eprintln!("error: {entity}{}", entry.message);
                }
            }
            LogLevel::Warning => eprintln!("warning: {entity}{}", entry.message),
            LogLevel::Info if !self.quiet => eprintln!("{entity}{}", entry.message),
            LogLevel::Info => {}
        }
    }
}
