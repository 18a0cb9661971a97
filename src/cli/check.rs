//! `portaldesk check dob|email|visit`: the diagnosis core on the command
//! line, for scripts and for checking it from outside.

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Subcommand, ValueEnum};

use super::Failure;
use crate::diagnose::dob::{self, DobCheck, DobContext, FieldStatus};
use crate::diagnose::email::{self, EmailCheck};
use crate::diagnose::message::{self, CheckedMessage, MessageContext};
use crate::diagnose::pasted_link::{self, LinkCheck};
use crate::diagnose::replies::SENDER;
use crate::diagnose::visit::{self, Verdict, VisitFacts};
use crate::portal::model::VisitMethod;

#[derive(Debug, Subcommand)]
pub enum CheckCommand {
    /// Compare a DOB as the client reports it with the DOB on file.
    ///
    /// --json: {"would_pass", "matches_on_file", "fields": {"month", "day",
    /// "year"}, "suggested_entry", "findings": [{"code", "message"}],
    /// "readings": [{"order", "date", "portal_takes", "matches_on_file"}]};
    /// two readings when month and day are both 12 or less and differ.
    Dob(DobArgs),
    /// Look for typos in an email address.
    Email(EmailArgs),
    /// Tell a mail scanner's (or link preview's) visit to an invite link
    /// from a person's.
    ///
    /// --json: {"kind": "scanner"|"person"|"unknown", "reasons": [string]}.
    Visit(VisitArgs),
    /// Unwrap a link the client pasted (Safe Links, Proofpoint, Barracuda,
    /// Cisco, Mimecast, Google redirects, any redirect carrying a URL plain,
    /// percent-encoded or in base64, nested) and find its invite token.
    ///
    /// --json: {"decoded": string|null, "layers": [{"wrapper", "name",
    /// "host", "opaque"}], "token": string|null, "findings": [{"code",
    /// "message"}]}; `decoded` is null when a layer carries no URL.
    Link(LinkArgs),
    /// Read a client's message (on stdin): every DOB they give, every
    /// email address they write, with the DOB and email checks, and what
    /// they say they did, saw or want (claims).
    ///
    /// --json: {"dobs": [{"text", "start", "end", "labelled", "readings",
    /// "check"?}],
    /// "emails": [{"text", "start", "end", "check", "matches_on_file"?,
    /// "corrects_on_file"?}], "claims": [{"kind", "text", "start",
    /// "end"}]}; positions in characters, end exclusive.
    Message(MessageArgs),
}

