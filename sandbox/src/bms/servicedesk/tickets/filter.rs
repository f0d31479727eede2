//! `TicketFilterDto`: the filters of the ticket lists. The same names arrive as query
//! parameters with a `Filter.` prefix (`/tickets`), without it (`/tickets/count`), or as
//! the `filter` object of a search body in any key casing.

use serde_json::Value;

use super::super::super::envelope::ApiError;
use super::super::super::json_input::Fields;
use super::super::super::params::QueryParams;
use super::super::support::escape_like;
use crate::store::sql::{Conditions, placeholders};

/// Substring filters, case-insensitive: (filter name, SQL expression).
const CONTAINS: &[(&str, &str)] = &[
    ("Title", "t.title"),
    ("Account", "a.account_name"),
    ("LocationName", "l.location_name"),
    ("AssigneeName", "asg.first_name || ' ' || asg.last_name"),
    ("TicketNumber", "t.ticket_number"),
    ("CreatedByName", "cb.first_name || ' ' || cb.last_name"),
    ("Details", "t.details"),
    ("ContactName", "t.contact_name"),
    ("HardwareAssetName", "t.hardware_asset_name"),
];

/// Comma-separated name lists, matched whole and without regard to case.
const NAME_LISTS: &[(&str, &str)] = &[
    ("StatusNames", "s.name"),
    ("QueueNames", "q.name"),
    ("PriorityNames", "p.name"),
    ("TicketTypeNames", "ty.name"),
    ("IssueTypeNames", "it.name"),
    ("ServiceLevelAgreementNames", "sla.name"),
    ("SubIssueTypeNames", "st.name"),
];

/// Comma-separated id lists.
const ID_LISTS: &[(&str, &str)] = &[
    ("SourceIds", "t.source_id"),
    ("AccountIds", "t.account_id"),
    ("SLAEventStatusIds", "t.sla_status_event_id"),
    ("OwnerIds", "t.assignee_id"),
];

/// Single ids.
const IDS: &[(&str, &str)] = &[
    ("ContactId", "t.contact_id"),
    ("HardwareAssetId", "t.hardware_asset_id"),
    ("AccountLocationId", "t.location_id"),
];

/// `…From`/`…To` pairs over date-time columns.
const RANGES: &[(&str, &str)] = &[
    ("OpenDate", "t.open_date"),
    ("CompletedDate", "t.completed_date"),
    ("LastActivityUpdate", "t.last_activity_update"),
    ("CreatedOn", "t.created_on"),
    ("LastStatusUpdate", "t.last_status_update"),
    ("LastPriorityUpdate", "t.last_priority_update"),
    ("LastQueueUpdate", "t.last_queue_update"),
    ("DueDate", "t.due_date"),
    ("ResolutionTargetTime", "t.resolution_target_time"),
];

/// `ActionType` values of the change-history filter (sandbox numbering; the enum's
/// meaning is unpublished) and the audit field each one matches.
pub const ACTION_FIELDS: &[(i64, &str)] = &[
    (1, "StatusId"),
    (2, "PriorityId"),
    (3, "QueueId"),
    (4, "AssigneeId"),
];

/// The conditions of a `TicketFilterDto` read from query parameters named `{prefix}Field`.
pub fn conditions(params: &QueryParams, prefix: &str) -> Result<Conditions, ApiError> {
    let name = |field: &str| format!("{prefix}{field}");
    let mut conditions = Conditions::new();
    for (field, column) in CONTAINS {
        if let Some(text) = params.text(&name(field)) {
            conditions.push(
                &format!(r"{column} LIKE '%' || ? || '%' ESCAPE '\'"),
                &[escape_like(text)],
            );
        }
    }
    if let Some(code) = params.text(&name("AccountCode")) {
        conditions.push("lower(a.account_code) = lower(?)", &[code.to_owned()]);
    }
    for (field, column) in NAME_LISTS {
        if let Some(list) = params.text(&name(field)) {
            let names = split_csv(list)
                .map(str::to_lowercase)
                .collect::<Vec<String>>();
            conditions.push(
                &format!("lower({column}) IN ({})", placeholders(names.len())),
                &names,
            );
        }
    }
    for (field, column) in ID_LISTS {
        if let Some(list) = params.text(&name(field)) {
            let ids = split_csv(list)
                .map(|id| id.parse::<i64>().map_err(|_| invalid(list, &name(field))))
                .collect::<Result<Vec<_>, _>>()?;
            conditions.any_of(column, &ids);
        }
    }
    for (field, column) in IDS {
        if let Some(id) = params.integer(&name(field))? {
            conditions.push(&format!("{column} = ?"), &[id]);
        }
    }
    int_flags(params, &name, &mut conditions)?;
    for (field, column) in RANGES {
        if let Some(bound) = params.datetime(&name(&format!("{field}From")))? {
            conditions.push(&format!("{column} >= ?"), &[bound.to_bms()]);
        }
        if let Some(bound) = params.datetime(&name(&format!("{field}To")))? {
            conditions.push(&format!("{column} <= ?"), &[bound.to_bms()]);
        }
    }
    change_history(params, &name, &mut conditions)?;
    Ok(conditions)
}

