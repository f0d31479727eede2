//! The BMS service desk: tickets and their sub-resources, "My tickets" and queue views,
//! time logs, attachments, employees and assignees, and the service desk lookups.

pub mod attachments;
mod employees;
mod lookups;
pub mod support;
pub mod tickets;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;
use tickets::{
    actions, activities, batch, calls, checklist, costs, list, merge, notes, related, timelogs,
    write,
};

const TICKETS: &str = "/v2/servicedesk/tickets";

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(lookup_routes())
        .merge(ticket_routes())
        .merge(ticket_item_routes())
        .merge(ticket_cost_routes())
        .route("/v2/servicedesk/mytickets", get(list::my_tickets))
        .route(
            "/v2/servicedesk/mytickets/search",
            post(list::my_tickets_search),
        )
        .route("/v2/servicedesk/queuetickets", get(list::queue_tickets))
        .route(
            "/v2/servicedesk/queuetickets/search",
            post(list::queue_tickets_search),
        )
        .route(
            "/v2/servicedesk/hardwareasset/{id}/tickets",
            get(list::for_hardware_asset),
        )
        .route("/v2/timelogs", get(timelogs::all))
        .route(
            "/v2/system/attachments/{id}",
            post(attachments::upload_temporary)
                .get(attachments::show)
                .put(attachments::replace)
                .delete(attachments::delete),
        )
        .route(
            "/v2/system/attachments/{id}/{object}",
            get(attachments::list).post(attachments::upload),
        )
        .route(
            "/v2/system/attachments/{id}/download",
            get(attachments::download),
        )
}

fn lookup_routes() -> Router<AppState> {
    Router::new()
        .route("/v2/system/statuses/lookup", get(lookups::statuses))
        .route("/v2/system/priorities/lookup", get(lookups::priorities))
        .route("/v2/system/queues/lookup", get(lookups::queues))
        .route("/v2/system/issuetypes/lookup", get(lookups::issue_types))
        .route(
            "/v2/system/issuetypes/{id}/issuesubtypes/lookup",
            get(lookups::issue_sub_types),
        )
        .route("/v2/system/slas/lookup", get(lookups::slas))
        .route("/v2/system/worktypes/lookup", get(lookups::work_types))
        .route("/v2/system/roles/lookup", get(lookups::roles))
        .route("/v2/hr/employees/lookup", get(employees::lookup))
        .route(
            "/v2/hr/employees/searchselect",
            get(employees::search_select),
        )
        .route("/v2/hr/assignees", get(employees::assignees))
        .route("/v2/hr/assignees/lookup", get(employees::assignee_lookup))
        .route("/v2/hr/assignees/count", get(employees::assignee_count))
        .route("/v2/hr/assignees/{id}/roles", get(lookups::assignee_roles))
        .route(
            "/v2/servicedesk/templates/tickets/lookup",
            get(lookups::ticket_templates),
        )
        .route(
            "/v2/servicedesk/templates/tickets/{id}",
            get(lookups::ticket_template),
        )
        .route(
            "/v2/servicedesk/templates/notes/lookup",
            get(lookups::note_templates),
        )
        .route(
            "/v2/servicedesk/templates/notes/{id}/{ticket}",
            get(lookups::note_template_for_ticket),
        )
        .route(
            "/v2/servicedesk/templates/timelogs/lookup",
            get(lookups::time_log_templates),
        )
        .route(
            "/v2/servicedesk/templates/timelogs/{id}/{ticket}",
            get(lookups::time_log_template_for_ticket),
        )
}

