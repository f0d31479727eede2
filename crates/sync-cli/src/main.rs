//! `bms-itglue-sync`: see [`bms_itglue_sync::cli::USAGE`].

use std::process::ExitCode;

use bms_itglue_sync::cli;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let result = cli::parse(std::env::args_os().skip(1)).and_then(cli::run);
    match result {
        Ok(report) if report.completed => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(3),
        Err(e) => {
            eprintln!("bms-itglue-sync: {e}");
            ExitCode::from(2)
        }
    }
}
