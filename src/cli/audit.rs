//! `portaldesk audit`: the audit trail of a period as a sorted report, and
//! `portaldesk audit verify`, which checks the trail's hash chain.
//!
//! Entries are printed as the portal answers them: their summaries never
//! hold a date of birth, and email addresses in them are masked.

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Subcommand};
use serde::Serialize;

use super::Failure;
use super::out;
use crate::portal::PortalClient;
use crate::portal::client::AuditFilter;
use crate::portal::model::{AccountId, AuditEntry, verify_chain};

/// The exit code of `audit verify` on a broken chain.
pub const BROKEN: u8 = 6;

/// Entries asked for per request (the portal's maximum).
const PAGE: u32 = 500;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub command: Option<AuditCommand>,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the whole trail's hash chain; name the first entry that breaks
    /// it (exit 6).
    Verify,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Only entries about this account.
    #[arg(long, value_name = "ACCOUNT")]
    pub account: Option<AccountId>,
    /// Only entries made by this staff id.
    #[arg(long, value_name = "STAFF")]
    pub actor: Option<String>,
    /// From this instant (RFC 3339, or YYYY-MM-DD for that day's start, UTC).
    #[arg(long, value_name = "T", value_parser = instant)]
    pub since: Option<DateTime<Utc>>,
    /// Before this instant (RFC 3339, or YYYY-MM-DD for that day's start, UTC).
    #[arg(long, value_name = "T", value_parser = instant)]
    pub until: Option<DateTime<Utc>>,
    /// One JSON document: {"entries": [AuditEntry]}, oldest first.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// CSV with a header row, oldest first.
    #[arg(long)]
    pub csv: bool,
}

fn instant(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.to_utc());
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|day| day.and_hms_opt(0, 0, 0))
        .map(|at| at.and_utc())
        .ok_or_else(|| "expected an RFC 3339 instant or a date YYYY-MM-DD".to_owned())
}

/// Runs `audit` or `audit verify`.
pub async fn run(client: &PortalClient, args: &AuditArgs) -> Result<(), Failure> {
    match args.command {
        Some(AuditCommand::Verify) => verify(client).await,
        None => report(client, &args.report).await,
    }
}

/// Every entry that passes `filter` (the portal filters), oldest first,
/// read back page by page.
async fn entries(client: &PortalClient, filter: &AuditFilter<'_>) -> Result<Vec<AuditEntry>, Failure> {
    let mut all: Vec<AuditEntry> = Vec::new();
    let mut before = None;
    loop {
        let page = client.audit_page(filter, before, PAGE).await?;
        let full = page.len() == PAGE as usize;
        let next = page.last().map(|e| e.seq);
        all.extend(page);
        match next {
            Some(seq) if full && seq > 1 && before.is_none_or(|b| seq < b) => before = Some(seq),
            _ => break,
        }
    }
    all.reverse();
    Ok(all)
}

async fn report(client: &PortalClient, args: &ReportArgs) -> Result<(), Failure> {
    let filter = AuditFilter {
        account_id: args.account.as_ref(),
        actor: args.actor.as_deref(),
        since: args.since,
        until: args.until,
    };
    let mut entries = entries(client, &filter).await?;
    entries.sort_by_key(|e| (e.at, e.seq));
    if args.json {
        #[derive(Serialize)]
        struct Report<'a> {
            entries: &'a [AuditEntry],
        }
        return out::json(&Report { entries: &entries });
    }
    if args.csv {
        return out::text_out(&csv(&entries)?);
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                e.seq.to_string(),
                e.at.format("%Y-%m-%d %H:%M:%SZ").to_string(),
                crate::sanitize::field(&e.actor),
                e.action.as_str().to_owned(),
                e.account_id.as_ref().map(out::field).unwrap_or_default(),
                e.ticket_id.as_ref().map(out::field).unwrap_or_default(),
                crate::sanitize::field(&e.summary),
            ]
        })
        .collect();
    let header = ["SEQ", "AT (UTC)", "ACTOR", "ACTION", "ACCOUNT", "TICKET", "SUMMARY"];
    let noun = out::count(entries.len(), "audit entry", "audit entries");
    out::text_out(&format!("{noun}\n{}", out::table(&header, &rows)))
}

/// The entries as CSV, with a header row.
fn csv(entries: &[AuditEntry]) -> Result<String, Failure> {
    let failed = |e: &dyn std::fmt::Display| Failure::new(1, format!("cannot write CSV: {e}"));
    let mut writer = csv::Writer::from_writer(Vec::new());
    for entry in entries {
        writer.serialize(entry).map_err(|e| failed(&e))?;
    }
    if entries.is_empty() {
        writer
            .write_record(["seq", "at", "actor", "action", "account_id", "ticket_id", "summary", "prev_hash", "hash"])
            .map_err(|e| failed(&e))?;
    }
    let bytes = writer.into_inner().map_err(|e| failed(&e))?;
    String::from_utf8(bytes).map_err(|e| failed(&e))
}

/// Checks the whole trail's hash chain, oldest entry first.
async fn verify(client: &PortalClient) -> Result<(), Failure> {
    let entries = entries(client, &AuditFilter::default()).await?;
    match verify_chain(&entries) {
        Ok(()) => {
            let last = entries.last().map_or("none", |e| e.hash.as_str());
            out::text_out(&format!(
                "audit trail intact: {}, last hash {last}",
                out::count(entries.len(), "entry", "entries")
            ))
        }
        Err(broken) => Err(Failure::new(BROKEN, format!("audit trail broken: {broken}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_are_rfc3339_or_a_day() {
        assert_eq!(instant("2026-11-24").unwrap().to_rfc3339(), "2026-11-24T00:00:00+00:00");
        assert_eq!(instant("2026-11-24T18:50:12+01:00").unwrap().to_rfc3339(), "2026-11-24T17:50:12+00:00");
        assert!(instant("24/11/2026").is_err());
    }
}
