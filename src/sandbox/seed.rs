//! Deterministic demo data: accounts, invite histories and a ticket queue
//! that between them cover every case of the support article.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rusqlite::Connection;

use super::mail;
use super::rng::Rng;
use super::store::accounts::{self, NewAccount};
use super::store::invites::{self, NewInvite};
use super::store::messages::{self, NewMessage};
use super::store::tickets::{self, NewTicket};
use super::visits::{self, Visitor};
use crate::portal::model::{
    AccountId, AuthorKind, DeliveryEventKind, Role, ScannerProfile, TicketChannel, TicketId, TicketStatus, VisitMethod,
    VisitOutcome,
};

/// The case of the support article a seeded ticket was made to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeedCase {
    /// The address has a typo (`.cmo`, `.con`, `gmial.com`); the mail bounced.
    EmailTypo,
    /// A plausible address that bounced (mailbox closed).
    Bounced,
    /// Delivered but never opened: likely in Spam or Trash.
    DeliveredNotOpened,
    /// A client invite past its 48 hours.
    ExpiredClientInvite,
    /// A staff invite past its 1 hour.
    ExpiredStaffInvite,
    /// The client opened an old link after a newer resend replaced it.
    SupersededLink,
    /// The link was opened many times with no DOB entered (refreshes, or a
    /// mail provider rewriting the link).
    OpenedManyTimes,
    /// DOB refused: typed in the wrong format.
    DobWrongFormat,
    /// DOB refused: day and month swapped.
    DobDayMonthSwapped,
    /// DOB refused because the DOB on file is itself wrong.
    DobOnFileWrong,
    /// No invite was ever sent.
    NoInvite,
    /// The invite was already accepted: the client should log in.
    AlreadyAccepted,
    /// A staff invite close to its 1-hour limit.
    StaffInviteExpiringSoon,
    /// A mail scanner (Safe Links) opened the link seconds after delivery:
    /// a burst of visits in one second, headless, from Microsoft's network,
    /// no cookie; the client has not opened it.
    ScannerPreOpened,
    /// The client's mail service (Proofpoint URL Defense) rewrote the link:
    /// its scanner came first, then the client through the rewritten link.
    RewrittenLink,
    /// The client opened the link on a phone hours after delivery (a
    /// person, no alarm): the link works.
    OpenedOnPhoneLater,
    /// The account has two addresses; the invite went to the default one
    /// and the client is looking in the other.
    WrongAddress,
}

/// A ticket the seed made, and the case it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeededTicket {
    pub ticket_id: TicketId,
    pub account_id: AccountId,
    pub case: SeedCase,
}

/// What the seed made.
#[derive(Debug, Clone, Default)]
pub struct Seeded {
    pub accounts: usize,
    pub tickets: Vec<SeededTicket>,
    /// How many extra open tickets (`--tickets N`) were added to the queue.
    pub extra_tickets: usize,
}

/// What to seed.
#[derive(Debug, Clone, Copy)]
pub struct SeedPlan {
    /// The seed of the demo data: the same seed gives the same data.
    pub seed: u64,
    /// How many accounts (staff are about one in eleven, at most 20).
    pub accounts: usize,
    /// Extra open tickets beyond the seeded cases, for a large queue.
    pub extra_tickets: usize,
    /// A ticket's first reply is due this long after it was opened.
    pub first_response: Duration,
}

/// The seeded queue: one open ticket per row, on an account re-shaped to
/// show the case.
const PLAN: &[(SeedCase, Role, &str)] = {
    use SeedCase::*;
    &[
        (EmailTypo, Role::Client, "Never received the portal invitation email"),
        (DeliveredNotOpened, Role::Client, "Can't find the registration email"),
        (ExpiredClientInvite, Role::Client, "Portal link says invalid"),
        (DobDayMonthSwapped, Role::Client, "Site won't accept my birthday"),
        (SupersededLink, Role::Client, "Link invalid, I was just sent it"),
        (ExpiredStaffInvite, Role::Staff, "New clinician: invite link invalid"),
        (OpenedManyTimes, Role::Client, "Page keeps saying link is invalid"),
        (EmailTypo, Role::Client, "No email from the portal"),
        (Bounced, Role::Client, "Invitation never arrived"),
        (DobWrongFormat, Role::Client, "Date of birth not accepted"),
        (DobOnFileWrong, Role::Client, "DOB rejected even though it's right"),
        (NoInvite, Role::Client, "Client asking for portal access"),
        (AlreadyAccepted, Role::Client, "Registration link invalid"),
        (StaffInviteExpiringSoon, Role::Staff, "Setting up my staff login now"),
        (EmailTypo, Role::Client, "Did not get the sign-up email"),
        (DeliveredNotOpened, Role::Client, "Where is my portal email?"),
        (ExpiredClientInvite, Role::Client, "Invite expired before I could use it"),
        (SupersededLink, Role::Client, "Old link stopped working"),
        (DobDayMonthSwapped, Role::Client, "Portal says my DOB is wrong"),
        (OpenedManyTimes, Role::Client, "Link opens then says invalid"),
        (DobOnFileWrong, Role::Client, "Birthday on file may be wrong"),
        (ExpiredStaffInvite, Role::Staff, "Staff portal invite expired"),
        (Bounced, Role::Client, "Never got anything from you"),
        (DobWrongFormat, Role::Client, "Can't get past the birthday screen"),
        (NoInvite, Role::Staff, "New front-desk hire needs access"),
        // Link forensics (issue #9); the newest tickets of the queue.
        (ScannerPreOpened, Role::Client, "Portal says I opened the invite, I never saw it"),
        (RewrittenLink, Role::Client, "Invite link goes to a strange long address"),
        (OpenedOnPhoneLater, Role::Client, "Opened the link on my phone, what now?"),
        (WrongAddress, Role::Client, "Never got the invite at my Gmail"),
    ]
};

