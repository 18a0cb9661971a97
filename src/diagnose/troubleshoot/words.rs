//! What the client wrote in a ticket: the DOBs, the email addresses and
//! the claims (what they say they did, saw or want) of their public
//! messages, each with the message it is in and where, read once per
//! conversation (the console reads them again only when the conversation
//! is read again).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::diagnose::claims::ClaimKind;
use crate::diagnose::message::{self, MessageContext};
use crate::diagnose::replies::SENDER;
use crate::phi::Phi;
use crate::portal::model::{AuthorKind, MessageId, TicketMessage, Visibility};

/// Where a finding's words come from: a message of the conversation and
/// the characters in it (Unicode scalar values, end exclusive), so the
/// console can point at them. Holds no PHI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Citation {
    pub message_id: MessageId,
    pub start: usize,
    pub end: usize,
}

/// One DOB or address the client wrote. (`Debug` shows no text.)
#[derive(Clone, PartialEq, Eq)]
pub struct Written {
    /// Where it is.
    pub cites: Citation,
    /// When the message was written.
    pub at: DateTime<Utc>,
    /// Exactly as written.
    pub text: Phi<String>,
    /// A DOB as the DOB reader reads it (a month name in another language
    /// put in English); an address as written.
    pub reading: Phi<String>,
}

impl std::fmt::Debug for Written {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Written").field("cites", &self.cites).field("at", &self.at).finish_non_exhaustive()
    }
}

/// What the client says they did, saw or want, in one of their messages.
/// (`Debug` shows no text.)
#[derive(Clone, PartialEq, Eq)]
pub struct Claimed {
    pub kind: ClaimKind,
    /// Where it is.
    pub cites: Citation,
    /// When the message was written.
    pub at: DateTime<Utc>,
    /// The words that make the claim, exactly as written.
    pub text: Phi<String>,
}

impl std::fmt::Debug for Claimed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Claimed")
            .field("kind", &self.kind)
            .field("cites", &self.cites)
            .field("at", &self.at)
            .finish_non_exhaustive()
    }
}

/// What the client wrote in the ticket's public messages: the DOBs, email
/// addresses and claims, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientWords {
    pub dobs: Vec<Written>,
    pub emails: Vec<Written>,
    pub claims: Vec<Claimed>,
}

/// No words: an account looked at without its ticket.
pub(super) static NO_WORDS: ClientWords = ClientWords { dobs: Vec::new(), emails: Vec::new(), claims: Vec::new() };

impl ClientWords {
    /// Reads the client's public messages of a conversation (any order).
    pub fn of(messages: &[TicketMessage], today: NaiveDate) -> Self {
        let ctx = MessageContext { today, own_addresses: &[SENDER] };
        let mut theirs: Vec<&TicketMessage> = messages
            .iter()
            .filter(|m| m.author.kind == AuthorKind::Client && m.visibility == Visibility::Public)
            .collect();
        theirs.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
        let mut words = Self::default();
        for m in theirs {
            let mentions = message::read_message(m.body.expose(), &ctx);
            let written = |text: String, reading: String, start, end| Written {
                cites: Citation { message_id: m.id.clone(), start, end },
                at: m.at,
                text: Phi::new(text),
                reading: Phi::new(reading),
            };
            words.dobs.extend(mentions.dobs.into_iter().map(|d| written(d.text, d.reading, d.start, d.end)));
            words.emails.extend(mentions.emails.into_iter().map(|e| written(e.text.clone(), e.text, e.start, e.end)));
            words.claims.extend(mentions.claims.into_iter().map(|c| Claimed {
                kind: c.kind,
                cites: Citation { message_id: m.id.clone(), start: c.start, end: c.end },
                at: m.at,
                text: Phi::new(c.text),
            }));
        }
        words
    }

    /// Whether the client wrote nothing to check.
    pub fn is_empty(&self) -> bool {
        self.dobs.is_empty() && self.emails.is_empty() && self.claims.is_empty()
    }

    /// The newest claim of `kind`, if the client made one.
    pub fn claimed(&self, kind: ClaimKind) -> Option<&Claimed> {
        self.claims.iter().filter(|c| c.kind == kind).max_by_key(|c| (c.at, c.cites.start))
    }

    /// The newest claim of `kind` written at or after `since` (what they
    /// say of an email sent at `since` was written after it came).
    pub fn claimed_since(&self, kind: ClaimKind, since: DateTime<Utc>) -> Option<&Claimed> {
        self.claimed(kind).filter(|c| c.at >= since)
    }

    /// The DOB the client wrote last (the newest message, the last in it).
    pub fn latest_dob(&self) -> Option<&Written> {
        self.dobs.iter().max_by_key(|w| (w.at, w.cites.start))
    }
}
