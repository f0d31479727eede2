//! Sync settings: which BMS records are synced (the spec's Sync Settings tab) and how the two sides are reconciled
//! (its Two-Way Sync Settings tab), plus the conflict policy, which the spec leaves to "the PSA always wins".

use serde::{Deserialize, Serialize};

use super::normalize::{Timestamp, same_folded};
use super::records::{Configuration, EntityKind, Organization, Record};

/// Who wins when both sides changed the same field since the last sync.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConflictPolicy {
    /// The PSA always wins, as in the real integration.
    #[default]
    BmsWins,
    ItGlueWins,
    /// The side modified last wins (BMS modified-on against IT Glue updated-at); BMS on a tie or a missing time.
    NewestWins,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictPolicies {
    pub organization: ConflictPolicy,
    pub location: ConflictPolicy,
    pub contact: ConflictPolicy,
    pub configuration: ConflictPolicy,
}

impl ConflictPolicies {
    pub fn get(&self, kind: EntityKind) -> ConflictPolicy {
        match kind {
            EntityKind::Organization => self.organization,
            EntityKind::Location => self.location,
            EntityKind::Contact => self.contact,
            EntityKind::Configuration => self.configuration,
        }
    }
}

/// Two-way sync, and since when: IT Glue records last saved before that moment are not pushed (the spec's
/// precaution), so the time is part of the "on" state rather than a separate field that could be missing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum TwoWay {
    /// BMS data is pushed to IT Glue but not the other way.
    #[default]
    Off,
    On {
        since: Timestamp,
    },
}

/// The BMS email and phone types given to contacts that Active Directory creates in IT Glue. Absent = "None" in
/// the spec: such contacts are not pushed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryContactTypes {
    pub email_type: String,
    pub phone_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncSettings {
    /// BMS account type names to sync. Empty syncs no account: the technician picks, as in the spec's checkboxes,
    /// which keeps Prospects and Leads out unless chosen.
    pub account_types: Vec<String>,
    /// "Active" and/or "Inactive".
    pub account_statuses: Vec<String>,
    /// BMS asset category names to sync.
    pub asset_types: Vec<String>,
    /// "Active" and/or "Inactive".
    pub asset_statuses: Vec<String>,
    pub contacts: bool,
    pub tickets: bool,
    pub two_way: TwoWay,
    /// Push contacts that the Microsoft integration created in IT Glue without waiting for an edit.
    pub microsoft_contacts_auto_push: bool,
    pub directory_contact_types: Option<DirectoryContactTypes>,
    pub conflict_policy: ConflictPolicies,
}

impl Default for SyncSettings {
    fn default() -> Self {
        Self {
            account_types: Vec::new(),
            account_statuses: vec!["Active".into()],
            asset_types: Vec::new(),
            asset_statuses: vec!["Active".into()],
            contacts: false,
            tickets: false,
            two_way: TwoWay::Off,
            microsoft_contacts_auto_push: false,
            directory_contact_types: None,
            conflict_policy: ConflictPolicies::default(),
        }
    }
}

fn listed(choices: &[String], value: Option<&str>) -> bool {
    value.is_some_and(|v| choices.iter().any(|c| same_folded(Some(c), Some(v))))
}

impl SyncSettings {
    pub fn two_way_enabled(&self) -> bool {
        matches!(self.two_way, TwoWay::On { .. })
    }

    pub fn policy(&self, kind: EntityKind) -> ConflictPolicy {
        self.conflict_policy.get(kind)
    }

    /// An account syncs when both its type and its status are selected.
    pub fn account_in_scope(&self, account: &Organization) -> bool {
        listed(&self.account_types, account.type_name.as_deref()) && listed(&self.account_statuses, account.status.as_deref())
    }

    /// An asset syncs when both its category and its status are selected.
    pub fn asset_in_scope(&self, asset: &Configuration) -> bool {
        listed(&self.asset_types, asset.configuration_type.as_deref()) && listed(&self.asset_statuses, asset.status.as_deref())
    }

    /// Whether a record belongs to the sync. `owner_synced` says whether the record's account is itself synced;
    /// children of an account that is not synced are not synced either.
    pub fn in_scope(&self, record: &Record, owner_synced: bool) -> bool {
        match record {
            Record::Organization(r) => self.account_in_scope(r),
            Record::Location(_) => owner_synced,
            Record::Contact(_) => self.contacts && owner_synced,
            Record::Configuration(r) => owner_synced && self.asset_in_scope(r),
        }
    }

    /// Whether records of `kind` take part in the sync at all.
    pub fn kind_enabled(&self, kind: EntityKind) -> bool {
        kind != EntityKind::Contact || self.contacts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::records::Contact;

    fn settings() -> SyncSettings {
        SyncSettings {
            account_types: vec!["Customer".into()],
            asset_types: vec!["Workstation".into(), "Server".into()],
            ..SyncSettings::default()
        }
    }

    #[test]
    fn accounts_need_type_and_status() {
        let s = settings();
        let mut acme = Organization {
            name: "Acme".into(),
            type_name: Some("customer".into()),
            status: Some("Active".into()),
            ..Organization::default()
        };
        assert!(s.account_in_scope(&acme));
        acme.status = Some("Inactive".into());
        assert!(!s.account_in_scope(&acme));
        acme.status = Some("Active".into());
        acme.type_name = Some("Prospect".into());
        assert!(!s.account_in_scope(&acme));
        acme.type_name = None;
        assert!(!s.account_in_scope(&acme));
    }

    #[test]
    fn assets_need_category_status_and_a_synced_account() {
        let s = settings();
        let pc = Record::Configuration(Box::new(Configuration {
            name: "PC-1".into(),
            configuration_type: Some("Workstation".into()),
            status: Some("Active".into()),
            ..Configuration::default()
        }));
        assert!(s.in_scope(&pc, true));
        assert!(!s.in_scope(&pc, false));
    }

    #[test]
    fn contacts_follow_the_contacts_switch() {
        let mut s = settings();
        let c = Record::Contact(Contact::default());
        assert!(!s.in_scope(&c, true));
        assert!(!s.kind_enabled(EntityKind::Contact));
        s.contacts = true;
        assert!(s.in_scope(&c, true));
        assert!(!s.in_scope(&c, false));
    }

    #[test]
    fn defaults_are_the_psa_wins_one_way_sync() {
        let s = SyncSettings::default();
        assert!(!s.two_way_enabled());
        assert_eq!(s.policy(EntityKind::Configuration), ConflictPolicy::BmsWins);
        let json =
            serde_json::to_string(&SyncSettings { two_way: TwoWay::On { since: Timestamp::from_unix_millis(5) }, ..s }).unwrap();
        assert!(json.contains(r#""two_way":{"state":"on","since":5}"#), "{json}");
    }
}