#[derive(Debug, Args)]
pub struct MessageArgs {
    /// The DOB on file, as YYYY-MM-DD or month first as the portal writes it
    /// (MM/DD/YYYY, 2/3/1990, March 2, 1990); each DOB found is checked
    /// against it.
    #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
    pub on_file: Option<String>,
    /// The email address on file (each address found is compared with it).
    #[arg(long, value_name = "ADDR")]
    pub email_on_file: Option<String>,
    /// Today's date (default: the system clock's date, UTC): recent dates
    /// are the conversation's, not a DOB.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<NaiveDate>,
    /// One JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// The longest message `check message` reads.
const MESSAGE_MAX: u64 = 16 * 1024 * 1024;

#[derive(Debug, Args)]
pub struct LinkArgs {
    /// The link exactly as pasted (quote it for the shell).
    #[arg(allow_hyphen_values = true)]
    pub url: String,
    /// One JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// The method of a visit on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    #[value(name = "GET")]
    Get,
    #[value(name = "HEAD")]
    Head,
    #[value(name = "POST")]
    Post,
}

impl From<MethodArg> for VisitMethod {
    fn from(method: MethodArg) -> Self {
        match method {
            MethodArg::Get => VisitMethod::Get,
            MethodArg::Head => VisitMethod::Head,
            MethodArg::Post => VisitMethod::Post,
        }
    }
}

#[derive(Debug, Args)]
pub struct VisitArgs {
    /// The User-Agent of the visit, exactly as logged ("" for none).
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub user_agent: String,
    /// The HTTP method.
    #[arg(long, value_enum, ignore_case = true, default_value_t = MethodArg::Get)]
    pub method: MethodArg,
    /// Seconds from the email's delivery to the visit.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub seconds_after_delivery: Option<i64>,
    /// The network label of the visitor's address (e.g. "Microsoft (AS8075)").
    #[arg(long, value_name = "LABEL")]
    pub network: Option<String>,
    /// The Referer of the visit.
    #[arg(long, value_name = "URL")]
    pub referrer: Option<String>,
    /// One JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// A DOB on file as given on the command line: ISO 8601 (`1990-02-03`), or
/// month first as the console's DOB edit reads it (`02/03/1990`,
/// `2/3/1990`, `February 3, 1990`). A usage error (exit 2) that does not
/// echo the value (a DOB is PHI; the argument parser's own error would).
fn on_file_date(text: &str) -> Result<NaiveDate, Failure> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok().or_else(|| dob::read_entry(text)).ok_or_else(|| {
        Failure::new(
            2,
            "--on-file must be a real date: YYYY-MM-DD, or month first as MM/DD/YYYY (02/03/1990, 2/3/1990)",
        )
    })
}

#[derive(Debug, Args)]
pub struct DobArgs {
    /// The DOB on file, as YYYY-MM-DD or month first as the portal writes it
    /// (MM/DD/YYYY, 2/3/1990, March 2, 1990).
    #[arg(long, value_name = "DATE", allow_hyphen_values = true)]
    pub on_file: String,
    /// What the client reports typing, exactly as they say it.
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub reported: String,
    /// When the account was created (a DOB after it is suspect).
    #[arg(long, value_name = "RFC3339")]
    pub created_at: Option<DateTime<Utc>>,
    /// Today's date (default: the system clock's date, UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<NaiveDate>,
    /// One JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EmailArgs {
    /// The address to check.
    #[arg(allow_hyphen_values = true)]
    pub address: String,
    /// One JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Runs a check and prints its answer; exit code 0 whenever it ran.
pub fn run(command: CheckCommand) -> Result<(), Failure> {
    let text = match command {
        CheckCommand::Dob(args) => {
            let context = DobContext {
                today: args.today.unwrap_or_else(|| Utc::now().date_naive()),
                account_created: args.created_at.map(|at| at.date_naive()),
            };
            let check = dob::check_dob(on_file_date(&args.on_file)?, &args.reported, &context);
            if args.json { to_json(&check)? } else { dob_report(&check, &args.reported) }
        }
        CheckCommand::Email(args) => {
            let check = email::check_email(&args.address);
            if args.json { to_json(&check)? } else { email_report(&check) }
        }
        CheckCommand::Visit(args) => {
            let verdict = visit::classify(&VisitFacts {
                method: Some(args.method.into()),
                user_agent: Some(args.user_agent.as_str()),
                seconds_after_delivery: args.seconds_after_delivery,
                network: args.network.as_deref(),
                referrer: args.referrer.as_deref(),
                ..VisitFacts::default()
            });
            if args.json { to_json(&verdict)? } else { visit_report(&verdict) }
        }
        CheckCommand::Message(args) => {
            let body = read_stdin()?;
            let ctx = MessageContext {
                today: args.today.unwrap_or_else(|| Utc::now().date_naive()),
                own_addresses: &[SENDER],
            };
            let on_file = args.on_file.as_deref().map(on_file_date).transpose()?;
            let checked = message::check_message(&body, &ctx, on_file, args.email_on_file.as_deref());
            if args.json { to_json(&checked)? } else { message_report(&checked) }
        }
        CheckCommand::Link(args) => {
            let check = pasted_link::check_link(&args.url);
            if args.json { to_json(&check)? } else { link_report(&check) }
        }
    };
    super::out::text_out(&text)
}

fn to_json(value: &impl serde::Serialize) -> Result<String, Failure> {
    super::out::json_text(value)
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

fn field(status: FieldStatus) -> &'static str {
    match status {
        FieldStatus::Match => "match",
        FieldStatus::Mismatch => "MISMATCH",
        FieldStatus::Missing => "missing",
    }
}

/// The readable DOB report of `reported`: a date that reads two ways is
/// never a bare "yes".
pub fn dob_report(check: &DobCheck, reported: &str) -> String {
    let read_as = check.chosen_reading().filter(|_| check.unsettled()).map(|r| r.order.words());
    let same = match read_as {
        Some(order) => format!("only if read {order}: ask the client which date they mean"),
        None => yes_no(check.matches_on_file).to_owned(),
    };
    let mut out = format!(
        "portal would accept it:  {}\nsame date as on file:    {same}\nmonth / day / year:      {} / {} / {}{}\n",
        yes_no(check.would_pass),
        field(check.fields.month),
        field(check.fields.day),
        field(check.fields.year),
        read_as.map(|order| format!(" (read {order})")).unwrap_or_default(),
    );
    if let Some(said) = dob::explain_readings(reported, &check.readings, None) {
        out.push_str(&format!("readings:                {said}\n"));
    }
    if let Some(entry) = &check.suggested_entry {
        let label = if read_as.is_some() { "if so, client types:     " } else { "client should type:      " };
        out.push_str(&format!("{label}{entry}\n"));
    }
    push_findings(&mut out, check.findings.iter().map(|f| (f.code.as_str(), f.message.as_str())));
    out.trim_end().to_owned()
}

/// The readable email report.
pub fn email_report(check: &EmailCheck) -> String {
    let mut out = format!("valid syntax: {}\n", yes_no(check.valid_syntax));
    if !check.suggestions.is_empty() {
        out.push_str(&format!("did they mean: {}\n", check.suggestions.join(", ")));
    }
    push_findings(&mut out, check.findings.iter().map(|f| (f.code.as_str(), f.message.as_str())));
    out.trim_end().to_owned()
}

/// The readable visit report.
pub fn visit_report(verdict: &Verdict) -> String {
    let mut out = format!("kind: {}\n", verdict.kind.as_str());
    if verdict.reasons.is_empty() {
        out.push_str("reasons: none\n");
    } else {
        out.push_str("reasons:\n");
        for reason in &verdict.reasons {
            out.push_str(&format!("  - {}\n", reason.describe()));
        }
    }
    out.trim_end().to_owned()
}

/// The message on stdin, up to [`MESSAGE_MAX`] bytes, as text (invalid
/// UTF-8 replaced, never refused).
fn read_stdin() -> Result<String, Failure> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(MESSAGE_MAX + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::new(1, format!("cannot read the message from stdin: {}", e.kind())))?;
    if bytes.len() as u64 > MESSAGE_MAX {
        return Err(Failure::new(2, format!("the message is over {} MiB", MESSAGE_MAX / 1024 / 1024)));
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The readable report of a message: what was found, where, and the checks.
pub fn message_report(checked: &CheckedMessage) -> String {
    let mut out = String::new();
    if checked.dobs.is_empty() && checked.emails.is_empty() && checked.claims.is_empty() {
        return "no DOB, no email address and no claim found".into();
    }
    for dob in &checked.dobs {
        let label = if dob.mention.labelled { ", labelled" } else { "" };
        out.push_str(&format!("DOB {:?} at {}..{}{label}\n", dob.mention.text, dob.mention.start, dob.mention.end));
        match &dob.check {
            Some(check) => {
                for line in dob_report(check, &dob.mention.text).lines() {
                    out.push_str(&format!("  {line}\n"));
                }
            }
            None => {
                if let Some(said) = dob::explain_readings(&dob.mention.text, &dob.readings, None) {
                    out.push_str(&format!("  readings: {said}\n"));
                }
            }
        }
    }
    for email in &checked.emails {
        out.push_str(&format!("email {:?} at {}..{}\n", email.mention.text, email.mention.start, email.mention.end));
        if email.matches_on_file == Some(true) {
            out.push_str("  the address on file\n");
        } else if email.corrects_on_file == Some(true) {
            out.push_str("  the address on file looks like a typo of this one\n");
        }
        for line in email_report(&email.check).lines() {
            out.push_str(&format!("  {line}\n"));
        }
    }
    for claim in &checked.claims {
        out.push_str(&format!("claim {} {:?} at {}..{}\n", claim.kind, claim.text, claim.start, claim.end));
    }
    out.trim_end().to_owned()
}

/// The readable report of a pasted link.
pub fn link_report(check: &LinkCheck) -> String {
    let u = &check.unwrapped;
    let mut out = String::new();
    for (n, layer) in u.layers.iter().enumerate() {
        let how = if layer.opaque { "opaque: cannot be read offline" } else { "unwrapped" };
        out.push_str(&format!("layer {}: {} ({}), {how}\n", n + 1, layer.name, layer.host));
    }
    // Decoded text may hold anything percent-encoded, escapes included:
    // `text_out` makes every control visible on the way out.
    out.push_str(&format!("decoded: {}\n", u.decoded.as_deref().unwrap_or("(unknown)")));
    out.push_str(&format!("token: {}\n", u.token.as_deref().unwrap_or("(none)")));
    let findings = check.findings.iter().map(|f| (<&str>::from(f.code), f.message.as_str()));
    push_findings(&mut out, findings);
    out.trim_end().to_owned()
}

fn push_findings<'a>(out: &mut String, findings: impl Iterator<Item = (&'a str, &'a str)>) {
    let findings: Vec<_> = findings.collect();
    if findings.is_empty() {
        out.push_str("findings: none\n");
        return;
    }
    out.push_str("findings:\n");
    let width = findings.iter().map(|(code, _)| code.len()).max().unwrap_or(0);
    for (code, message) in findings {
        out.push_str(&format!("  {code:<width$}  {message}\n"));
    }
}
