//! `sandbox serve --simulate`: a living desk on the sandbox clock, so one
//! person trying the console sees a team at work. Other agents claim
//! tickets, write notes and resend invites (some to mistyped addresses,
//! which bounce); new tickets arrive; clients open their links and fail or
//! pass the DOB. Deterministic for a seed: the same seed on the same data
//! and clock makes the same moves. Every move goes through the same store
//! functions and rules as the API routes, in one transaction with its
//! events.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use super::actions;
use super::problem::ApiError;
use super::rng::Rng;
use super::routes::AppState;
use super::seed;
use super::store::{self, accounts, events, invites, tickets};
use super::visits::{self, Visitor};
use crate::portal::model::{
    AuditAction, EventType, InviteId, PresenceMode, TicketChannel, TicketId, TicketStatus, VisitMethod,
};

/// How the simulation runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Simulation {
    /// The seed of its choices.
    pub seed: u64,
    /// Wall time between moves.
    pub every: Duration,
}

impl Simulation {
    /// A move every three seconds.
    pub fn new(seed: u64) -> Self {
        Self { seed, every: Duration::from_secs(3) }
    }
}

/// The agents the simulation plays (never the API token's own staff member).
pub const AGENTS: &[&str] = &["agent_rivera", "agent_chen"];

/// What one move did, for tests and the log (ids only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Move {
    Claimed {
        ticket_id: TicketId,
        agent: String,
    },
    Noted {
        ticket_id: TicketId,
        agent: String,
    },
    Resent {
        invite_id: InviteId,
        agent: String,
    },
    NewTicket {
        ticket_id: TicketId,
    },
    Opened {
        invite_id: InviteId,
    },
    DobRefused {
        invite_id: InviteId,
    },
    Accepted {
        invite_id: InviteId,
    },
    /// Nothing fitted (no open ticket, no pending invite, a rate limit).
    Idle,
}

/// Plays the desk until the sandbox stops.
pub async fn run(state: AppState, simulation: Simulation) {
    let mut dice = Rng::new(simulation.seed);
    let mut every = tokio::time::interval(simulation.every);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    every.tick().await;
    loop {
        every.tick().await;
        let shared = Arc::clone(&state.0);
        let Ok((back, outcome)) = tokio::task::spawn_blocking(move || {
            let link_base = shared.link_base.clone();
            let outcome = shared.transact(|tx, now| step(tx, &mut dice, &link_base, now));
            (dice, outcome)
        })
        .await
        else {
            return;
        };
        dice = back;
        match outcome {
            Ok(played) => tracing::debug!(?played, "simulated desk"),
            Err(error) => tracing::debug!(status = error.status.as_u16(), "a simulated move was refused"),
        }
    }
}

/// Makes one move.
pub fn step(conn: &Connection, dice: &mut Rng, link_base: &str, now: DateTime<Utc>) -> Result<Move, ApiError> {
    let agent = (*dice.pick(AGENTS)).to_owned();
    let roll = dice.below(100);
    let played = match roll {
        0..=14 => claim(conn, dice, &agent, now)?,
        15..=29 => note(conn, dice, &agent, now)?,
        30..=44 => resend(conn, dice, &agent, link_base, now)?,
        45..=54 => new_ticket(conn, dice, now)?,
        55..=74 => open_link(conn, dice, now)?,
        _ => try_dob(conn, dice, now)?,
    };
    Ok(played)
}

/// One of the ids a store read answered, chosen by the dice.
fn choose(dice: &mut Rng, rows: rusqlite::Result<Vec<String>>) -> rusqlite::Result<Option<String>> {
    let rows = rows?;
    if rows.is_empty() { Ok(None) } else { Ok(Some(dice.pick(&rows).clone())) }
}

