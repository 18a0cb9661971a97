//! `portaldesk watch`: the portal's events as they arrive.

use clap::Args;
use futures::StreamExt;
use serde::Serialize;

use super::Failure;
use super::out;
use crate::portal::model::{EventId, EventType, PortalEvent};
use crate::portal::{FollowOptions, Live, PortalClient};

#[derive(Debug, Clone, Args)]
pub struct WatchArgs {
    /// One JSON object per line: {"id", "type", "at", "ticket_id"?,
    /// "account_id"?, "invite_id"?, "actor"?}.
    #[arg(long)]
    pub json: bool,
    /// Only these event types, comma-separated (e.g. invite.sent,invite.dob_refused).
    #[arg(long, value_delimiter = ',', value_parser = parse_type)]
    pub types: Vec<EventType>,
    /// Start after this event id (what an earlier watch printed last), not
    /// from now.
    #[arg(long, value_name = "ID")]
    pub since: Option<u64>,
    /// Stop after this many events (for scripts and tests).
    #[arg(long, hide = true)]
    pub count: Option<u64>,
}

fn parse_type(text: &str) -> Result<EventType, String> {
    text.trim().parse::<EventType>().map_err(|_| {
        let known: Vec<&str> = EventType::ALL.iter().filter(|t| **t != EventType::Reset).map(|t| t.as_str()).collect();
        format!("unknown event type (known: {})", known.join(", "))
    })
}

/// An event as `--json` prints it: its id beside its data.
#[derive(Serialize)]
struct Line<'a> {
    id: EventId,
    #[serde(flatten)]
    event: &'a PortalEvent,
}

pub async fn watch(client: &PortalClient, args: &WatchArgs) -> Result<(), Failure> {
    let since = args.since.map(EventId);
    let mut events = Box::pin(client.follow(since, &args.types, FollowOptions::default()));
    let mut printed = 0u64;
    let mut connected_once = false;
    loop {
        let next = tokio::select! {
            next = events.next() => next,
            _ = super::sandbox::shutdown_signal() => return Ok(()),
        };
        match next {
            None => return Ok(()),
            Some(Live::Connected) => {
                if connected_once {
                    eprintln!("portaldesk: reconnected; resuming after the last event shown");
                }
                connected_once = true;
            }
            Some(Live::Lost(error)) if error.is_unreachable() || error.is_transient() => {
                eprintln!("portaldesk: the event stream dropped ({}); reconnecting", error.kind());
            }
            Some(Live::Lost(error)) => return Err(error.into()),
            Some(Live::Event(event)) => {
                if args.json {
                    out::json(&Line { id: event.id, event: &event })?;
                } else {
                    out::text_out(&readable(&event))?;
                }
                printed += 1;
                if args.count.is_some_and(|count| printed >= count) {
                    return Ok(());
                }
            }
        }
    }
}

/// `#12  2026-11-25 09:14:03Z  invite.sent  account acc_1  invite inv_9  by agent_rivera`
fn readable(event: &PortalEvent) -> String {
    let mut line = format!("#{}  {}  {}", event.id, event.at.format("%Y-%m-%d %H:%M:%SZ"), event.kind);
    let parts = [
        ("ticket", event.ticket_id.as_ref().map(|id| id.as_str())),
        ("account", event.account_id.as_ref().map(|id| id.as_str())),
        ("invite", event.invite_id.as_ref().map(|id| id.as_str())),
        ("by", event.actor.as_deref()),
    ];
    for (label, value) in parts {
        if let Some(value) = value {
            line.push_str(&format!("  {label} {}", out::field(value)));
        }
    }
    if event.kind == EventType::Reset {
        line.push_str("  (events were missed: read everything again)");
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_reads_as_one_line() {
        let mut event = PortalEvent::new(EventType::InviteSent, chrono::DateTime::UNIX_EPOCH);
        event.id = EventId(12);
        event.account_id = Some("acc_1".into());
        event.actor = Some("agent_rivera".into());
        assert_eq!(readable(&event), "#12  1970-01-01 00:00:00Z  invite.sent  account acc_1  by agent_rivera");
        let json = out::json_text(&Line { id: event.id, event: &event }).unwrap();
        assert_eq!(
            json,
            r#"{"id":12,"type":"invite.sent","at":"1970-01-01T00:00:00Z","account_id":"acc_1","actor":"agent_rivera"}"#
        );
        assert!(parse_type("ticket.deleted").unwrap_err().contains("invite.dob_refused"));
    }
}
