//! The legacy ASP.NET WebForms ticket pages: `/MSP/TicketEdit.aspx?ID=`, and the lists
//! `/MSP/TicketsListing.aspx` and `/MSP/MyTickets.aspx` with Telerik RadGrid markup. They
//! are rendered on the server, as WebForms pages are, with the element ids and classes the
//! reference lists.

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use super::data::tickets::{self, TicketPage, TicketRow};
use super::layout::{SESSION_SCRIPTS, user_info_meta};
use super::session::{self, Session};
use super::shell::{server_error, signed_out};
use super::{Web, query_value};
use crate::html::escape;

/// A stand-in for the form state WebForms round-trips; nothing reads it.
const VIEWSTATE: &str =
    "/wEPDwUKMTY1NDU2MTA1Mg9kFgJmD2QWAgIDD2QWBAIBD2QWAgIBDxYCHgRUZXh0BQ9TYW5kYm94IFZpZXdTdGF0ZWRk";

pub fn routes() -> Router<Web> {
    Router::new()
        .route("/MSP/TicketEdit.aspx", get(ticket_edit))
        .route(
            "/MSP/TicketsListing.aspx",
            get(|state| listing(state, false)),
        )
        .route("/MSP/MyTickets.aspx", get(|state| listing(state, true)))
}

async fn ticket_edit(State(web): State<Web>, RawQuery(query): RawQuery) -> Response {
    let id = query_value(query.as_deref(), "ID").and_then(|id| id.trim().parse::<i64>().ok());
    let session = match session::open(&web.app) {
        Ok(Some(session)) => session,
        Ok(None) => return signed_out(),
        Err(error) => return server_error(&error),
    };
    let ticket = match id {
        Some(id) => web
            .app
            .store
            .read(|connection| tickets::page(connection, session.user.tenant_id, id)),
        None => Ok(None),
    };
    let (status, html) = match ticket {
        Ok(Some(ticket)) => (
            StatusCode::OK,
            document(
                &session,
                &format!(
                    "{} - Ticket# {}",
                    ticket.row.account.name, ticket.row.number
                ),
                &format!("./TicketEdit.aspx?ID={}", ticket.row.id),
                &ticket_body(&ticket, &web.pages.account.for_id(ticket.row.account.id)),
            ),
        ),
        Ok(None) => (
            StatusCode::NOT_FOUND,
            document(
                &session,
                "Ticket not found",
                "./TicketEdit.aspx",
                r#"<div class="ErrorMessage">The ticket does not exist or you do not have access to it.</div>"#,
            ),
        ),
        Err(error) => return server_error(&error),
    };
    with_cookie(&session, status, html)
}

async fn listing(State(web): State<Web>, mine: bool) -> Response {
    let session = match session::open(&web.app) {
        Ok(Some(session)) => session,
        Ok(None) => return signed_out(),
        Err(error) => return server_error(&error),
    };
    let assignee = mine.then_some(session.user.user_id);
    let rows = web
        .app
        .store
        .read(|connection| tickets::list(connection, session.user.tenant_id, assignee));
    let (file, title) = if mine {
        ("MyTickets.aspx", "My Tickets")
    } else {
        ("TicketsListing.aspx", "Tickets")
    };
    match rows {
        Ok(listing) => {
            let body = grid(title, &listing.rows, listing.total);
            let html = document(
                &session,
                &format!("Demo MSP - {title}"),
                &format!("./{file}"),
                &body,
            );
            with_cookie(&session, StatusCode::OK, html)
        }
        Err(error) => server_error(&error),
    }
}

fn with_cookie(session: &Session, status: StatusCode, html: String) -> Response {
    let mut response = (status, Html(html)).into_response();
    session.set_cookie(&mut response);
    response
}