fn claim(conn: &Connection, dice: &mut Rng, agent: &str, now: DateTime<Utc>) -> Result<Move, ApiError> {
    let Some(ticket_id) = choose(dice, tickets::unclaimed_open_ids(conn, 20))?.map(TicketId::from) else {
        return Ok(Move::Idle);
    };
    let stored = tickets::by_id(conn, ticket_id.as_str(), now)?.ok_or_else(ApiError::internal)?;
    tickets::update(conn, stored.rowid, TicketStatus::Open, Some(agent), now)?;
    let summary = format!("{ticket_id}: assignee set to {agent}");
    let account_id = Some(&stored.ticket.account_id);
    store::record_audit(conn, now, agent, AuditAction::TicketUpdated, account_id, Some(&ticket_id), &summary)?;
    events::ticket_event(conn, EventType::TicketUpdated, &stored.ticket, Some(agent), now)?;
    events::heartbeat(conn, ticket_id.as_str(), agent, PresenceMode::Viewing, now)?;
    Ok(Move::Claimed { ticket_id, agent: agent.to_owned() })
}

/// Notes the simulated agents write: about the work, never about a person.
const NOTES: &[&str] = &[
    "Called the client back, no answer; left a voicemail to call the help desk.",
    "Client confirmed the address on file; waiting for them to try the link again.",
    "Checked the invite history; asked the client to look in Spam.",
    "Walked the client through the DOB format on the invite page.",
];

fn note(conn: &Connection, dice: &mut Rng, agent: &str, now: DateTime<Utc>) -> Result<Move, ApiError> {
    let Some(ticket_id) = choose(dice, tickets::unsolved_ids_of(conn, agent, 20))?.map(TicketId::from) else {
        return Ok(Move::Idle);
    };
    let stored = tickets::by_id(conn, ticket_id.as_str(), now)?.ok_or_else(ApiError::internal)?;
    events::heartbeat(conn, ticket_id.as_str(), agent, PresenceMode::Replying, now)?;
    let body: &&str = dice.pick(NOTES);
    tickets::add_note(conn, &stored, agent, body, now)?;
    let account_id = Some(&stored.ticket.account_id);
    store::record_audit(
        conn,
        now,
        agent,
        AuditAction::NoteAdded,
        account_id,
        Some(&ticket_id),
        super::rules::NOTE_SUMMARY,
    )?;
    events::ticket_event(conn, EventType::TicketMessage, &stored.ticket, Some(agent), now)?;
    Ok(Move::Noted { ticket_id, agent: agent.to_owned() })
}

fn resend(
    conn: &Connection,
    dice: &mut Rng,
    agent: &str,
    link_base: &str,
    now: DateTime<Utc>,
) -> Result<Move, ApiError> {
    let Some(ticket_id) = choose(dice, tickets::unsolved_ids(conn, 40))?.map(TicketId::from) else {
        return Ok(Move::Idle);
    };
    let stored = tickets::by_id(conn, ticket_id.as_str(), now)?.ok_or_else(ApiError::internal)?;
    let account = accounts::by_id(conn, stored.ticket.account_id.as_str())?.ok_or_else(ApiError::internal)?;
    events::heartbeat(conn, ticket_id.as_str(), agent, PresenceMode::Changing, now)?;
    let invite = actions::send_invite(conn, &account, agent, Some(&ticket_id), link_base, now)?;
    Ok(Move::Resent { invite_id: invite.id, agent: agent.to_owned() })
}

/// Subjects of the tickets that arrive.
const SUBJECTS: &[&str] = &[
    "Invite link says invalid",
    "Never got the portal email",
    "Portal won't take my date of birth",
    "Link expired before I could use it",
];

fn new_ticket(conn: &Connection, dice: &mut Rng, now: DateTime<Utc>) -> Result<Move, ApiError> {
    let count = accounts::client_count(conn)?;
    if count == 0 {
        return Ok(Move::Idle);
    }
    let offset = i64::try_from(dice.below(count.unsigned_abs())).unwrap_or(0);
    let rowid = accounts::client_rowid_at(conn, offset)?;
    let channel = *dice.pick(&[TicketChannel::Phone, TicketChannel::Email, TicketChannel::Portal]);
    let subject: &&str = dice.pick(SUBJECTS);
    let new = tickets::NewTicket {
        subject,
        account_rowid: rowid,
        status: TicketStatus::Open,
        channel,
        opened_at: now,
        assignee: None,
        due_at: now + crate::sandbox::rules::FIRST_RESPONSE_TARGET,
    };
    let ticket_id = tickets::insert(conn, &new)?;
    seed::first_message(conn, &ticket_id, rowid, channel, subject, now)?;
    let stored = tickets::by_id(conn, ticket_id.as_str(), now)?.ok_or_else(ApiError::internal)?;
    events::ticket_event(conn, EventType::TicketCreated, &stored.ticket, None, now)?;
    Ok(Move::NewTicket { ticket_id })
}

