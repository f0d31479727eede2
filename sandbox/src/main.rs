//! `sandbox`: runs the emulated IT Glue and Kaseya BMS services until SIGINT or SIGTERM.

use std::io::Write;
use std::process::ExitCode;

use sandbox::cli::{self, Command};

#[tokio::main]
async fn main() -> ExitCode {
    let config = match cli::parse(std::env::args_os().skip(1)) {
        Ok(Command::Run(config)) => *config,
        Ok(Command::Help) => {
            print!("{}", cli::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            eprintln!("sandbox: {error}\n\n{}", cli::USAGE);
            return ExitCode::from(2);
        }
    };
    let running = match sandbox::start(config).await {
        Ok(running) => running,
        Err(error) => {
            eprintln!("sandbox: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{}", running.ready_line())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        eprintln!("sandbox: cannot write the ready line to stdout");
        return ExitCode::FAILURE;
    }
    drop(stdout);
    if let Err(error) = termination().await {
        eprintln!("sandbox: cannot listen for signals: {error}");
    }
    eprintln!("sandbox: shutting down");
    match running.shutdown().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("sandbox: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Resolves on SIGINT or SIGTERM.
async fn termination() -> std::io::Result<()> {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result,
        _ = terminate.recv() => Ok(()),
    }
}