const FIRST: &[&str] = &[
    "Avery", "Jordan", "Marisol", "Devon", "Priya", "Mateo", "Keisha", "Noah", "Ingrid", "Tomasz", "Amara", "Lucas",
    "Hana", "Diego", "Fatima", "Owen", "Leilani", "Ravi", "Grace", "Elias", "Sofia", "Malik", "Yuki", "Camila",
    "Henry", "Zainab", "Theo", "Nadia", "Samuel", "Imani", "Oscar", "Beatriz", "Wesley", "Chloe", "Arjun", "Rosa",
];
const LAST: &[&str] = &[
    "Alvarez",
    "Okafor",
    "Quintero",
    "Nguyen",
    "Haddad",
    "Kowalski",
    "Brennan",
    "Tanaka",
    "Osei",
    "Lindqvist",
    "Patel",
    "Moreau",
    "Fitzgerald",
    "Ramirez",
    "Schmidt",
    "Abernathy",
    "Castillo",
    "Delacroix",
    "Eriksen",
    "Goldberg",
    "Hernandez",
    "Ivanova",
    "Jablonski",
    "Kim",
    "Lachance",
    "Mwangi",
    "Novak",
    "Oyelaran",
    "Petrov",
];
const PROVIDERS: &[&str] =
    &["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "aol.com", "comcast.net", "verizon.net"];
/// The practice's own domain, for staff accounts.
pub const PRACTICE_DOMAIN: &str = "brightpathcounseling.org";

/// Seeds `clients` + `staff` accounts (staff first) and the ticket queue,
/// with times relative to `now`. The same seed gives the same data.
pub fn seed(conn: &Connection, plan: &SeedPlan, now: DateTime<Utc>, link_base: &str) -> rusqlite::Result<Seeded> {
    let total_accounts = plan.accounts;
    let mut rng = Rng::new(plan.seed);
    let staff = (total_accounts / 11).clamp(1, 20);
    let tx = conn.unchecked_transaction()?;
    for n in 1..=total_accounts {
        let role = if n <= staff { Role::Staff } else { Role::Client };
        let first = *rng.pick(FIRST);
        let last = *rng.pick(LAST);
        let email = match role {
            Role::Staff => format!("{}.{}@{PRACTICE_DOMAIN}", first.to_lowercase(), last.to_lowercase()),
            Role::Client => format!("{}.{}{}@{}", first.to_lowercase(), last.to_lowercase(), n, rng.pick(PROVIDERS)),
        };
        let phone = format!("({}) 555-{:04}", 200 + rng.below(700), n % 10_000);
        let created_at = now - Duration::days(rng.range(20, 900)) - Duration::seconds(rng.range(0, 86_399));
        let dob = birth_date(&mut rng);
        let id = format!("acc_{n}");
        accounts::insert_unindexed(
            &tx,
            &NewAccount {
                id: &id,
                role,
                first_name: first,
                last_name: last,
                email: &email,
                phone: &phone,
                dob,
                created_at,
            },
        )?;
    }
    let due = plan.first_response;
    let mut seeder = Seeder { conn: &tx, rng: &mut rng, link_base, due };
    // Ordinary invite histories for the first few hundred accounts.
    for rowid in 1..=total_accounts.min(240) as i64 {
        seeder.ordinary_history(rowid, now)?;
    }
    // The queue needs a handful of staff rows and a few dozen client rows.
    let tickets = if total_accounts >= 100 { seeder.tickets(staff as i64, now)? } else { Vec::new() };
    // The conversations have dice of their own, so the accounts, invites
    // and tickets above stay what they always were.
    let mut talk = Rng::new(plan.seed ^ 0x7A1C_0417);
    if total_accounts >= 100 {
        conversations(&tx, &mut talk, now, &tickets)?;
    }
    let extra_tickets = if total_accounts > staff {
        extra(&tx, &mut talk, plan.extra_tickets, staff as i64, total_accounts as i64, now, due)?
    } else {
        0
    };
    tx.commit()?;
    Ok(Seeded { accounts: total_accounts, tickets, extra_tickets })
}

fn birth_date(rng: &mut Rng) -> NaiveDate {
    let year = rng.range(1942, 2006) as i32;
    let month = rng.range(1, 12) as u32;
    let day = rng.range(1, 28) as u32;
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}

fn token(rng: &mut Rng) -> String {
    format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64())
}