/// The int-booleans of `/tickets`: `ExcludeCompleted=1`, `IsScheduled`,
/// `IsRecurringTickets`. `true` is not an int and is refused, as model binding does.
fn int_flags(
    params: &QueryParams,
    name: &impl Fn(&str) -> String,
    conditions: &mut Conditions,
) -> Result<(), ApiError> {
    if params.integer(&name("ExcludeCompleted"))? == Some(1) {
        conditions.push("s.is_completed = 0", &[] as &[i64]);
    }
    if let Some(flag) = params.integer(&name("IsScheduled"))? {
        conditions.push("t.is_scheduled = ?", &[flag]);
    }
    match params.integer(&name("IsRecurringTickets"))? {
        Some(1) => conditions.push("t.recurring_master_id IS NOT NULL", &[] as &[i64]),
        Some(0) => conditions.push("t.recurring_master_id IS NULL", &[] as &[i64]),
        _ => {}
    }
    Ok(())
}

/// `FromDate`/`ToDate`/`Value`/`ActionType`: tickets with a recorded change in the window,
/// of the given kind and to the given value. The DTO documents only the names; this
/// reading matches them against the audit log.
fn change_history(
    params: &QueryParams,
    name: &impl Fn(&str) -> String,
    conditions: &mut Conditions,
) -> Result<(), ApiError> {
    let from = params.datetime(&name("FromDate"))?;
    let to = params.datetime(&name("ToDate"))?;
    let value = params.text(&name("Value"));
    let action = params.integer(&name("ActionType"))?;
    if from.is_none() && to.is_none() && value.is_none() && action.is_none() {
        return Ok(());
    }
    let mut clause = "EXISTS (SELECT 1 FROM bms_ticket_audit_logs al
        WHERE al.ticket_id = t.id AND al.field IS NOT NULL"
        .to_owned();
    let mut bound: Vec<String> = Vec::new();
    if let Some(from) = from {
        clause.push_str(" AND al.created_on >= ?");
        bound.push(from.to_bms());
    }
    if let Some(to) = to {
        clause.push_str(" AND al.created_on <= ?");
        bound.push(to.to_bms());
    }
    if let Some(value) = value {
        clause.push_str(" AND al.new_value = ?");
        bound.push(value.to_owned());
    }
    if let Some(action) = action {
        let field = ACTION_FIELDS
            .iter()
            .find(|(id, _)| *id == action)
            .map(|(_, field)| *field)
            .unwrap_or("");
        clause.push_str(" AND al.field = ?");
        bound.push(field.to_owned());
    }
    clause.push(')');
    conditions.push(&clause, &bound);
    Ok(())
}

fn split_csv(list: &str) -> impl Iterator<Item = &str> {
    list.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
}

fn invalid(value: &str, name: &str) -> ApiError {
    ApiError::failure(400, format!("The value '{value}' is not valid for {name}."))
}

/// The `filter` object of a search body as `Filter.`-prefixed query parameters, so both
/// routes share one reading. Arrays become comma lists, as the csv filters expect.
pub fn params_from_body(filter: Option<&Fields>) -> QueryParams {
    let mut query = form_urlencoded::Serializer::new(String::new());
    if let Some(filter) = filter {
        for (member, value) in filter.members() {
            if let Some(text) = scalar_text(value) {
                query.append_pair(&format!("filter.{member}"), &text);
            }
        }
    }
    QueryParams::parse(Some(&query.finish()))
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::Null | Value::Object(_) => None,
        Value::String(text) => Some(text.clone()),
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(scalar_text)
                .collect::<Vec<_>>()
                .join(","),
        ),
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prefix_selects_the_parameter_names() -> Result<(), ApiError> {
        let params = QueryParams::parse(Some("ExcludeCompleted=1&Filter.Title=x"));
        assert_eq!(conditions(&params, "")?.params().len(), 0);
        assert!(
            conditions(&params, "")?
                .where_sql()
                .contains("is_completed")
        );
        assert_eq!(conditions(&params, "Filter.")?.params().len(), 1);
        Ok(())
    }

    #[test]
    fn int_booleans_refuse_true() {
        let params = QueryParams::parse(Some("Filter.ExcludeCompleted=true"));
        assert!(conditions(&params, "Filter.").is_err());
    }

    #[test]
    fn body_filters_read_like_query_filters() -> Result<(), ApiError> {
        let body = Fields::from_body(
            json!({"queueNames": "Help Desk", "ExcludeCompleted": 1, "accountIds": [101, 102]}),
        )?;
        let params = params_from_body(Some(&body));
        assert_eq!(params.text("Filter.QueueNames"), Some("Help Desk"));
        assert_eq!(params.integer("Filter.ExcludeCompleted")?, Some(1));
        assert_eq!(params.text("Filter.AccountIds"), Some("101,102"));
        Ok(())
    }
}
