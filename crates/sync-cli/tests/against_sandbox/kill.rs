//! A run stopped after every journal step (every save of its state), then resumed, ends exactly like an
//! uninterrupted run: same records on both sides, same links, no duplicates.

use std::path::Path;

use bms_itglue_core::sync::normalize::Timestamp;
use bms_itglue_core::sync::{SyncSettings, TwoWay};
use bms_itglue_sync_runner::run_sync;

use crate::common::*;

/// Narrower than the other tests' settings, so that trying every kill point stays quick, and two-way since
/// 2023 so that IT Glue records are pushed to BMS too.
fn kill_settings() -> SyncSettings {
    SyncSettings {
        asset_types: vec!["Firewall".into()],
        two_way: TwoWay::On { since: Timestamp::parse("2023-01-01T00:00:00Z").expect("a valid time") },
        ..settings()
    }
}

/// A sandbox on a copy of the seeded template, so every attempt starts from the same data.
async fn fresh(template: &Path, dir: &Path, attempt: u64) -> Sandbox {
    let db = dir.join(format!("attempt-{attempt}.db"));
    std::fs::copy(template, &db).expect("the template copies");
    start_at(&db, |_| {}).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_killed_after_any_step_and_resumed_ends_like_an_uninterrupted_one() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let template = dir.path().join("template.db");
    start_at(&template, |c| c.reset = true).await.running.shutdown().await.expect("the sandbox stops");
    let settings = kill_settings();

    let sandbox = fresh(&template, dir.path(), 0).await;
    let store = Memory::default();
    let first = sync(&sandbox, &store, &settings, &options(true)).await;
    assert!(
        writes(&first) > 0 && count(&first, bms_itglue_core::sync::EntityKind::Organization, "create-in-bms") > 0,
        "{}",
        first.summary
    );
    sync(&sandbox, &store, &settings, &options(true)).await;
    let expected = end_state(&sandbox, &store).await;
    let steps = *store.saves.borrow();
    sandbox.running.shutdown().await.expect("the sandbox stops");

    for kill_at in 0..steps {
        let sandbox = fresh(&template, dir.path(), kill_at + 1).await;
        let killed = Memory { fail_after: Some(kill_at), ..Memory::default() };
        let stopped =
            run_sync(&scheduler(), &killed, &sandbox.connections, &settings, &options(true), &Collect::default()).await;
        if stopped.is_ok() {
            // Past the last step of the first run: nothing left to interrupt.
            sandbox.running.shutdown().await.expect("the sandbox stops");
            break;
        }
        let resumed = Memory::with_values(killed.values.take());
        sync(&sandbox, &resumed, &settings, &options(true)).await;
        let state = end_state(&sandbox, &resumed).await;
        assert_eq!(duplicates(&state, &expected), Vec::<String>::new(), "killed after step {kill_at}");
        assert_eq!(state, expected, "killed after step {kill_at} of {steps}");
        sandbox.running.shutdown().await.expect("the sandbox stops");
    }
}