/// The WebForms page around `body`: `title` and `action` are escaped here.
fn document(session: &Session, title: &str, action: &str, body: &str) -> String {
    format!(
        r#"<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta charset="utf-8" />
<title>{title}</title>
{user_meta}
<link href="/static/legacy.css" rel="stylesheet" type="text/css" />
{SESSION_SCRIPTS}
<script src="/static/legacy.js" defer></script>
</head>
<body class="MSP">
<form method="post" action="{action}" id="aspnetForm">
<div class="aspNetHidden">
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="{VIEWSTATE}" />
<input type="hidden" name="__EVENTVALIDATION" id="__EVENTVALIDATION" value="/wEdAAKSandbox" />
</div>
<div id="ctl00_divHeader" class="Header">
  <span class="Logo">Kaseya BMS</span>
  <ul class="TopMenu"><li><a href="/MSP/MyTickets.aspx">Home</a></li><li><a href="/react/crm/accounts">CRM</a></li><li><a href="/MSP/TicketsListing.aspx">Service Desk</a></li></ul>
  <span id="ctl00_lblUserName" class="UserName">{user}</span>
</div>
<div id="ctl00_divContent" class="Content">
{body}
</div>
</form>
</body>
</html>
"#,
        title = escape(title),
        user_meta = user_info_meta(&session.user),
        action = escape(action),
        user = escape(&session.user.full_name),
    )
}

fn text_or_nbsp(value: Option<&str>) -> String {
    value
        .filter(|v| !v.is_empty())
        .map_or_else(|| "&nbsp;".to_owned(), escape)
}

/// `account_url` is the React page of the ticket's account.
fn ticket_body(ticket: &TicketPage, account_url: &str) -> String {
    let row = &ticket.row;
    let property = |label: &str, id: &str, value: String| {
        format!(
            r#"<tr><td class="Label">{label}:</td><td><span id="ctl00_phContent_lblV{id}">{value}</span></td></tr>"#
        )
    };
    let properties = [
        format!(
            r#"<tr><td class="Label">Account:</td><td><span class="itg-org" id="ctl00_phContent_lblVAccount"><a href="{}">{}</a></span></td></tr>"#,
            escape(account_url),
            escape(&row.account.name)
        ),
        property("Primary Assignee", "PrimaryAssignee", text_or_nbsp(row.assignee.as_deref())),
        property("Status", "Status", escape(&row.status)),
        property("Priority", "Priority", escape(&row.priority)),
        property("Contact", "Contact", text_or_nbsp(ticket.contact.as_ref().map(|c| c.name.as_str()))),
        property("Location", "Location", text_or_nbsp(ticket.location.as_deref())),
        property("Queue", "Queue", text_or_nbsp(ticket.queue.as_deref())),
        property("Type", "Type", text_or_nbsp(ticket.kind.as_deref())),
        property("Open Date", "OpenDate", escape(&row.open_date)),
        property("Due Date", "DueDate", text_or_nbsp(ticket.due_date.as_deref())),
    ]
    .concat();
    let attachments: String = ticket
        .attachments
        .iter()
        .enumerate()
        .map(|(index, attachment)| {
            format!(
                r#"<tr class="{class}" id="ctl00_phContent_CustomAttach_rdAttachment_ctl00__{index}"><td><a href="{url}">{name}</a></td></tr>"#,
                class = row_class(index),
                url = escape(&attachment.url),
                name = escape(&attachment.name),
            )
        })
        .collect();
    let notes: String = ticket
        .notes
        .iter()
        .enumerate()
        .map(|(index, note)| {
            format!(
                r#"<tr class="{class}"><td>{date}</td><td>{author}</td><td>{kind}</td><td class="NoteText">{details}</td></tr>"#,
                class = row_class(index),
                date = escape(&note.date),
                author = text_or_nbsp(note.author.as_deref()),
                kind = if note.internal { "Internal" } else { "Public" },
                details = escape(&note.details),
            )
        })
        .collect();
    format!(
        r#"<div id="ctl00_phMenu_pnlGroupActionButtons" class="GroupActionButtons">
  <input type="submit" name="ctl00$phMenu$btnSave" value="Save" id="ctl00_phMenu_btnSave" class="Button" />
  <input type="submit" name="ctl00$phMenu$btnSaveClose" value="Save &amp; Close" id="ctl00_phMenu_btnSaveClose" class="Button" />
  <input type="button" value="Add Note" id="ctl00_phMenu_btnAddNote" class="Button" />
  <input type="button" value="Assign to Me" id="ctl00_phMenu_btnAssignToMe" class="Button" />
</div>
<div class="TicketTitle"><em><span id="ctl00_phContent_lblTicketTitle">Ticket# {number} - {title}</span></em></div>
<div id="ctl00_phContent_pnlTicketProperties" class="TicketProperties">
<table class="FormTable">{properties}</table>
</div>
<fieldset class="Details"><legend>Details</legend><div id="ctl00_phContent_lblVDetails" class="DetailsText">{details}</div></fieldset>
<fieldset class="Attachments"><legend>Attachments</legend>
<div id="ctl00_phContent_CustomAttach_rdAttachment" class="RadGrid RadGrid_Default">
<div id="ctl00_phContent_CustomAttach_rdAttachment_GridData" class="rgDataDiv">
<table class="rgMasterTable" id="ctl00_phContent_CustomAttach_rdAttachment_ctl00"><tbody>{attachments}</tbody></table>
</div></div></fieldset>
<fieldset class="Notes"><legend>Notes</legend>
<div id="ctl00_phContent_rgNotes" class="RadGrid RadGrid_Default">
<table class="rgMasterTable"><thead><tr><th class="rgHeader" UniqueName="NoteDate">Date</th><th class="rgHeader" UniqueName="CreatedBy">Created By</th><th class="rgHeader" UniqueName="NoteType">Type</th><th class="rgHeader" UniqueName="Details">Note</th></tr></thead><tbody>{notes}</tbody></table>
</div></fieldset>"#,
        number = escape(&row.number),
        title = escape(&row.title),
        details = escape(&ticket.details),
    )
}