/// Writes the demo data of one seed run.
struct Seeder<'a> {
    conn: &'a Connection,
    rng: &'a mut Rng,
    link_base: &'a str,
    /// The first-response target.
    due: Duration,
}

impl Seeder<'_> {
    /// Sends an invite at `sent_at`, with the delivery the address earns.
    fn send(&mut self, rowid: i64, sent_at: DateTime<Utc>) -> rusqlite::Result<i64> {
        invites::supersede_pending(self.conn, rowid, sent_at)?;
        self.send_first(rowid, sent_at)
    }

    /// Sends the first invite of an account (nothing to supersede).
    fn send_first(&mut self, rowid: i64, sent_at: DateTime<Utc>) -> rusqlite::Result<i64> {
        let conn = self.conn;
        let (email, role) = accounts::invite_target(conn, rowid)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        let plan = mail::delivery_plan(&email);
        let new = NewInvite {
            account_rowid: rowid,
            role,
            sent_to: &email,
            sent_at,
            ticket_id: None,
            delivery: &plan,
            link_base: self.link_base,
        };
        invites::insert(conn, &new, &token(self.rng))
    }

    fn ordinary_history(&mut self, rowid: i64, now: DateTime<Utc>) -> rusqlite::Result<()> {
        let conn = self.conn;
        match self.rng.below(4) {
            0 => Ok(()),
            1 => {
                let sent = now - Duration::days(self.rng.range(5, 300));
                let invite = self.send_first(rowid, sent)?;
                invites::accept(conn, invite, sent + Duration::minutes(self.rng.range(3, 50)))
            }
            2 => {
                let sent = now - Duration::minutes(self.rng.range(5, 40 * 60));
                self.send_first(rowid, sent)?;
                Ok(())
            }
            _ => {
                let sent = now - Duration::days(self.rng.range(4, 60));
                self.send_first(rowid, sent)?;
                Ok(())
            }
        }
    }

    /// The queue: one open ticket per row of this table, on accounts re-shaped
    /// to show the case.
    fn tickets(&mut self, staff: i64, now: DateTime<Utc>) -> rusqlite::Result<Vec<SeededTicket>> {
        let conn = self.conn;
        let plan = PLAN;
        // The first 25 rows keep the ages they always had; rows added since
        // are the newest tickets.
        const FIRST_ROWS: usize = 25;
        let minutes_ago = |i: usize| -> i64 {
            if i < FIRST_ROWS { 30 + 23 * (FIRST_ROWS - i) as i64 } else { 30 - 5 * (i + 1 - FIRST_ROWS) as i64 }
        };
        let mut made = Vec::with_capacity(plan.len());
        let (mut next_client, mut next_staff) = (staff, 1_i64);
        for (i, (case, role, subject)) in plan.iter().enumerate() {
            let rowid = match role {
                // Staff accounts are the first rows; use those without history.
                Role::Staff => {
                    next_staff += 1;
                    next_staff
                }
                Role::Client => {
                    next_client += 1;
                    next_client
                }
            };
            invites::forget_account_invites(conn, rowid)?;
            let opened_at = now - Duration::minutes(minutes_ago(i));
            self.shape(*case, rowid, now, opened_at)?;
            let channel =
                [TicketChannel::Phone, TicketChannel::Email, TicketChannel::Portal, TicketChannel::Chat][i % 4];
            let assignee = (i % 5 == 3).then_some("agent_rivera");
            let ticket_id = tickets::insert(
                conn,
                &NewTicket {
                    subject,
                    account_rowid: rowid,
                    status: TicketStatus::Open,
                    channel,
                    opened_at,
                    assignee,
                    due_at: opened_at + self.due,
                },
            )?;
            let account_id = accounts::by_rowid(conn, rowid)?.map(|a| a.account.id).unwrap_or_else(|| "".into());
            made.push(SeededTicket { ticket_id, account_id, case: *case });
        }
        // A few tickets already worked, so the queue's filters have something to hide.
        for (k, status) in [TicketStatus::Pending, TicketStatus::Solved, TicketStatus::Solved].into_iter().enumerate() {
            let rowid = next_client + 1 + k as i64;
            let opened_at = now - Duration::days(3 + k as i64);
            tickets::insert(
                conn,
                &NewTicket {
                    subject: "Portal access question",
                    account_rowid: rowid,
                    status,
                    channel: TicketChannel::Email,
                    opened_at,
                    assignee: Some("agent_sandbox"),
                    due_at: opened_at + self.due,
                },
            )?;
        }
        Ok(made)
    }

    /// Re-shapes an account and its invites to show `case`.
    fn shape(
        &mut self,
        case: SeedCase,
        rowid: i64,
        now: DateTime<Utc>,
        opened_at: DateTime<Utc>,
    ) -> rusqlite::Result<()> {
        use SeedCase::*;
        let conn = self.conn;
        let set_email = |email: &str| -> rusqlite::Result<()> {
            let stored = accounts::by_rowid(conn, rowid)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
            accounts::update(conn, &stored, None, Some(email), stored.account.updated_at)
        };
        let set_dob = |dob: NaiveDate| -> rusqlite::Result<()> {
            let stored = accounts::by_rowid(conn, rowid)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
            accounts::update(conn, &stored, Some(dob), None, stored.account.updated_at)
        };
        let local = |conn: &Connection| -> rusqlite::Result<String> {
            let stored = accounts::by_rowid(conn, rowid)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
            Ok(stored.account.email.expose().split('@').next().unwrap_or("client").to_owned())
        };
        let before_ticket = opened_at - Duration::minutes(self.rng.range(20, 90));
        match case {
            EmailTypo => {
                let typo = *self.rng.pick(&["gmail.cmo", "yahoo.con", "gmial.com", "hotmial.com", "outlook.cmo"]);
                set_email(&format!("{}@{typo}", local(conn)?))?;
                self.send(rowid, before_ticket)?;
            }
            Bounced => {
                let invite = self.send(rowid, before_ticket)?;
                invites::forget_delivered(conn, invite)?;
                invites::add_event(
                    conn,
                    invite,
                    before_ticket + Duration::seconds(4),
                    DeliveryEventKind::Bounced,
                    Some("550 5.2.1 mailbox disabled"),
                )?;
            }
            DeliveredNotOpened => {
                let sent = now - Duration::hours(self.rng.range(6, 30));
                self.send(rowid, sent)?;
            }
            ExpiredClientInvite => {
                let sent = now - Duration::hours(self.rng.range(60, 120));
                let invite = self.send(rowid, sent)?;
                open_link(conn, invite, now - Duration::hours(2), 1)?;
            }
            ExpiredStaffInvite => {
                let sent = now - Duration::minutes(self.rng.range(90, 300));
                let invite = self.send(rowid, sent)?;
                open_link(conn, invite, now - Duration::minutes(10), 1)?;
            }
            SupersededLink => {
                let old = self.send(rowid, now - Duration::hours(30))?;
                self.send(rowid, now - Duration::hours(5))?;
                open_link(conn, old, now - Duration::minutes(50), 2)?;
            }
            OpenedManyTimes => {
                let sent = now - Duration::hours(self.rng.range(3, 20));
                let invite = self.send(rowid, sent)?;
                open_link(conn, invite, now - Duration::minutes(45), self.rng.range(6, 12) as u32)?;
            }
            DobWrongFormat | DobDayMonthSwapped => {
                if case == DobDayMonthSwapped {
                    // A day above 12, so a day-first entry cannot be a real month.
                    let year = self.rng.range(1950, 2000) as i32;
                    set_dob(
                        NaiveDate::from_ymd_opt(year, self.rng.range(1, 12) as u32, self.rng.range(13, 28) as u32)
                            .unwrap_or_default(),
                    )?;
                }
                let sent = now - Duration::hours(self.rng.range(2, 20));
                let invite = self.send(rowid, sent)?;
                open_link(conn, invite, now - Duration::minutes(40), 2)?;
                fail_dob(conn, invite, now - Duration::minutes(38), self.rng.range(2, 4))?;
            }
            DobOnFileWrong => {
                set_dob(NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default())?;
                let sent = now - Duration::hours(self.rng.range(2, 20));
                let invite = self.send(rowid, sent)?;
                open_link(conn, invite, now - Duration::minutes(40), 2)?;
                fail_dob(conn, invite, now - Duration::minutes(38), self.rng.range(3, 6))?;
            }
            NoInvite => {}
            AlreadyAccepted => {
                let sent = now - Duration::days(self.rng.range(8, 40));
                let invite = self.send(rowid, sent)?;
                open_link(conn, invite, sent + Duration::minutes(30), 1)?;
                invites::accept(conn, invite, sent + Duration::minutes(31))?;
                let form = Visitor { method: VisitMethod::Post, cookies: true, ..browser(invite) };
                invites::record_visit(
                    conn,
                    invite,
                    &form.visit(sent + Duration::minutes(31), VisitOutcome::Accepted, None),
                )?;
                open_link(conn, invite, now - Duration::minutes(25), 1)?;
            }
            StaffInviteExpiringSoon => {
                let sent = now - Duration::minutes(self.rng.range(52, 56));
                let invite = self.send(rowid, sent)?;
                open_link(conn, invite, now - Duration::minutes(3), 1)?;
            }
            ScannerPreOpened => {
                set_email(&format!("{}@outlook.com", local(conn)?))?;
                let sent = now - Duration::hours(6);
                let invite = self.send(rowid, sent)?;
                // Safe Links: a HEAD and two GETs, 3 s after delivery.
                visit_as(conn, invite, sent + Duration::seconds(5), &visits::scanner(ScannerProfile::SafeLinks))?;
            }
            RewrittenLink => {
                set_email(&format!("{}@lakeshorelegal.com", local(conn)?))?;
                let sent = now - Duration::hours(4);
                let invite = self.send(rowid, sent)?;
                visit_as(conn, invite, sent + Duration::seconds(6), &visits::scanner(ScannerProfile::UrlDefense))?;
                // The client, through the rewritten link, then a refresh.
                let link = invite_by_rowid(conn, invite, now)?.token;
                let referrer =
                    format!("https://urldefense.com/v3/__{}/invite/{link}__;!!Q4Ftd3Yw!aB3xk9Lm2Qe$", self.link_base);
                let client = Visitor { referrer: Some(referrer), ..browser(invite) };
                let refresh = Visitor { cookies: true, ..client.clone() };
                visit_as(conn, invite, now - Duration::minutes(70), &[client])?;
                visit_as(conn, invite, now - Duration::minutes(69), &[refresh])?;
            }
            OpenedOnPhoneLater => {
                let sent = now - Duration::hours(9);
                let invite = self.send(rowid, sent)?;
                let phone = Visitor {
                    user_agent: Some(IPHONE_SAFARI.to_owned()),
                    remote: std::net::IpAddr::from([172, 58, 20, 14]),
                    ..browser(invite)
                };
                let refresh = Visitor { cookies: true, ..phone.clone() };
                visit_as(conn, invite, sent + Duration::hours(7), &[phone])?;
                visit_as(conn, invite, sent + Duration::hours(7) + Duration::seconds(50), &[refresh])?;
            }
            WrongAddress => {
                let stored = accounts::by_rowid(conn, rowid)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
                let first = stored.account.first_name.expose().to_lowercase();
                let last = stored.account.last_name.expose().to_lowercase();
                let work = format!("{}{}@harborviewmedical.org", &first[..1.min(first.len())], last);
                let personal = format!("{first}.{last}.{rowid}@gmail.com");
                let emails = [(work, true), (personal, false)];
                accounts::update_with_emails(conn, &stored, None, Some(&emails), stored.account.updated_at)?;
                self.send(rowid, now - Duration::hours(20))?;
            }
        }
        Ok(())
    }
}

