//! A link the client pasted, matched to one of the account's invites: which
//! invite it is, whether it is the newest, and why it works or not ("this
//! is the link of Nov 29, superseded by the resend at 10:42: use the newest
//! email"). A token that matches no invite is said so, with its length
//! against a real token's (a cut or mangled copy).
//!
//! Pure: the instant and the staff member's zone are arguments. The token
//! itself is never kept: only its digest (as the portal's `token_sha256`)
//! and its length, so neither a finding nor `Debug` can carry it.

use chrono::{DateTime, Utc};

use super::invite::{self, InviteState};
use super::pasted_link::{self, LinkFinding, LinkFindingCode, TOKEN_LEN};
use crate::portal::model::{Invite, InviteId, Role, token_digest};
use crate::timezone::StaffZone;

/// What is kept of a pasted link: what it says on its own (layers, opaque
/// wrappers, not a link) and its token's digest and length.
#[derive(Clone, PartialEq, Eq)]
pub struct PastedLink {
    /// The findings about the link itself (wrappers, opaque, length).
    pub link: Vec<LinkFinding>,
    /// The token's digest and its length in characters, if it is an
    /// invite link.
    pub token: Option<(String, usize)>,
}

impl std::fmt::Debug for PastedLink {
    /// The digest stays out: it names a credential.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PastedLink")
            .field("link", &self.link)
            .field("token_len", &self.token.as_ref().map(|(_, len)| *len))
            .finish()
    }
}

/// Unwraps a pasted text and keeps what matching needs; the token itself is
/// dropped here.
pub fn read_pasted(text: &str) -> PastedLink {
    let unwrapped = pasted_link::unwrap_link(text);
    let link = pasted_link::link_findings(&unwrapped);
    let token = unwrapped.token.as_deref().map(|t| (token_digest(t), t.chars().count()));
    PastedLink { link, token }
}

/// What a pasted link's match says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchCode {
    /// The link of the newest invite, which works.
    NewestWorks,
    /// The link of an invite that no longer works (or not the newest).
    OlderOrDead,
    /// The token matches none of the account's invites.
    NoMatch,
    /// Nothing to match: not a link, no invite link, or an opaque wrapper.
    Unmatched,
}

/// The finding about a pasted link against the account's invites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkMatch {
    pub code: MatchCode,
    /// The invite the link belongs to, if one does.
    pub invite_id: Option<InviteId>,
    pub newest: bool,
    pub works: bool,
    /// In words, the first line staff read.
    pub message: String,
}

