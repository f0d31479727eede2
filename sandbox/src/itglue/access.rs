//! Who is calling the IT Glue API and what they may see.
//!
//! An API key acts with account-wide rights; only its "Password Access" flag limits it. A
//! user JWT (from the web listener's `/login?generate_jwt=1` and `/jwt/token`) acts as that
//! IT Glue user: organizations by the user's access (all, direct, or through groups),
//! restricted records only when granted, password values only with password access, and
//! vaulted ones only after the vault passphrase was sent in `x-vault-passphrase`.

use std::collections::HashSet;
use std::sync::Arc;

use axum::http::{HeaderMap, header};
use rusqlite::{Connection, OptionalExtension, params};

use super::jsonapi::ApiError;
use crate::clock::Timestamp;
use crate::config::AuthFailureStyle;
use crate::state::AppState;
use crate::store::sql::Conditions;

/// The header that unlocks vaulted password values for a user JWT (sandbox-specific: the
/// real vault unlock is client-side and undocumented).
pub const VAULT_PASSPHRASE_HEADER: &str = "x-vault-passphrase";

#[derive(Debug, Clone)]
pub enum Principal {
    ApiKey { password_access: bool },
    User(Arc<UserAccess>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Administrator,
    Manager,
    Editor,
    Creator,
    Lite,
}

impl Role {
    fn from_name(name: &str) -> Option<Self> {
        match name {
            "Administrator" => Some(Self::Administrator),
            "Manager" => Some(Self::Manager),
            "Editor" => Some(Self::Editor),
            "Creator" => Some(Self::Creator),
            "Lite" => Some(Self::Lite),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub struct UserAccess {
    pub user_id: i64,
    pub role: Role,
    password_access: bool,
    /// `None`: every organization.
    organizations: Option<HashSet<i64>>,
    vault_unlocked: bool,
}

/// How a resource's rows are limited: by organization and, when it has one, by its
/// `restricted` flag. Column names are as written in the route's SQL.
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    /// The name grants are stored under (`Password`, `Document`, …).
    pub resource_type: &'static str,
    pub id_column: &'static str,
    pub org_column: &'static str,
    pub restricted_column: Option<&'static str>,
}

impl Principal {
    /// The organizations this caller may see; `None` means all of them.
    pub fn visible_org_ids(&self) -> Option<&HashSet<i64>> {
        match self {
            Self::ApiKey { .. } => None,
            Self::User(user) => user.organizations.as_ref(),
        }
    }

    pub fn can_see_org(&self, organization_id: i64) -> bool {
        self.visible_org_ids()
            .is_none_or(|ids| ids.contains(&organization_id))
    }

    pub fn user_id(&self) -> Option<i64> {
        match self {
            Self::ApiKey { .. } => None,
            Self::User(user) => Some(user.user_id),
        }
    }

    /// Limits a query to the organizations this caller may see (`column` holds the
    /// organization id).
    pub fn restrict_organizations(&self, conditions: &mut Conditions, column: &str) {
        if let Some(ids) = self.visible_org_ids() {
            let mut ids: Vec<i64> = ids.iter().copied().collect();
            ids.sort_unstable();
            conditions.any_of(column, &ids);
        }
    }

    /// Limits a query to the rows this caller may see.
    pub fn scope(&self, conditions: &mut Conditions, scope: Scope) {
        self.restrict_organizations(conditions, scope.org_column);
        let Self::User(user) = self else {
            return;
        };
        if let Some(restricted) = scope
            .restricted_column
            .filter(|_| user.role != Role::Administrator)
        {
            let clause = format!(
                "{restricted} = 0 OR {} IN (
                    SELECT resource_id FROM itglue_resource_accesses
                    WHERE resource_type = ?
                      AND ((accessor_type = 'User' AND accessor_id = ?)
                        OR (accessor_type = 'Group' AND accessor_id IN
                              (SELECT group_id FROM itglue_group_users WHERE user_id = ?))))",
                scope.id_column
            );
            let params: [rusqlite::types::Value; 3] = [
                scope.resource_type.to_owned().into(),
                user.user_id.into(),
                user.user_id.into(),
            ];
            conditions.push(&clause, &params);
        }
    }

    /// Whether a password's value may be shown: the key's or user's password access, and
    /// for a vaulted password a user who unlocked the vault. API keys never read vaults.
    pub fn may_read_password(&self, vaulted: bool) -> bool {
        match self {
            Self::ApiKey { password_access } => *password_access && !vaulted,
            Self::User(user) => user.password_access && (!vaulted || user.vault_unlocked),
        }
    }

    /// Creating and editing: every role but Lite, which is read-only.
    pub fn require_write(&self) -> Result<(), ApiError> {
        self.require(|role| role != Role::Lite)
    }

    /// Deleting: Editors and above.
    pub fn require_delete(&self) -> Result<(), ApiError> {
        self.require(|role| matches!(role, Role::Administrator | Role::Manager | Role::Editor))
    }

    /// Account settings (users, groups, asset types): Administrators and Managers.
    pub fn require_manage(&self) -> Result<(), ApiError> {
        self.require(|role| matches!(role, Role::Administrator | Role::Manager))
    }

    fn require(&self, allowed: impl Fn(Role) -> bool) -> Result<(), ApiError> {
        match self {
            Self::User(user) if !allowed(user.role) => Err(ApiError::Forbidden(
                "You are not authorized to perform this action.".to_owned(),
            )),
            _ => Ok(()),
        }
    }
}

/// Reads the caller from `x-api-key`, or else from `Authorization: Bearer <JWT>`.
pub fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Principal, ApiError> {
    let header_text = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    if let Some(key) = header_text("x-api-key") {
        return api_key_principal(state, key);
    }
    let Some(token) = header_text(header::AUTHORIZATION.as_str()).and_then(bearer_token) else {
        return Err(ApiError::Unauthenticated(
            state.settings.itglue_auth_failure,
        ));
    };
    let passphrase = header_text(VAULT_PASSPHRASE_HEADER);
    let user = state
        .store
        .read(|connection| user_for_token(connection, token, passphrase))?;
    // A stale or unknown JWT gets the field's 401 body whatever the key switch says, so a
    // client can tell "refresh the token" from "bad key".
    user.map(|user| Principal::User(Arc::new(user)))
        .ok_or(ApiError::Unauthenticated(AuthFailureStyle::Unauthorized401))
}

/// An API key's caller. A key of another region is refused with the Forbidden body whatever
/// the auth switch says: the field reports exactly that for an EU key on the US host.
fn api_key_principal(state: &AppState, key: &str) -> Result<Principal, ApiError> {
    let row: Option<(bool, String)> = state.store.read(|connection| {
        connection
            .query_row(
                "SELECT password_access, region FROM itglue_api_keys WHERE key = ?",
                [key],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
    })?;
    let Some((password_access, region)) = row else {
        return Err(ApiError::Unauthenticated(
            state.settings.itglue_auth_failure,
        ));
    };
    if region != state.settings.itglue_region.code() {
        return Err(ApiError::Unauthenticated(AuthFailureStyle::Forbidden403));
    }
    Ok(Principal::ApiKey { password_access })
}

fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|token| !token.is_empty())
}

fn user_for_token(
    connection: &Connection,
    token: &str,
    passphrase: Option<&str>,
) -> rusqlite::Result<Option<UserAccess>> {
    let now = Timestamp::now().unix_seconds();
    let row = connection
        .query_row(
            "SELECT u.id, u.role_name, u.all_organizations, u.password_access, u.vault_passphrase
             FROM itglue_jwt_tokens t JOIN itglue_users u ON u.id = t.user_id
             WHERE t.token = ?1 AND t.kind = 'access' AND t.expires_at > ?2",
            params![token, now],
            |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, bool>(2)?,
                    row.get::<_, bool>(3)?,
                    row.get::<_, Option<String>>(4)?,
                ))
            },
        )
        .optional()?;
    let Some((user_id, role_name, all_organizations, password_access, vault)) = row else {
        return Ok(None);
    };
    let Some(role) = Role::from_name(&role_name) else {
        return Ok(None);
    };
    let organizations = if role == Role::Administrator || all_organizations {
        None
    } else {
        Some(granted_organizations(connection, user_id)?)
    };
    let vault_unlocked = vault.is_some_and(|vault| passphrase == Some(vault.as_str()));
    Ok(Some(UserAccess {
        user_id,
        role,
        password_access,
        organizations,
        vault_unlocked,
    }))
}

