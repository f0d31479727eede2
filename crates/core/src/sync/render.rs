//! Turning a planned operation into requests, at execution time, with the link table as it stands then (the
//! records an operation depends on were created by earlier operations, so their ids are known only now).
//!
//! The plan keeps in each operation only fields it expects to be writable. If one still cannot be written (a
//! dependency failed), the operation fails instead of writing a partial record, so a missing reference is never
//! mistaken for a cleared one; it is retried after its dependency.

use serde_json::Value;
use thiserror::Error;

use super::links::LinkTable;
use super::mapping::bms::{self as bms_map, BmsRequest, BmsTarget, BmsWriteContext};
use super::mapping::itglue::{self as itg_map, ItgRequest, ItgWriteContext};
use super::mapping::{Catalog, Dropped, IdResolver, MappingError, Rendered};
use super::merge::FieldChange;
use super::plan::{OpKind, PlannedOp};
use super::records::{EntityKind, Field, FieldValue, Record, Side};
use super::settings::SyncSettings;
use super::snapshot::ItgOrigin;

#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum RenderError {
    #[error("this operation sends nothing to {0}")]
    NotForSide(Side),
    #[error("the operation carries no {0} id")]
    MissingId(Side),
    #[error("the {kind}'s {owner} is not linked yet")]
    OwnerNotLinked { kind: EntityKind, owner: &'static str },
    #[error("cannot write yet: {}", describe(.0))]
    Pending(Vec<Dropped>),
    #[error(transparent)]
    Mapping(#[from] MappingError),
}

fn describe(dropped: &[Dropped]) -> String {
    dropped.iter().map(|d| format!("{} ({})", d.field, d.reason)).collect::<Vec<_>>().join("; ")
}

fn complete<R>(rendered: Rendered<R>) -> Result<Rendered<R>, RenderError> {
    if rendered.dropped.is_empty() { Ok(rendered) } else { Err(RenderError::Pending(rendered.dropped)) }
}

/// BMS's contact before the change, as far as list updates need it: the emails and phones each change replaces.
fn previous_lists(target: &Record, changes: &[FieldChange]) -> Record {
    let mut before = target.clone();
    if let Record::Contact(c) = &mut before {
        for change in changes {
            match &change.before {
                FieldValue::Emails(list) => c.emails = list.clone(),
                FieldValue::Phones(list) => c.phones = list.clone(),
                _ => {}
            }
        }
    }
    before
}

/// The IT Glue requests of a create or update operation.
pub fn itglue_requests(op: &PlannedOp, links: &LinkTable, catalog: &Catalog) -> Result<Rendered<ItgRequest>, RenderError> {
    let ctx = ItgWriteContext { catalog, resolver: links };
    match &op.op {
        OpKind::CreateInItGlue { record } | OpKind::RecheckThenCreate { side: Side::ItGlue, record, .. } => {
            let organization = match op.entity {
                EntityKind::Organization => None,
                kind => Some(
                    op.organization
                        .clone()
                        .or_else(|| op.account.as_ref().and_then(|a| links.itg_for(EntityKind::Organization, a)))
                        .ok_or(RenderError::OwnerNotLinked { kind, owner: "organization" })?,
                ),
            };
            complete(itg_map::create(record, organization.as_ref(), &ctx)?)
        }
        OpKind::UpdateItGlue { changes, target } => {
            let id = op.itg.as_ref().ok_or(RenderError::MissingId(Side::ItGlue))?;
            let fields: Vec<Field> = changes.iter().map(|c| c.field).collect();
            complete(itg_map::update(id, target, &fields, &ctx))
        }
        _ => Err(RenderError::NotForSide(Side::ItGlue)),
    }
}

/// A new BMS account with the locations created along with it: BMS v2 has no other way to create a location.
/// `locations` are the records of the location creates that wait for this account.
pub fn bms_account_create(
    op: &PlannedOp,
    links: &LinkTable,
    catalog: &Catalog,
    settings: &SyncSettings,
    locations: &[&Record],
) -> Result<Rendered<BmsRequest>, RenderError> {
    let mut rendered = bms_requests(op, links, catalog, settings, None)?;
    let ctx = BmsWriteContext { catalog, resolver: links, directory_types: None };
    if let Some(Value::Object(body)) = rendered.requests.first_mut().map(|r| &mut r.body) {
        body.insert("locations".into(), bms_map::account_location_inputs(locations, &ctx));
    }
    Ok(rendered)
}

/// The BMS requests of a create or update operation. Updates of assets and locations need `current`, the BMS
/// record as last read, because BMS replaces them whole.
pub fn bms_requests(
    op: &PlannedOp,
    links: &LinkTable,
    catalog: &Catalog,
    settings: &SyncSettings,
    current: Option<&Value>,
) -> Result<Rendered<BmsRequest>, RenderError> {
    let account =
        op.account.clone().or_else(|| op.organization.as_ref().and_then(|o| links.bms_for(EntityKind::Organization, o)));
    let ctx = |origin: ItgOrigin| BmsWriteContext {
        catalog,
        resolver: links,
        directory_types: if origin == ItgOrigin::ActiveDirectory { settings.directory_contact_types.as_ref() } else { None },
    };
    match &op.op {
        OpKind::CreateInBms { record, origin } | OpKind::RecheckThenCreate { side: Side::Bms, record, origin } => {
            if op.entity != EntityKind::Organization && account.is_none() {
                return Err(RenderError::OwnerNotLinked { kind: op.entity, owner: "account" });
            }
            complete(bms_map::create(record, account.as_ref(), &ctx(*origin))?)
        }
        OpKind::UpdateBms { changes, target } => {
            let id = op.bms.as_ref().ok_or(RenderError::MissingId(Side::Bms))?;
            let fields: Vec<Field> = changes.iter().map(|c| c.field).collect();
            let target_ids = BmsTarget { id, account: account.as_ref() };
            let before = previous_lists(target, changes);
            complete(bms_map::update(target_ids, &before, target, &fields, current, &ctx(ItgOrigin::Manual))?)
        }
        _ => Err(RenderError::NotForSide(Side::Bms)),
    }
}
