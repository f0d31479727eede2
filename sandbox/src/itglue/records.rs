//! The kinds of record that related items, attachments, tag traits and embedded passwords
//! point at, and a lookup of any one of them by kind and id.
//!
//! Some kinds live in tables other parts of the sandbox own, and some (tickets, domains,
//! SSL certificates) may not exist at all; a kind whose table is missing simply finds
//! nothing, so references to it are rejected as unknown records.

use rusqlite::{Connection, OptionalExtension};

use super::flexible_assets;
use super::listing::slug;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// The name used in `destination_type`, `resource_type` and stored rows.
    pub name: &'static str,
    /// The plural path segment (`/configurations/1/relationships/…`).
    pub segment: &'static str,
    table: &'static str,
    /// The path of the record's page in the IT Glue web app.
    web_path: &'static str,
}

const fn kind(
    name: &'static str,
    segment: &'static str,
    table: &'static str,
    web_path: &'static str,
) -> Kind {
    Kind {
        name,
        segment,
        table,
        web_path,
    }
}

pub const CHECKLIST: Kind = kind("Checklist", "checklists", "itglue_checklists", "checklists");
pub const CHECKLIST_TEMPLATE: Kind = kind(
    "Checklist Template",
    "checklist_templates",
    "itglue_checklist_templates",
    "checklist_templates",
);
pub const DOCUMENT: Kind = kind("Document", "documents", "itglue_documents", "docs");
pub const DOCUMENT_FOLDER_TABLE: &str = "itglue_document_folders";
pub const DOCUMENT_FOLDER: Kind = kind(
    "Document Folder",
    "folders",
    DOCUMENT_FOLDER_TABLE,
    "docs/folder",
);
pub const FLEXIBLE_ASSET: Kind = kind(
    "Flexible Asset",
    "flexible_assets",
    "itglue_flexible_assets",
    "assets",
);
pub const PASSWORD: Kind = kind("Password", "passwords", "itglue_passwords", "passwords");
pub const ORGANIZATION: Kind = kind("Organization", "organizations", "itglue_organizations", "");
pub const CONFIGURATION: Kind = kind(
    "Configuration",
    "configurations",
    "itglue_configurations",
    "configurations",
);
const CONTACT: Kind = kind("Contact", "contacts", "itglue_contacts", "contacts");
const LOCATION: Kind = kind("Location", "locations", "itglue_locations", "locations");
const DOMAIN: Kind = kind("Domain", "domains", "itglue_domains", "domains");
const SSL_CERTIFICATE: Kind = kind(
    "SSL Certificate",
    "ssl_certificates",
    "itglue_ssl_certificates",
    "ssl_certificates",
);
const TICKET: Kind = kind("Ticket", "tickets", "itglue_tickets", "tickets");
pub const USER: Kind = kind("User", "users", "itglue_users", "users");
const DATTO_DEVICE: Kind = kind(
    "Datto Device",
    "datto_devices",
    "itglue_datto_devices",
    "datto_devices",
);

/// Every kind a related item may point at (the docs' `destination_type` list).
const DESTINATIONS: &[Kind] = &[
    USER,
    CHECKLIST,
    CHECKLIST_TEMPLATE,
    CONTACT,
    CONFIGURATION,
    DATTO_DEVICE,
    DOCUMENT,
    DOCUMENT_FOLDER,
    DOMAIN,
    LOCATION,
    ORGANIZATION,
    PASSWORD,
    SSL_CERTIFICATE,
    FLEXIBLE_ASSET,
    TICKET,
];

/// The `:resource_type` segments of the attachment routes.
pub const ATTACHMENT_OWNERS: &[Kind] = &[
    CHECKLIST,
    CHECKLIST_TEMPLATE,
    CONFIGURATION,
    CONTACT,
    DOCUMENT,
    DOMAIN,
    LOCATION,
    PASSWORD,
    SSL_CERTIFICATE,
    FLEXIBLE_ASSET,
    TICKET,
];

/// The `:resource_type` segments of the related-item routes: the attachment list plus
/// document folders.
pub const RELATED_ITEM_SOURCES: &[Kind] = &[
    CHECKLIST,
    CHECKLIST_TEMPLATE,
    CONFIGURATION,
    CONTACT,
    DOCUMENT,
    DOMAIN,
    LOCATION,
    PASSWORD,
    SSL_CERTIFICATE,
    FLEXIBLE_ASSET,
    TICKET,
    DOCUMENT_FOLDER,
];

/// The kinds a password may be embedded in (`resource_type`).
const PASSWORD_PARENTS: &[Kind] = &[
    CONFIGURATION,
    CONTACT,
    DOCUMENT,
    DOMAIN,
    LOCATION,
    SSL_CERTIFICATE,
    FLEXIBLE_ASSET,
    TICKET,
];

/// The kind named by a route's first segment (after an optional `/api`).
pub fn from_path(kinds: &[Kind], path: &str) -> Option<Kind> {
    let mut segments = path.trim_start_matches('/').split('/');
    let first = segments.next()?;
    let segment = if first == "api" {
        segments.next()?
    } else {
        first
    };
    kinds.iter().copied().find(|kind| kind.segment == segment)
}

/// The kind a Tag field's `tag_type` points at.
pub fn tag_kind(tag_type: &str) -> Option<Kind> {
    let kind = match tag_type {
        "AccountsUsers" => USER,
        "Checklists" => CHECKLIST,
        "ChecklistTemplates" => CHECKLIST_TEMPLATE,
        "Contacts" => CONTACT,
        "Configurations" => CONFIGURATION,
        "Documents" => DOCUMENT,
        "Domains" => DOMAIN,
        "Passwords" => PASSWORD,
        "Locations" => LOCATION,
        "Organizations" => ORGANIZATION,
        "SslCertificates" => SSL_CERTIFICATE,
        "Tickets" => TICKET,
        other if other.starts_with("FlexibleAssetType:") => FLEXIBLE_ASSET,
        _ => return None,
    };
    Some(kind)
}

