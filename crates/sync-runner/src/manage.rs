//! The Manage Data page's actions on the stored link table: links by state, one record's sync status, disabling
//! and resuming a pair, and deleting an orphan's IT Glue record (confirmed first, for that orphan as it is).

use bms_itglue_core::sync::links::DeleteOrphan;
pub use bms_itglue_core::sync::manage::LinkFilter;
use bms_itglue_core::sync::normalize::Timestamp;
use bms_itglue_core::sync::{BmsId, EntityKind, ItgId, Link, LinkError, OrphanDeletion};
use bms_itglue_core::transport::{Endpoint, HttpRequest, Method};
use bms_itglue_core::widget::Service;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::itglue_client::plural;
use crate::run::Connections;
use crate::scheduler::{CallError, Clock, Scheduler, Transport};
use crate::store::{self, ConflictRecord, StateError, StateStore};

#[derive(Debug, thiserror::Error)]
pub enum ManageError {
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Link(#[from] LinkError),
    #[error("IT Glue refused the deletion: {0}")]
    Delete(CallError),
}

pub async fn links<S: StateStore>(
    store: &S,
    kind: Option<EntityKind>,
    filter: LinkFilter,
) -> Result<Vec<Link>, StateError> {
    let stored = store::load_links(store).await?;
    Ok(stored.links.iter().filter(|l| kind.is_none_or(|k| l.kind == k) && filter.keeps(l.state)).cloned().collect())
}

/// One BMS record's pairing and the conflicts logged for it, for the record's widget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordStatus {
    pub link: Option<Link>,
    pub conflicts: Vec<ConflictRecord>,
}

pub async fn record_status<S: StateStore>(
    store: &S,
    kind: EntityKind,
    bms: &BmsId,
) -> Result<RecordStatus, StateError> {
    let stored = store::load_links(store).await?;
    let conflicts = store::load_conflicts(store)
        .await?
        .into_iter()
        .filter(|c| c.conflict.kind == kind && &c.conflict.bms == bms)
        .collect();
    Ok(RecordStatus { link: stored.links.get(kind, bms).cloned(), conflicts })
}

/// "Disable sync" for a pair; both records stay as they are.
pub async fn disconnect<S: StateStore>(
    store: &S,
    kind: EntityKind,
    bms: &BmsId,
    now_ms: u64,
) -> Result<(), ManageError> {
    let mut stored = store::load_links(store).await?;
    stored.links.disconnect(kind, bms, Timestamp::from_unix_millis(now_ms as i64))?;
    Ok(store::save_links(store, &stored).await?)
}

/// Resumes syncing a disconnected pair; the next run orphans it again if its BMS record is out of scope.
pub async fn reconnect<S: StateStore>(
    store: &S,
    kind: EntityKind,
    bms: &BmsId,
    now_ms: u64,
) -> Result<(), ManageError> {
    let mut stored = store::load_links(store).await?;
    stored.links.reconnect(kind, bms, Timestamp::from_unix_millis(now_ms as i64))?;
    Ok(store::save_links(store, &stored).await?)
}

/// Step one of deleting an orphan: the confirmation to show and send back.
pub async fn confirm_orphan_deletion<S: StateStore>(
    store: &S,
    kind: EntityKind,
    itg: &ItgId,
) -> Result<OrphanDeletion, ManageError> {
    Ok(store::load_links(store).await?.links.confirm_orphan_deletion(kind, itg)?)
}

/// Step two: deletes the orphan's IT Glue record (IT Glue deletes in bulk, by id) and forgets its link. The link
/// is forgotten only once IT Glue accepted the deletion.
pub async fn delete_orphan<T: Transport, C: Clock, S: StateStore>(
    scheduler: &Scheduler<T, C>,
    store: &S,
    connections: &Connections,
    confirmation: OrphanDeletion,
) -> Result<DeleteOrphan, ManageError> {
    let mut stored = store::load_links(store).await?;
    let deletion = stored.links.delete_orphan(confirmation)?;
    let path = format!("/{}", plural(deletion.kind));
    let body = json!({"data": [{"type": plural(deletion.kind), "attributes": {"id": deletion.itg.as_str()}}]});
    let request = HttpRequest {
        method: Method::Delete,
        url: connections.itglue.region.api_base().join(&path),
        headers: vec![
            ("x-api-key".to_owned(), connections.itglue.api_key.expose().to_owned()),
            ("Content-Type".to_owned(), bms_itglue_core::itglue::api::MEDIA_TYPE.to_owned()),
        ],
        body: Some(body.to_string()),
        endpoint: Endpoint { service: Service::ItGlue, route: format!("DELETE {path}") },
    };
    scheduler.call(&request).await.map_err(ManageError::Delete)?;
    store::save_links(store, &stored).await?;
    Ok(deletion)
}
