use crate::store::StoreError;

/// Failures of starting or stopping the sandbox.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot bind the {service} listener on 127.0.0.1:{port}: {source}")]
    Bind {
        service: &'static str,
        port: u16,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the {service} listener failed: {source}")]
    Serve {
        service: &'static str,
        source: std::io::Error,
    },
    #[error("the {service} listener task panicked or was cancelled")]
    Join { service: &'static str },
}