pub fn destination(name: &str) -> Option<Kind> {
    by_name(DESTINATIONS, name)
}

pub fn password_parent(name: &str) -> Option<Kind> {
    by_name(PASSWORD_PARENTS, name)
}

/// By name, ignoring case, spaces and underscores (`ssl_certificate`, `FlexibleAsset`).
fn by_name(kinds: &[Kind], name: &str) -> Option<Kind> {
    let wanted = squash(name);
    kinds
        .iter()
        .copied()
        .find(|kind| squash(kind.name) == wanted)
}

fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A record found by kind and id.
#[derive(Debug, Clone)]
pub struct RecordRef {
    pub id: i64,
    pub name: Option<String>,
    pub organization_id: Option<i64>,
    /// For flexible assets, whose web path carries the type.
    asset_type: Option<(i64, String)>,
}

impl RecordRef {
    /// The record's page in the IT Glue web app.
    pub fn url(&self, state: &AppState, kind: Kind) -> String {
        let web = &state.urls.itglue_web;
        match (kind, self.organization_id, &self.asset_type) {
            (ORGANIZATION, _, _) => format!("{web}/{}", self.id),
            (_, Some(org), Some((type_id, type_name))) => {
                format!(
                    "{web}/{org}/assets/{type_id}-{}/records/{}",
                    slug(type_name),
                    self.id
                )
            }
            (_, Some(org), None) => format!("{web}/{org}/{}/{}", kind.web_path, self.id),
            (_, None, _) => format!("{web}/{}/{}", kind.web_path, self.id),
        }
    }
}

/// Finds a record; `None` when it does not exist or its kind has no table here.
pub fn lookup(connection: &Connection, kind: Kind, id: i64) -> rusqlite::Result<Option<RecordRef>> {
    let columns = columns(connection, kind.table)?;
    if columns.is_empty() {
        return Ok(None);
    }
    let has = |name: &str| columns.iter().any(|column| column == name);
    let name_sql = if kind == FLEXIBLE_ASSET {
        "NULL"
    } else if has("name") {
        "name"
    } else if has("first_name") && has("last_name") {
        "TRIM(COALESCE(first_name, '') || ' ' || COALESCE(last_name, ''))"
    } else {
        "NULL"
    };
    let org_sql = if kind == ORGANIZATION {
        "id"
    } else if has("organization_id") {
        "organization_id"
    } else {
        "NULL"
    };
    let sql = format!(
        "SELECT {name_sql}, {org_sql} FROM {} WHERE id = ?",
        kind.table
    );
    let found = connection
        .query_row(&sql, [id], |row| {
            Ok(RecordRef {
                id,
                name: row.get(0)?,
                organization_id: row.get(1)?,
                asset_type: None,
            })
        })
        .optional()?;
    match found {
        Some(record) if kind == FLEXIBLE_ASSET => flexible_asset_ref(connection, record).map(Some),
        other => Ok(other),
    }
}

fn flexible_asset_ref(
    connection: &Connection,
    mut record: RecordRef,
) -> rusqlite::Result<RecordRef> {
    let (type_id, type_name): (i64, String) = connection.query_row(
        "SELECT t.id, t.name FROM itglue_flexible_assets a
         JOIN itglue_flexible_asset_types t ON t.id = a.flexible_asset_type_id WHERE a.id = ?",
        [record.id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    record.name = flexible_assets::title(connection, record.id)?;
    record.asset_type = Some((type_id, type_name));
    Ok(record)
}

/// The column names of a table; empty when there is no such table.
fn columns(connection: &Connection, table: &str) -> rusqlite::Result<Vec<String>> {
    let mut statement = connection.prepare("SELECT name FROM pragma_table_info(?)")?;
    let names = statement.query_map([table], |row| row.get(0))?;
    names.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_loosely() {
        assert_eq!(destination("SSL Certificate"), Some(SSL_CERTIFICATE));
        assert_eq!(destination("flexible_asset"), Some(FLEXIBLE_ASSET));
        assert_eq!(destination("Datto Device"), Some(DATTO_DEVICE));
        assert_eq!(password_parent("Configuration"), Some(CONFIGURATION));
        assert_eq!(password_parent("Organization"), None);
        assert_eq!(destination("Spaceship"), None);
        assert_eq!(
            from_path(
                ATTACHMENT_OWNERS,
                "/api/passwords/4/relationships/attachments"
            ),
            Some(PASSWORD)
        );
        assert_eq!(
            from_path(
                RELATED_ITEM_SOURCES,
                "/folders/4/relationships/related_items"
            ),
            Some(DOCUMENT_FOLDER)
        );
        assert_eq!(tag_kind("FlexibleAssetType: 9"), Some(FLEXIBLE_ASSET));
    }

    #[test]
    fn a_missing_table_finds_nothing() -> rusqlite::Result<()> {
        let connection = Connection::open_in_memory()?;
        assert!(lookup(&connection, TICKET, 1)?.is_none());
        connection.execute_batch(
            "CREATE TABLE itglue_contacts (id INTEGER PRIMARY KEY, organization_id INTEGER,
               first_name TEXT, last_name TEXT);
             INSERT INTO itglue_contacts VALUES (4, 2001, 'Ada', 'Lovelace');",
        )?;
        let contact = lookup(&connection, CONTACT, 4)?;
        assert_eq!(
            contact.as_ref().and_then(|c| c.name.as_deref()),
            Some("Ada Lovelace")
        );
        assert_eq!(contact.and_then(|c| c.organization_id), Some(2001));
        Ok(())
    }
}