/// An ordinary desktop browser at a home address (seed visits by people).
const DESKTOP_CHROME: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
/// Safari on an iPhone.
const IPHONE_SAFARI: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 \
                             (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

/// The person who opens an invite's link in the seed data: a desktop
/// browser on a home network (no cookie yet).
fn browser(invite_rowid: i64) -> Visitor {
    Visitor {
        method: VisitMethod::Get,
        user_agent: Some(DESKTOP_CHROME.to_owned()),
        remote: std::net::IpAddr::from([73, 14, (invite_rowid % 250) as u8, 9]),
        referrer: None,
        cookies: false,
    }
}

/// Replays visitors to an invite's landing page at `at`, through the page's
/// own rules.
fn visit_as(conn: &Connection, invite_rowid: i64, at: DateTime<Utc>, visitors: &[Visitor]) -> rusqlite::Result<()> {
    for visitor in visitors {
        let stored = invite_by_rowid(conn, invite_rowid, at)?;
        visits::show_page(conn, &stored, visitor, at)?;
    }
    Ok(())
}

/// Records `times` openings of an invite's link at `at`, 40 s apart, by a
/// person in a browser (which keeps the page's cookie after the first), as
/// the invite page would have.
fn open_link(conn: &Connection, invite_rowid: i64, at: DateTime<Utc>, times: u32) -> rusqlite::Result<()> {
    for n in 0..times {
        let visitor = Visitor { cookies: n > 0, ..browser(invite_rowid) };
        visit_as(conn, invite_rowid, at + Duration::seconds(i64::from(n) * 40), &[visitor])?;
    }
    Ok(())
}

/// Records `times` refused DOBs from `at`, 30 s apart, as the invite page
/// would have.
fn fail_dob(conn: &Connection, invite_rowid: i64, at: DateTime<Utc>, times: i64) -> rusqlite::Result<()> {
    for n in 0..times {
        invites::record_dob_failure(conn, invite_rowid)?;
        let visitor = Visitor { method: VisitMethod::Post, cookies: true, ..browser(invite_rowid) };
        let visit = visitor.visit(at + Duration::seconds(n * 30), VisitOutcome::DobRefused, None);
        invites::record_visit(conn, invite_rowid, &visit)?;
    }
    Ok(())
}

fn invite_by_rowid(conn: &Connection, rowid: i64, now: DateTime<Utc>) -> rusqlite::Result<invites::StoredInvite> {
    invites::stored_by_rowid(conn, rowid, now)?.ok_or(rusqlite::Error::QueryReturnedNoRows)
}

// ----------------------------------------------------------- conversations

/// The name staff sign replies with, and how our emails are quoted.
const PRACTICE: &str = "Bright Path Counseling";

/// How a mail program quotes our email: `On Nov 24, 2026, at 9:14 AM, … wrote:`.
fn quote_header(at: DateTime<Utc>) -> String {
    format!(
        "On {}, at {}, {PRACTICE} <{}> wrote:",
        at.format("%b %-d, %Y"),
        at.format("%-I:%M %p"),
        crate::diagnose::replies::SENDER
    )
}

/// `body` quoted below a reply header, as a mail program does.
fn quoting(text: &str, ours: &str, at: DateTime<Utc>) -> String {
    let quoted: Vec<String> = ours.lines().map(|l| format!("> {l}")).collect();
    format!("{text}\n\n{}\n{}", quote_header(at), quoted.join("\n"))
}

/// A date of birth as clients type it to us: day first, no leading zeros,
/// the month as a word, the year in two digits (`17 March 75`).
pub fn dob_as_typed(date: NaiveDate) -> String {
    format!("{} {} {:02}", date.day(), date.format("%B"), date.year() % 100)
}

/// The address a mistyped one was meant to be (the seed's own typos).
pub fn meant_address(address: &str) -> String {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return address.to_owned();
    };
    let fixed = match domain {
        "gmail.cmo" | "gmial.com" => "gmail.com",
        "yahoo.con" => "yahoo.com",
        "hotmial.com" => "hotmail.com",
        "outlook.cmo" => "outlook.com",
        other => other,
    };
    format!("{local}@{fixed}")
}