/// Direct grants plus those of the user's groups.
fn granted_organizations(connection: &Connection, user_id: i64) -> rusqlite::Result<HashSet<i64>> {
    let mut statement = connection.prepare(
        "SELECT organization_id FROM itglue_user_organizations WHERE user_id = ?1
         UNION
         SELECT go.organization_id FROM itglue_group_organizations go
           JOIN itglue_group_users gu ON gu.group_id = go.group_id
         WHERE gu.user_id = ?1",
    )?;
    let ids = statement.query_map([user_id], |row| row.get(0))?;
    ids.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, organizations: Option<&[i64]>) -> Principal {
        Principal::User(Arc::new(UserAccess {
            user_id: 5,
            role,
            password_access: true,
            organizations: organizations.map(|ids| ids.iter().copied().collect()),
            vault_unlocked: false,
        }))
    }

    const SCOPE: Scope = Scope {
        resource_type: "Password",
        id_column: "p.id",
        org_column: "p.organization_id",
        restricted_column: Some("p.restricted"),
    };

    #[test]
    fn api_keys_are_unscoped() {
        let key = Principal::ApiKey {
            password_access: true,
        };
        let mut conditions = Conditions::new();
        key.scope(&mut conditions, SCOPE);
        assert_eq!(conditions.where_sql(), "");
        assert!(key.may_read_password(false));
        assert!(!key.may_read_password(true));
        assert!(key.require_delete().is_ok());
    }

    #[test]
    fn users_are_limited_by_organization_and_restriction() {
        let editor = user(Role::Editor, Some(&[2001]));
        let mut conditions = Conditions::new();
        editor.scope(&mut conditions, SCOPE);
        let sql = conditions.where_sql();
        assert!(sql.contains("p.organization_id IN (?)"));
        assert!(sql.contains("p.restricted = 0 OR p.id IN"));
        assert!(editor.can_see_org(2001) && !editor.can_see_org(2003));
        assert!(!editor.may_read_password(true));
        let admin = user(Role::Administrator, None);
        let mut conditions = Conditions::new();
        admin.scope(&mut conditions, SCOPE);
        assert_eq!(conditions.where_sql(), "");
    }

    #[test]
    fn roles_gate_writes() {
        assert!(user(Role::Lite, None).require_write().is_err());
        assert!(user(Role::Creator, None).require_write().is_ok());
        assert!(user(Role::Creator, None).require_delete().is_err());
        assert!(user(Role::Editor, None).require_manage().is_err());
        assert!(user(Role::Manager, None).require_manage().is_ok());
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
    }
}
