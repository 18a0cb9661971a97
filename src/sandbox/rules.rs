//! The sandbox's rules for changes: what a valid change is, and the audit
//! trail's wording of it. Errors name the field or rule, never the value
//! (values may be PHI); summaries mask every email address and never hold
//! a date of birth.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::mail;
use super::problem::ApiError;
use crate::phi::{Phi, mask_email};
use crate::portal::model::AccountPatch;

/// A checked account change (`PATCH /api/v1/accounts/{id}`), addresses trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountChange {
    pub reason: String,
    pub dob: Option<NaiveDate>,
    pub email: Option<String>,
    pub add: Option<String>,
    pub make_default: Option<String>,
    pub remove: Option<String>,
}

/// Checks a PATCH: a reason of 1 to 500 characters, something to change, a
/// DOB from 1900-01-01 to today, and addresses that are addresses.
pub fn account_change(patch: &AccountPatch, now: DateTime<Utc>) -> Result<AccountChange, ApiError> {
    let reason = patch.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(ApiError::unprocessable("reason is required (1 to 500 characters)"));
    }
    let address = |e: &Option<Phi<String>>| e.as_ref().map(|e| e.expose().trim().to_owned());
    let change = AccountChange {
        reason: reason.to_owned(),
        dob: patch.dob.as_ref().map(|d| *d.expose()),
        email: address(&patch.email),
        add: address(&patch.add_email),
        make_default: address(&patch.default_email),
        remove: address(&patch.remove_email),
    };
    if change.dob.is_none() && !change.changes_addresses() {
        return Err(ApiError::unprocessable(
            "nothing to change: send dob, email, add_email, default_email or remove_email",
        ));
    }
    if let Some(dob) = change.dob {
        let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default();
        if dob < earliest || dob > now.date_naive() {
            return Err(ApiError::unprocessable(format!(
                "dob must be a real date from 1900-01-01 to today ({})",
                now.year()
            )));
        }
    }
    for (name, value) in [("email", &change.email), ("add_email", &change.add)] {
        if value.as_deref().is_some_and(|e| !mail::is_address(e)) {
            return Err(ApiError::unprocessable(format!("{name} is not an address")));
        }
    }
    Ok(change)
}

impl AccountChange {
    /// Whether any address changes.
    pub fn changes_addresses(&self) -> bool {
        self.email.is_some() || self.add.is_some() || self.make_default.is_some() || self.remove.is_some()
    }

    /// The audit trail's words for this change: what changed (addresses
    /// masked, the DOB never shown), then the reason.
    pub fn audit_summary(&self) -> String {
        let mut changes = Vec::new();
        if self.dob.is_some() {
            changes.push("date of birth changed".to_owned());
        }
        if let Some(email) = self.email.as_deref() {
            changes.push(format!("email changed to {}", mask_email(email)));
        }
        if let Some(add) = self.add.as_deref() {
            changes.push(format!("address {} added", mask_email(add)));
        }
        if let Some(make_default) = self.make_default.as_deref() {
            changes.push(format!("default address now {}", mask_email(make_default)));
        }
        if let Some(remove) = self.remove.as_deref() {
            changes.push(format!("address {} removed", mask_email(remove)));
        }
        format!("{}; reason: {}", changes.join(", "), self.reason)
    }
}

/// The most addresses an account may have.
pub const MAX_EMAILS: usize = 10;