/// A pending invite, sent in the last two days, chosen by the dice.
fn pending_invite(
    conn: &Connection,
    dice: &mut Rng,
    now: DateTime<Utc>,
) -> rusqlite::Result<Option<invites::StoredInvite>> {
    let Some(invite_id) = choose(dice, invites::pending_unexpired_ids(conn, now, 20))? else {
        return Ok(None);
    };
    invites::by_id(conn, &invite_id, now)
}

/// A client on a phone, at home.
fn client() -> Visitor {
    Visitor {
        method: VisitMethod::Get,
        user_agent: Some(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) \
             Version/17.4 Mobile/15E148 Safari/604.1"
                .to_owned(),
        ),
        remote: std::net::IpAddr::from([73, 14, 2, 9]),
        referrer: None,
        cookies: true,
    }
}

fn open_link(conn: &Connection, dice: &mut Rng, now: DateTime<Utc>) -> Result<Move, ApiError> {
    let Some(invite) = pending_invite(conn, dice, now)? else {
        return Ok(Move::Idle);
    };
    visits::show_page(conn, &invite, &client(), now)?;
    Ok(Move::Opened { invite_id: invite.invite.id })
}

fn try_dob(conn: &Connection, dice: &mut Rng, now: DateTime<Utc>) -> Result<Move, ApiError> {
    let Some(invite) = pending_invite(conn, dice, now)? else {
        return Ok(Move::Idle);
    };
    // Most tries fail (day first, no zeros): that is why they call.
    let accepted = dice.chance(0.3);
    let outcome = actions::dob_attempt(conn, &invite, accepted, now)?;
    let visitor = Visitor { method: VisitMethod::Post, ..client() };
    invites::record_visit(conn, invite.rowid, &visitor.visit(now, outcome, None))?;
    let invite_id = invite.invite.id;
    Ok(if accepted { Move::Accepted { invite_id } } else { Move::DobRefused { invite_id } })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portal::model::EventId;
    use crate::sandbox::seed;
    use crate::sandbox::store::events::{after, catch_up};

    fn desk(seed_value: u64) -> Vec<(Move, Vec<String>)> {
        let conn = Connection::open_in_memory().unwrap();
        store::open(&conn).unwrap();
        let t0 = DateTime::parse_from_rfc3339("2026-11-25T09:00:00Z").unwrap().to_utc();
        let plan = seed::SeedPlan {
            seed: 1,
            accounts: 120,
            extra_tickets: 0,
            first_response: crate::sandbox::rules::FIRST_RESPONSE_TARGET,
        };
        seed::seed(&conn, &plan, t0, "http://127.0.0.1:1").unwrap();
        events::forget_seeded(&conn).unwrap();
        catch_up(&conn, t0).unwrap();
        let mut dice = Rng::new(seed_value);
        let mut played = Vec::new();
        let mut seen = EventId(0);
        for n in 0..60 {
            let now = t0 + chrono::Duration::seconds(3 * n);
            catch_up(&conn, now).unwrap();
            let tx = conn.unchecked_transaction().unwrap();
            let made = step(&tx, &mut dice, "http://127.0.0.1:1", now).unwrap_or(Move::Idle);
            tx.commit().unwrap();
            let events = after(&conn, seen, 1000).unwrap();
            seen = events.last().map_or(seen, |e| e.id);
            played.push((made, events.into_iter().map(|e| e.data).collect()));
        }
        played
    }

    #[test]
    fn the_same_seed_plays_the_same_desk() {
        let first = desk(7);
        assert_eq!(first, desk(7));
        assert_ne!(first, desk(8));
        let moves: Vec<&Move> = first.iter().map(|(m, _)| m).collect();
        for wanted in ["Claimed", "Noted", "Resent", "NewTicket", "Opened", "DobRefused"] {
            assert!(moves.iter().any(|m| format!("{m:?}").starts_with(wanted)), "no {wanted} in {moves:?}");
        }
        // Every move that did something told the stream.
        for (made, events) in &first {
            if *made != Move::Idle {
                assert!(!events.is_empty(), "{made:?} made no event");
            }
        }
    }
}
