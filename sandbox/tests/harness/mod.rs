//! An in-process sandbox on loopback ports with a fresh store, for the conformance suites
//! that need one. Each suite uses a part of it.
#![allow(dead_code)]

use std::error::Error;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::{Client, Response, StatusCode};
use sandbox::{Config, Running};
use serde_json::Value;

pub type TestResult = Result<(), Box<dyn Error>>;

/// A directory under the system temp dir, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> Result<Self, Box<dyn Error>> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH)?.subsec_nanos();
        let dir = std::env::temp_dir().join(format!(
            "sandbox-suite-{}-{}-{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir)?;
        Ok(Self(dir))
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct Sandbox {
    pub running: Running,
    pub client: Client,
    // Dropped after the listeners, so the store file outlives them.
    _dir: TempDir,
}

impl Sandbox {
    pub async fn start(adjust: impl FnOnce(&mut Config)) -> Result<Self, Box<dyn Error>> {
        let dir = TempDir::new()?;
        let mut config = Config {
            db_path: dir.0.join("sandbox.db"),
            ..Config::default()
        };
        adjust(&mut config);
        let running = sandbox::start(config).await?;
        let client = Client::builder().no_proxy().build()?;
        Ok(Self {
            running,
            client,
            _dir: dir,
        })
    }

    pub fn bms_url(&self, path: &str) -> String {
        format!("http://{}{path}", self.running.addresses().bms_api)
    }
}

pub async fn json_of(response: Response) -> Result<(StatusCode, Value), Box<dyn Error>> {
    let status = response.status();
    let body = response.text().await?;
    let value = serde_json::from_str(&body).map_err(|error| format!("{error}: {body}"))?;
    Ok((status, value))
}

pub fn header_value<'a>(response: &'a Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}