/// One message of a seeded conversation.
enum Said {
    /// The client, over the ticket's channel, this many minutes after the ticket opened.
    Client(i64, String),
    /// A staff reply by email.
    Staff(i64, &'static str, String),
    /// A staff member's internal note of a phone call.
    PhoneNote(i64, &'static str, String),
}

/// Gives every ticket in the queue its conversation, in the client's own
/// words and consistent with the case it was made to show.
fn conversations(
    conn: &Connection,
    rng: &mut Rng,
    now: DateTime<Utc>,
    seeded: &[SeededTicket],
) -> rusqlite::Result<()> {
    for (index, row) in tickets::seed_rows(conn)?.into_iter().enumerate() {
        let tickets::SeedRow { rowid: ticket_rowid, id: ticket_id, account_rowid, opened_at, channel } = row;
        let account = accounts::by_rowid(conn, account_rowid)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?.account;
        let case = seeded.iter().find(|t| t.ticket_id == ticket_id).map(|t| t.case);
        let said = conversation(case, &account, index, rng, opened_at);
        let name = format!("{} {}", account.first_name.expose(), account.last_name.expose());
        let mut first_response = None;
        for said in said {
            let at = |minutes: i64| (opened_at + Duration::minutes(minutes)).min(now - Duration::seconds(30));
            match said {
                Said::Client(minutes, body) => {
                    let new = NewMessage {
                        ticket_rowid,
                        at: at(minutes),
                        kind: AuthorKind::Client,
                        author_id: account.id.as_str(),
                        author_name: &name,
                        channel,
                        body: &body,
                    };
                    messages::insert(conn, &new)?;
                }
                Said::Staff(minutes, staff, body) => {
                    let new = NewMessage {
                        ticket_rowid,
                        at: at(minutes),
                        kind: AuthorKind::Staff,
                        author_id: staff,
                        author_name: super::rules::staff_name(staff),
                        channel: TicketChannel::Email,
                        body: &body,
                    };
                    messages::insert(conn, &new)?;
                    first_response.get_or_insert(at(minutes));
                }
                Said::PhoneNote(minutes, staff, body) => {
                    messages::insert_note(conn, ticket_rowid, staff, TicketChannel::Phone, &body, at(minutes))?;
                }
            }
        }
        if let Some(first) = first_response {
            tickets::set_first_response(conn, ticket_rowid, first)?;
        }
    }
    Ok(())
}

/// A ticket's conversation: 1 to 4 messages.
fn conversation(
    case: Option<SeedCase>,
    account: &crate::portal::model::Account,
    index: usize,
    rng: &mut Rng,
    opened_at: DateTime<Utc>,
) -> Vec<Said> {
    use SeedCase::*;
    let first = account.first_name.expose().clone();
    let full = format!("{first} {}", account.last_name.expose());
    let email = account.email.expose().clone();
    let staff = *rng.pick(&["agent_rivera", "agent_chen", "agent_sandbox"]);
    let sign = |text: &str| format!("{text}\n\nThanks,\n{first}");
    let ours =
        |text: &str| format!("Hi {first},\n\n{text}\n\n{}\n{PRACTICE} front desk", super::rules::staff_name(staff));
    let Some(case) = case else {
        // The tickets already worked.
        let reply = ours("You can reset your password from the portal's sign-in page (\"Forgot password\").");
        return vec![
            Said::Client(0, sign("How do I change my portal password? I forgot it.")),
            Said::Staff(40, staff, reply.clone()),
            Said::Client(90, quoting("That worked, thank you!", &reply, opened_at + Duration::minutes(40))),
        ];
    };
    match case {
        EmailTypo if index % 2 == 1 => vec![
            // The client spells the address as they gave it, typo included.
            Said::Client(0, sign(&format!("No email from the portal yet. I spelled it out at the desk: {email}"))),
            Said::Client(6, format!("Sorry, also: my phone is 555-{:04} if you need to call.", 1000 + index)),
        ],
        EmailTypo => {
            let meant = meant_address(&email);
            vec![Said::Client(
                0,
                sign(&format!(
                    "I never received the portal invitation email. My email is {meant}. Could you send it again?"
                )),
            )]
        }
        Bounced => vec![
            Said::Client(0, sign(&format!("I still have nothing from you. I gave {email} at the front desk."))),
            Said::PhoneNote(
                12,
                staff,
                "Called the client back: the address is theirs but they rarely use it; mailbox may be closed.".into(),
            ),
        ],
        DeliveredNotOpened => {
            let reply = ours(&format!(
                "We sent the invitation this morning. Please search your inbox, Spam and Trash for an email from {}.",
                crate::diagnose::replies::SENDER
            ));
            vec![
                Said::Client(0, sign("Where is the registration email? I checked my inbox twice.")),
                Said::Staff(8, staff, reply.clone()),
                Said::Client(
                    15,
                    quoting(
                        &format!(
                            "I searched for {} and found nothing, not even in Spam.",
                            crate::diagnose::replies::SENDER
                        ),
                        &reply,
                        opened_at + Duration::minutes(8),
                    ),
                ),
            ]
        }
        ExpiredClientInvite => {
            vec![Said::Client(0, sign("The portal link says invalid. I got the email a few days ago, around 9:30."))]
        }
        ExpiredStaffInvite => vec![
            Said::Client(0, format!("Hi, I'm the new clinician. My invite link says invalid.\n{full}")),
            Said::PhoneNote(
                5,
                staff,
                "New clinician called; started onboarding at 2pm, link was from the morning.".into(),
            ),
        ],
        SupersededLink => {
            let reply = ours("We have sent you a new invitation link. It works for 48 hours.");
            vec![
                Said::Client(0, sign("The link I was just sent says invalid.")),
                Said::Staff(4, staff, reply.clone()),
                Said::Client(
                    9,
                    quoting(
                        "I clicked the link in yesterday's email again and it still says invalid!",
                        &reply,
                        opened_at + Duration::minutes(4),
                    ),
                ),
            ]
        }
        OpenedManyTimes => vec![Said::Client(
            0,
            sign(
                "The page keeps saying the link is invalid. I refreshed it 6 or 7 times, ticket T-999 from last year was the same.",
            ),
        )],
        DobWrongFormat | DobDayMonthSwapped => {
            let dob = *account.dob.expose();
            let words = if case == DobDayMonthSwapped {
                format!("It won't take my birthday. I was born {}. I typed it the way I always do.", dob_as_typed(dob))
            } else {
                format!("Date of birth not accepted. My DOB is {} and I tried it 3 times.", dob_as_typed(dob))
            };
            vec![Said::Client(0, sign(&words))]
        }
        DobOnFileWrong => {
            let real =
                NaiveDate::from_ymd_opt(rng.range(1950, 1999) as i32, rng.range(1, 12) as u32, rng.range(1, 28) as u32)
                    .unwrap_or_default();
            vec![
                Said::Client(
                    0,
                    sign(&format!("It says my DOB is wrong but it is right: date of birth {}.", dob_as_typed(real))),
                ),
                Said::PhoneNote(
                    10,
                    staff,
                    "Called the client, verified identity by phone; the DOB on file looks like a placeholder.".into(),
                ),
            ]
        }
        NoInvite => vec![Said::Client(
            0,
            format!("Hello, my therapist said I would get access to the portal. Can you set it up?\n{full}"),
        )],
        AlreadyAccepted => {
            vec![Said::Client(0, sign("The registration link says invalid. I signed up a while ago I think?"))]
        }
        StaffInviteExpiringSoon => {
            vec![Said::Client(0, format!("Setting up my staff login now, just checking it works.\n{full}"))]
        }
        ScannerPreOpened => vec![Said::Client(
            0,
            sign("The portal says I already opened the invite, but I never saw it! Nobody else uses my email."),
        )],
        RewrittenLink => vec![Said::Client(
            0,
            sign("The invite link goes to a strange long address starting with urldefense.com. Is it safe?"),
        )],
        OpenedOnPhoneLater => vec![Said::Client(0, sign("I opened the link on my phone at lunch. What do I do now?"))],
        WrongAddress => {
            let other = account
                .emails
                .iter()
                .find(|e| !e.is_default)
                .map(|e| e.address.expose().clone())
                .unwrap_or_else(|| email.clone());
            vec![Said::Client(0, sign(&format!("I never got the invite at my Gmail, {other}. Can you check?")))]
        }
    }
}

/// Subjects of the extra tickets.
const EXTRA_SUBJECTS: &[&str] = &[
    "Can't log in to the portal",
    "Invite link not working",
    "Never got the registration email",
    "Date of birth not accepted",
    "Need a new portal link",
    "Portal access for my appointment",
];

/// `count` extra open tickets on client accounts, each with the client's
/// first message: the queue of a busy week, for benchmarks. Deterministic.
fn extra(
    conn: &Connection,
    rng: &mut Rng,
    count: usize,
    staff: i64,
    total: i64,
    now: DateTime<Utc>,
    due: Duration,
) -> rusqlite::Result<usize> {
    let clients = (total - staff).max(1);
    for n in 0..count {
        let account_rowid = staff + 1 + (n as i64 * 7919) % clients;
        let subject = *rng.pick(EXTRA_SUBJECTS);
        // Spread over the week before the seeded queue, oldest first.
        let opened_at = now - Duration::days(7) + Duration::seconds((n as i64 * 604_800) / count.max(1) as i64);
        let channel = [TicketChannel::Email, TicketChannel::Portal, TicketChannel::Phone, TicketChannel::Chat][n % 4];
        let assignee = (n % 9 == 4).then_some("agent_chen");
        let id = tickets::insert(
            conn,
            &NewTicket {
                subject,
                account_rowid,
                status: TicketStatus::Open,
                channel,
                opened_at,
                assignee,
                due_at: opened_at + due,
            },
        )?;
        first_message(conn, &id, account_rowid, channel, subject, opened_at)?;
    }
    Ok(count)
}

/// The client's first message on a new ticket, in a few words from its
/// subject (extra tickets, and the ones the simulation opens).
pub fn first_message(
    conn: &Connection,
    ticket_id: &TicketId,
    account_rowid: i64,
    channel: TicketChannel,
    subject: &str,
    at: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let ticket_rowid = tickets::rowid_of(conn, ticket_id)?;
    let (account_id, name) = accounts::id_and_name(conn, account_rowid)?;
    let body = format!("Hi, {}. Please help.\n{name}", subject.to_lowercase());
    let new = NewMessage {
        ticket_rowid,
        at,
        kind: AuthorKind::Client,
        author_id: &account_id,
        author_name: &name,
        channel,
        body: &body,
    };
    messages::insert(conn, &new)?;
    Ok(())
}
