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
use crate::portal::model::{AccountId, AuditEntry, AuditHead, ChainCheck};
use crate::request::{AuditPageQuery, calls};

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
    /// it (exit 6). With --expect-head, also that the trail still holds a
    /// head recorded before (exit 6 when it was cut or rewritten).
    Verify(VerifyArgs),
    /// Print the head of the verified trail, COUNT:HASH, to keep outside
    /// the portal (a write-once log) for `audit verify --expect-head`
    /// (exit 6 when the chain is broken).
    Head(HeadArgs),
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A head printed by `audit head` before: the trail must still have at
    /// least that many entries, the last of them with that hash.
    #[arg(long, value_name = "COUNT:HASH", value_parser = AuditHead::parse)]
    pub expect_head: Option<AuditHead>,
}

#[derive(Debug, Args)]
pub struct HeadArgs {
    /// One JSON object: {"count": N, "hash": "..."}.
    #[arg(long)]
    pub json: bool,
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

/// Runs `audit`, `audit verify` or `audit head`.
pub async fn run(client: &PortalClient, args: &AuditArgs) -> Result<(), Failure> {
    match &args.command {
        Some(AuditCommand::Verify(verify_args)) => verify(client, verify_args).await,
        Some(AuditCommand::Head(head_args)) => head(client, head_args).await,
        None => report(client, &args.report).await,
    }
}

/// Reads the entries that pass `filter` page by page, newest first, each
/// page handed to `each`; `keep` says whether the pages are kept (for the
/// paging guard's memory bound). The guard stops a read that never ends:
/// a `before` asked for already, too many pages, or too many bytes kept.
async fn pages(
    client: &PortalClient,
    filter: &AuditFilter<'_>,
    keep: bool,
    mut each: impl FnMut(Vec<AuditEntry>),
) -> Result<(), Failure> {
    let mut pager = client.pager();
    let mut before = None;
    loop {
        let query = AuditPageQuery {
            account_id: filter.account_id.cloned(),
            actor: filter.actor.map(str::to_owned),
            since: filter.since,
            until: filter.until,
            before,
            limit: PAGE,
        };
        let (page, bytes) = calls::audit_page(client, query).await?;
        let full = page.len() == PAGE as usize;
        let next = page.last().map(|e| e.seq);
        each(page);
        // A short page is the last; a page that does not go back (the
        // same `before` again) is caught by the guard.
        let next = next.filter(|&seq| full && seq > 1);
        match pager.next(if keep { bytes } else { 0 }, next.map(|seq| seq.to_string()))? {
            Some(_) => before = next,
            None => return Ok(()),
        }
    }
}

/// Every entry that passes `filter` (the portal filters), oldest first,
/// read back page by page (at most the paging guard's bytes).
async fn entries(client: &PortalClient, filter: &AuditFilter<'_>) -> Result<Vec<AuditEntry>, Failure> {
    let mut all: Vec<AuditEntry> = Vec::new();
    pages(client, filter, true, |page| all.extend(page)).await?;
    all.reverse();
    Ok(all)
}

/// Checks the whole trail, page by page, keeping no entry.
async fn check(client: &PortalClient, expect: Option<AuditHead>) -> Result<ChainCheck, Failure> {
    let mut check = ChainCheck::new(expect);
    pages(client, &AuditFilter::default(), false, |page| page.iter().for_each(|e| check.feed(e))).await?;
    Ok(check)
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

/// The CSV header row.
const CSV_HEADER: [&str; 9] =
    ["seq", "at", "actor", "action", "account_id", "ticket_id", "summary", "prev_hash", "hash"];

/// The entries as CSV, with a header row. Every cell that a spreadsheet
/// would take for a formula is neutralised ([`spreadsheet_safe`]).
fn csv(entries: &[AuditEntry]) -> Result<String, Failure> {
    let failed = |e: &dyn std::fmt::Display| Failure::new(1, format!("cannot write CSV: {e}"));
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(CSV_HEADER).map_err(|e| failed(&e))?;
    for entry in entries {
        let at = entry.at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
        let record = [
            entry.seq.to_string(),
            at,
            entry.actor.as_str().to_owned(),
            entry.action.as_str().to_owned(),
            entry.account_id.as_ref().map(|id| id.as_str().to_owned()).unwrap_or_default(),
            entry.ticket_id.as_ref().map(|id| id.as_str().to_owned()).unwrap_or_default(),
            entry.summary.clone(),
            entry.prev_hash.clone(),
            entry.hash.clone(),
        ];
        writer.write_record(record.iter().map(|cell| spreadsheet_safe(cell).into_owned())).map_err(|e| failed(&e))?;
    }
    let bytes = writer.into_inner().map_err(|e| failed(&e))?;
    String::from_utf8(bytes).map_err(|e| failed(&e))
}

/// A cell a spreadsheet will not run: one that begins with `=`, `+`, `-`,
/// `@`, a tab or a carriage return gets a single quote before it, as OWASP
/// advises against CSV injection (the quote shows, the formula does not
/// run). Any other cell is as it was.
fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// Checks the whole trail's hash chain, and that it extends the head
/// expected, if one is.
async fn verify(client: &PortalClient, args: &VerifyArgs) -> Result<(), Failure> {
    let checked = check(client, args.expect_head.clone()).await?;
    let (head, anchored) =
        checked.finish().map_err(|broken| Failure::new(BROKEN, format!("audit trail broken: {broken}")))?;
    if let Err(mismatch) = anchored {
        return Err(Failure::new(
            BROKEN,
            format!(
                "audit trail does not extend the head {}: {mismatch}",
                args.expect_head.as_ref().map(ToString::to_string).unwrap_or_default()
            ),
        ));
    }
    let entries = out::count(usize::try_from(head.count).unwrap_or(0), "entry", "entries");
    let last = if head.count == 0 { "none" } else { head.hash.as_str() };
    let anchor = match &args.expect_head {
        Some(expect) => format!("; it extends the head {expect}"),
        None => "; without a head recorded before (--expect-head), a cut from its end cannot be seen".to_owned(),
    };
    out::text_out(&format!("audit trail intact: {entries}, last hash {last}{anchor}"))
}

/// Prints the verified trail's head.
async fn head(client: &PortalClient, args: &HeadArgs) -> Result<(), Failure> {
    let checked = check(client, None).await?;
    let (head, _) = checked.finish().map_err(|broken| Failure::new(BROKEN, format!("audit trail broken: {broken}")))?;
    if args.json {
        return out::json(&head);
    }
    out::text_out(&head.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_run_are_neutralised() {
        for cell in ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "=", "@"] {
            assert_eq!(spreadsheet_safe(cell), format!("'{cell}"), "{cell:?}");
        }
        for cell in ["", "note added", "1", "2026-11-25T09:00:00Z", " =x", "a=b", "'=x", "\u{ff1d}x"] {
            assert_eq!(spreadsheet_safe(cell), cell, "{cell:?}");
        }
        let at = DateTime::parse_from_rfc3339("2026-11-25T09:00:00Z").unwrap().to_utc();
        let entry = AuditEntry {
            seq: 1,
            at,
            actor: "@agent".into(),
            action: crate::portal::model::AuditAction::NoteAdded,
            account_id: Some("acc_1".into()),
            ticket_id: None,
            summary: "=HYPERLINK(\"http://evil.example\",\"open\")".into(),
            prev_hash: "-".into(),
            hash: "+".into(),
        };
        let text = csv(&[entry]).unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), CSV_HEADER);
        let row: Vec<String> = reader.records().next().unwrap().unwrap().iter().map(str::to_owned).collect();
        assert_eq!(
            row,
            [
                "1",
                "2026-11-25T09:00:00Z",
                "'@agent",
                "note_added",
                "acc_1",
                "",
                "'=HYPERLINK(\"http://evil.example\",\"open\")",
                "'-",
                "'+"
            ]
        );
        assert_eq!(csv(&[]).unwrap(), format!("{}\n", CSV_HEADER.join(",")));
    }

    #[test]
    fn instants_are_rfc3339_or_a_day() {
        assert_eq!(instant("2026-11-24").unwrap().to_rfc3339(), "2026-11-24T00:00:00+00:00");
        assert_eq!(instant("2026-11-24T18:50:12+01:00").unwrap().to_rfc3339(), "2026-11-24T17:50:12+00:00");
        assert!(instant("24/11/2026").is_err());
    }
}