/// The collection, its views and batch operations, and one ticket.
fn ticket_routes() -> Router<AppState> {
    let path = |tail: &str| format!("{TICKETS}{tail}");
    Router::new()
        .route(
            TICKETS,
            get(list::list)
                .post(write::create)
                .patch(batch::edit)
                .delete(batch::delete),
        )
        .route(&path("/search"), post(list::search))
        .route(&path("/count"), get(list::count))
        .route(&path("/summary"), get(list::summary))
        .route(&path("/searchselect"), get(list::search_select))
        .route(&path("/merge"), post(merge::merge))
        .route(&path("/logs/{id}"), get(batch::logs))
        // ASP.NET matches routes without regard to case; both spellings seen are served.
        .route(
            &path("/relatedTickets"),
            axum::routing::delete(related::remove_tickets),
        )
        .route(
            &path("/relatedtickets"),
            axum::routing::delete(related::remove_tickets),
        )
        .route(
            &path("/relatedtasks"),
            axum::routing::delete(related::remove_tasks),
        )
        .route(
            &path("/{id}"),
            get(write::show)
                .put(write::replace)
                .patch(write::patch)
                .delete(write::delete),
        )
}

/// Notes, time logs, activities, actions, related items and the checklist of one ticket.
fn ticket_item_routes() -> Router<AppState> {
    let path = |tail: &str| format!("{TICKETS}/{{id}}{tail}");
    Router::new()
        .route(&path("/notes"), get(notes::list).post(notes::create))
        .route(
            &path("/notes/{item}"),
            get(notes::show).put(notes::update).delete(notes::delete),
        )
        .route(
            &path("/timelogs"),
            get(timelogs::list).post(timelogs::create),
        )
        .route(
            &path("/timelogs/{item}"),
            get(timelogs::show)
                .put(timelogs::update)
                .delete(timelogs::delete),
        )
        .route(&path("/activities"), get(activities::list))
        .route(&path("/auditlogs"), get(activities::audit_log))
        .route(&path("/assignticket"), post(actions::assign))
        .route(&path("/resolve"), post(actions::resolve))
        .route(
            &path("/relatedTickets"),
            get(related::list_tickets).post(related::add_tickets),
        )
        .route(
            &path("/relatedtickets"),
            get(related::list_tickets).post(related::add_tickets),
        )
        .route(&path("/relatedTickets/count"), get(related::count_tickets))
        .route(&path("/relatedtickets/count"), get(related::count_tickets))
        .route(
            &path("/relatedtasks"),
            get(related::list_tasks).post(related::add_tasks),
        )
        .route(&path("/relatedtasks/count"), get(related::count_tasks))
        .route(
            &path("/checklistitems"),
            get(checklist::list)
                .post(checklist::add)
                .delete(checklist::delete_all),
        )
        .route(
            &path("/checklistitems/{item}"),
            post(checklist::apply_itglue)
                .put(checklist::update)
                .delete(checklist::delete_one),
        )
        .route(&path("/checklist"), post(checklist::save_to_itglue))
}

/// Service calls, to-dos, expenses and charges of one ticket.
fn ticket_cost_routes() -> Router<AppState> {
    let path = |tail: &str| format!("{TICKETS}/{{id}}{tail}");
    Router::new()
        .route(
            &path("/servicecallstodos"),
            get(calls::list_combined).delete(calls::delete_combined),
        )
        .route(
            &path("/servicecalls"),
            get(calls::list_calls).post(calls::create_call),
        )
        .route(
            &path("/servicecalls/{item}"),
            get(calls::show_call)
                .put(calls::update_call)
                .delete(calls::delete_call),
        )
        .route(&path("/todos"), post(calls::create_to_do))
        .route(
            &path("/todos/{item}"),
            get(calls::show_to_do)
                .put(calls::update_to_do)
                .delete(calls::delete_to_do),
        )
        .route(&path("/expensesandcharges"), get(costs::list_combined))
        .route(&path("/expenses"), post(costs::create_expense))
        .route(
            &path("/expenses/{item}"),
            get(costs::show_expense)
                .put(costs::update_expense)
                .delete(costs::delete_expense),
        )
        .route(&path("/charges"), post(costs::create_charge))
        .route(
            &path("/charges/{item}"),
            get(costs::show_charge)
                .put(costs::update_charge)
                .delete(costs::delete_charge),
        )
}