/// Matches a pasted link to `invites` (any order) of an account of `role`.
pub fn match_invites(
    pasted: &PastedLink,
    invites: &[Invite],
    role: Role,
    now: DateTime<Utc>,
    zone: StaffZone,
) -> LinkMatch {
    let unmatched = |message: String| LinkMatch {
        code: MatchCode::Unmatched,
        invite_id: None,
        newest: false,
        works: false,
        message,
    };
    let Some((digest, len)) = &pasted.token else {
        let message = pasted
            .link
            .iter()
            .rev()
            .find(|f| f.code != LinkFindingCode::Wrapped)
            .map(|f| f.message.clone())
            .unwrap_or_else(|| "The pasted text holds no invite link".to_owned());
        return unmatched(message);
    };
    let newest = invites.iter().max_by_key(|i| i.sent_at);
    let Some(found) = invites.iter().find(|i| i.token_sha256.as_deref() == Some(digest.as_str())) else {
        let message = if *len == TOKEN_LEN {
            format!(
                "The pasted link matches none of this account's {}: it is another account's link, or \
                 it was changed in the copy; ask the client to click the link in the newest email",
                crate::wording::count(invites.len() as u64, "invite", "invites")
            )
        } else {
            format!(
                "The pasted link matches none of this account's invites: its token has {len} characters where a \
                 real one has {TOKEN_LEN}, so it was cut or mangled when copied; ask the client to click the link \
                 in the email instead of copying it"
            )
        };
        return LinkMatch { code: MatchCode::NoMatch, invite_id: None, newest: false, works: false, message };
    };
    let is_newest = newest.is_some_and(|n| n.id == found.id);
    let state = invite::state(found, role, now);
    let works = state.is_live();
    let sent = zone.short(found.sent_at);
    let which = format!("This is the link of {sent} ({})", found.id);
    let later = invites.iter().filter(|i| i.sent_at > found.sent_at).min_by_key(|i| i.sent_at);
    let use_newest = match newest.filter(|_| !is_newest) {
        Some(n) if invite::state(n, role, now).is_live() => "use the newest email".to_owned(),
        Some(_) => "the newest invite does not work either: resend".to_owned(),
        None => "resend the invite".to_owned(),
    };
    let message = match state {
        InviteState::Pending | InviteState::ExpiringSoon if is_newest => format!(
            "{which}, the newest invite: it works for {} more (until {}); the client clicks it and enters the DOB",
            invite::remaining(found.expires_at - now),
            zone.short(found.expires_at)
        ),
        InviteState::Pending | InviteState::ExpiringSoon => format!(
            "{which}: it still works for {}, but it is not the newest invite; {use_newest}",
            invite::remaining(found.expires_at - now)
        ),
        InviteState::Superseded => match later {
            Some(l) => format!(
                "{which}, superseded by the resend at {}: it shows the invalid-link page; {use_newest}",
                zone.short(l.sent_at)
            ),
            None => format!("{which}, superseded by a later resend: it shows the invalid-link page; {use_newest}"),
        },
        InviteState::Expired => format!(
            "{which}: it expired {} ({} links last {}); {use_newest}",
            zone.short(found.expires_at),
            role.as_str(),
            invite::window_words(role)
        ),
        InviteState::Revoked => format!("{which}: it was revoked and shows the invalid-link page; {use_newest}"),
        InviteState::Accepted => {
            format!("{which}: it was already used to accept the invite; the client logs in with their password")
        }
    };
    let code = if works && is_newest { MatchCode::NewestWorks } else { MatchCode::OlderOrDead };
    LinkMatch { code, invite_id: Some(found.id.clone()), newest: is_newest, works, message }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portal::model::{Invite, InviteId, InviteStatus};
    use chrono::Duration;

    const TOKEN_A: &str = "0123456789abcdef0123456789abcdef";
    const TOKEN_B: &str = "fedcba9876543210fedcba9876543210";

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-30T12:00:00Z").unwrap().to_utc()
    }

    /// The timeline tests' invite, with its token's digest.
    fn invite(id: &str, token: &str, sent: DateTime<Utc>, status: InviteStatus) -> Invite {
        let mut invite = crate::diagnose::timeline::tests::invite(id, sent, status);
        invite.token_sha256 = Some(token_digest(token));
        invite
    }

    fn link(token: &str) -> String {
        format!("https://portal.example.com/invite/{token}")
    }

    fn two() -> Vec<Invite> {
        let old = invite("inv_1", TOKEN_A, now() - Duration::hours(30), InviteStatus::Superseded);
        let new = invite("inv_2", TOKEN_B, now() - Duration::hours(2), InviteStatus::Pending);
        vec![new, old]
    }

    #[test]
    fn an_old_link_is_named_superseded_by_the_resend_and_points_to_the_newest() {
        let pasted = read_pasted(&link(TOKEN_A));
        let m = match_invites(&pasted, &two(), Role::Client, now(), StaffZone::Utc);
        assert_eq!(m.invite_id.as_ref().map(InviteId::as_str), Some("inv_1"));
        assert!(!m.newest && !m.works);
        assert_eq!(m.code, MatchCode::OlderOrDead);
        assert!(m.message.contains("link of Nov 29 06:00 UTC"), "{}", m.message);
        assert!(m.message.contains("superseded by the resend at Nov 30 10:00 UTC"), "{}", m.message);
        assert!(m.message.ends_with("use the newest email"), "{}", m.message);
    }

    #[test]
    fn the_newest_link_works_and_says_until_when() {
        // Wrapped by Safe Links, as pasted from Outlook.
        let wrapped = format!(
            "https://nam12.safelinks.protection.outlook.com/?url={}&data=1",
            percent_encoding::utf8_percent_encode(&link(TOKEN_B), percent_encoding::NON_ALPHANUMERIC)
        );
        let m = match_invites(&read_pasted(&wrapped), &two(), Role::Client, now(), StaffZone::Utc);
        assert_eq!(
            (m.code, m.invite_id.as_ref().map(InviteId::as_str), m.newest, m.works),
            (MatchCode::NewestWorks, Some("inv_2"), true, true)
        );
        assert!(m.message.contains("46h 00m"), "{}", m.message);
    }

    #[test]
    fn a_token_of_no_invite_says_so_and_compares_its_length() {
        let cut = &TOKEN_B[..20];
        let m = match_invites(&read_pasted(&link(cut)), &two(), Role::Client, now(), StaffZone::Utc);
        assert_eq!(m.code, MatchCode::NoMatch);
        assert!(m.message.contains("has 20 characters where a real one has 32"), "{}", m.message);
        let other = "00000000000000000000000000000000";
        let m = match_invites(&read_pasted(&link(other)), &two(), Role::Client, now(), StaffZone::Utc);
        assert_eq!(m.code, MatchCode::NoMatch);
        assert!(m.message.contains("matches none of this account's 2 invites"), "{}", m.message);
        assert!(!m.message.contains(other) && !format!("{:?}", read_pasted(&link(other))).contains(other));
    }

    #[test]
    fn an_expired_link_and_no_link_at_all() {
        let mut invites = two();
        invites[0].expires_at = now() - Duration::minutes(1);
        invites[0].status = InviteStatus::Expired;
        let m = match_invites(&read_pasted(&link(TOKEN_B)), &invites, Role::Client, now(), StaffZone::Utc);
        assert!(m.newest && !m.works);
        assert!(m.message.contains("it expired") && m.message.contains("resend"), "{}", m.message);
        let m = match_invites(&read_pasted("hello"), &invites, Role::Client, now(), StaffZone::Utc);
        assert_eq!(m.code, MatchCode::Unmatched);
        assert!(m.message.contains("not a web link"), "{}", m.message);
    }
}