/// Applies the address changes of a PATCH in the contract's order (`email`,
/// `add_email`, `default_email`, `remove_email`) and checks the result:
/// exactly one default, no address twice (case-insensitively), at most
/// [`MAX_EMAILS`]. Errors name the field, never the address.
pub fn change_addresses(
    mut list: Vec<(String, bool)>,
    change: &AccountChange,
) -> Result<Vec<(String, bool)>, ApiError> {
    let (email, add) = (change.email.as_deref(), change.add.as_deref());
    let (make_default, remove) = (change.make_default.as_deref(), change.remove.as_deref());
    let position =
        |list: &[(String, bool)], address: &str| list.iter().position(|(a, _)| a.eq_ignore_ascii_case(address));
    if let Some(email) = email {
        if let Some(at) = position(&list, email)
            && !list[at].1
        {
            return Err(ApiError::unprocessable(
                "email is already another address of the account: use default_email to make it the default",
            ));
        }
        for entry in list.iter_mut().filter(|(_, d)| *d) {
            entry.0 = email.to_owned();
        }
    }
    if let Some(add) = add {
        if position(&list, add).is_some() {
            return Err(ApiError::unprocessable("add_email is already an address of the account"));
        }
        if list.len() >= MAX_EMAILS {
            return Err(ApiError::unprocessable("an account has at most 10 addresses"));
        }
        list.push((add.to_owned(), false));
    }
    if let Some(make_default) = make_default {
        let at = position(&list, make_default)
            .ok_or_else(|| ApiError::unprocessable("default_email is not an address of the account"))?;
        for (n, entry) in list.iter_mut().enumerate() {
            entry.1 = n == at;
        }
    }
    if let Some(remove) = remove {
        let at = position(&list, remove)
            .ok_or_else(|| ApiError::unprocessable("remove_email is not an address of the account"))?;
        if list[at].1 {
            return Err(ApiError::unprocessable(
                "remove_email is the default address: make another address the default first (default_email)",
            ));
        }
        list.remove(at);
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(json: &str) -> AccountPatch {
        serde_json::from_str(json).unwrap()
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-25T09:00:00Z").unwrap().to_utc()
    }

    #[test]
    fn a_change_needs_a_reason_and_something_to_change() {
        assert!(account_change(&patch(r#"{"reason":"  ","dob":"1980-01-02"}"#), now()).is_err());
        let nothing = account_change(&patch(r#"{"reason":"called"}"#), now()).unwrap_err();
        assert!(nothing.detail.starts_with("nothing to change"));
        let future = account_change(&patch(r#"{"reason":"called","dob":"2027-01-01"}"#), now()).unwrap_err();
        assert!(future.detail.starts_with("dob must be a real date"), "{}", future.detail);
        let bad = account_change(&patch(r#"{"reason":"called","add_email":"not-mail"}"#), now()).unwrap_err();
        assert_eq!(bad.detail, "add_email is not an address");
    }

    #[test]
    fn the_audit_summary_masks_addresses_and_never_shows_the_dob() {
        let json = r#"{"reason":" wrong on file ","dob":"1980-01-02","email":" sam.okafor@example.org "}"#;
        let change = account_change(&patch(json), now()).unwrap();
        assert_eq!(change.email.as_deref(), Some("sam.okafor@example.org"));
        let summary = change.audit_summary();
        assert!(summary.starts_with("date of birth changed, email changed to s***@e***.org"), "{summary}");
        assert!(summary.ends_with("; reason: wrong on file"), "{summary}");
        assert!(!summary.contains("1980") && !summary.contains("okafor"), "{summary}");
    }

    #[test]
    fn addresses_change_in_the_contract_s_order() {
        let list = vec![("a@x.org".to_owned(), true), ("b@x.org".to_owned(), false)];
        let json = r#"{"reason":"r","add_email":"c@x.org","default_email":"c@x.org","remove_email":"b@x.org"}"#;
        let change = account_change(&patch(json), now()).unwrap();
        let changed = change_addresses(list.clone(), &change).unwrap();
        assert_eq!(changed, [("a@x.org".to_owned(), false), ("c@x.org".to_owned(), true)]);
        let json = r#"{"reason":"r","remove_email":"a@x.org"}"#;
        let change = account_change(&patch(json), now()).unwrap();
        assert!(change_addresses(list, &change).unwrap_err().detail.starts_with("remove_email is the default"));
    }
}