fn row_class(index: usize) -> &'static str {
    if index % 2 == 0 { "rgRow" } else { "rgAltRow" }
}

/// A RadGrid of tickets with its detached context menu.
fn grid(title: &str, rows: &[TicketRow], total: i64) -> String {
    const GRID: &str = "ctl00_phListing_ctrlListing_RadGrid1";
    let columns = [
        ("TicketNumber", "Ticket #"),
        ("Title", "Title"),
        ("AccountName", "Account"),
        ("Status", "Status"),
        ("Priority", "Priority"),
        ("AssigneeName", "Primary Assignee"),
        ("OpenDate", "Open Date"),
    ];
    let header: String = columns
        .iter()
        .map(|(unique, label)| {
            format!(r##"<th scope="col" class="rgHeader" UniqueName="{unique}"><a href="#">{label}</a></th>"##)
        })
        .collect();
    let body: String = rows
        .iter()
        .enumerate()
        .map(|(index, row)| {
            format!(
                r#"<tr class="{class}" id="{GRID}_ctl00__{index}" data-ticket-id="{id}"><td><a href="TicketEdit.aspx?ID={id}">{number}</a></td><td>{title}</td><td>{account}</td><td>{status}</td><td>{priority}</td><td>{assignee}</td><td>{open}</td></tr>"#,
                class = row_class(index),
                id = row.id,
                number = escape(&row.number),
                title = escape(&row.title),
                account = escape(&row.account.name),
                status = escape(&row.status),
                priority = escape(&row.priority),
                assignee = text_or_nbsp(row.assignee.as_deref()),
                open = escape(&row.open_date),
            )
        })
        .collect();
    format!(
        r##"<h1 class="PageTitle">{title}</h1>
<div id="{GRID}" class="RadGrid RadGrid_Default">
<table class="rgMasterTable" id="{GRID}_ctl00">
<thead><tr>{header}</tr></thead>
<tbody>{body}</tbody>
<tfoot><tr class="rgPager"><td colspan="7">{total} items</td></tr></tfoot>
</table>
</div>
<div id="ctl00_phListing_ctrlListing_RadMenuWindow_detached" class="RadMenu RadMenu_Context" hidden>
<ul class="rmRootGroup rmVertical">
<li class="rmItem rmFirst"><a class="rmLink" href="#" data-action="open"><span class="rmText">Open Ticket</span></a></li>
<li class="rmItem"><a class="rmLink" href="#" data-action="assign"><span class="rmText">Assign to Me</span></a></li>
<li class="rmItem rmLast"><a class="rmLink" href="#" data-action="status"><span class="rmText">Change Status</span></a></li>
</ul>
</div>"##
    )
}
