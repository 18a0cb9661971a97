//! Canned replies: one text template per troubleshooting finding and role,
//! kept in `assets/replies/<code>.md` (to clients) and
//! `assets/replies/staff/<code>.md` (to staff members, whose links last 1
//! hour), built in and overridable by the practice.
//!
//! Placeholders are written `{name}`: `{first_name}`, `{email}` (the
//! address, in full in what is sent; a screen masks it until revealed;
//! `{masked_email}` is its older name), `{sender}`, `{expiry_window}`,
//! `{expires_at}` (the invite's own deadline, to the minute, in the
//! practice's zone: `Dec 9, 12:06 AM EST`), `{sent_at}` (when the latest
//! invite went out). What is sent states absolute times only: a countdown
//! (`{expires_in}`, "from now") is refused. An unknown placeholder is left
//! as written, so a typo in a template shows rather than vanishes.

use std::collections::HashMap;

use super::troubleshoot::FindingCode;
use crate::portal::model::Role;
use crate::timezone::StaffZone;

/// The address invitation emails come from.
pub const SENDER: &str = "no-reply@therapyappointment.com";

/// Lists the built-in templates of each code: the one to clients from
/// `assets/replies/<code>.md`, the one to staff members from
/// `assets/replies/staff/<code>.md`, compiled in.
macro_rules! builtin {
    ($( $code:ident = $file:literal, )*) => {
        /// The built-in templates: code, to clients, to staff members.
        const BUILTIN: &[(FindingCode, &str, &str)] = &[
            $( (
                FindingCode::$code,
                include_str!(concat!("../../assets/replies/", $file, ".md")),
                include_str!(concat!("../../assets/replies/staff/", $file, ".md")),
            ), )*
        ];
    };
}

builtin! {
    InviteJustSent = "invite_just_sent",
    DobCorrected = "dob_corrected",
    NoInvite = "no_invite",
    InviteExpired = "invite_expired",
    SupersededLinkUsed = "superseded_link_used",
    AlreadyAccepted = "already_accepted",
    Bounced = "bounced",
    NotOpened = "not_opened",
    EmailTypo = "email_typo",
    LinkOpenedRepeatedly = "link_opened_repeatedly",
    DobFailures = "dob_failures",
    ProfileDobSuspect = "profile_dob_suspect",
    StaffInviteExpiring = "staff_invite_expiring",
    InviteWorking = "invite_working",
    WrongAddress = "wrong_address",
    LinkInvalid = "link_invalid",
    LinkRewritten = "link_rewritten",
    LinkPreOpened = "link_pre_opened",
    DobInMessage = "dob_in_message",
    EmailInMessage = "email_in_message",
}

/// The values a reply is filled with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplyContext {
    pub first_name: String,
    /// The address the reply names, as the case shows it (in full in
    /// anything sent).
    pub email: String,
    pub expiry_window: String,
    pub expires_at: String,
    pub sent_at: String,
}

/// The set of templates in use, the staff member's zone (findings) and the
/// practice's zone (what is sent to clients).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replies {
    templates: HashMap<(FindingCode, Role), String>,
    zone: StaffZone,
    practice: StaffZone,
}

/// The placeholders a template may use.
pub const PLACEHOLDERS: [&str; 7] =
    ["first_name", "email", "masked_email", "sender", "expiry_window", "expires_at", "sent_at"];

/// Placeholders that once existed and are refused now, with why.
const REFUSED: [(&str, &str); 1] =
    [("expires_in", "a countdown is true only the second it is drawn: an email states {expires_at}")];

impl Default for Replies {
    fn default() -> Self {
        Self::builtin()
    }
}

impl Replies {
    /// The templates shipped in `assets/replies/`.
    pub fn builtin() -> Self {
        Self {
            templates: BUILTIN
                .iter()
                .flat_map(|(code, client, staff)| [((*code, Role::Client), *client), ((*code, Role::Staff), *staff)])
                .map(|(key, text)| (key, text.trim().to_owned()))
                .collect(),
            zone: StaffZone::Utc,
            practice: StaffZone::Utc,
        }
    }

    /// Times in findings are written in `zone` (the staff member's), and,
    /// until [`Self::with_practice_zone`] says otherwise, in replies too.
    pub fn with_zone(mut self, zone: StaffZone) -> Self {
        self.zone = zone;
        self.practice = zone;
        self
    }

    /// Times in replies are written in `zone` (the practice's).
    pub fn with_practice_zone(mut self, zone: StaffZone) -> Self {
        self.practice = zone;
        self
    }

    /// The zone findings write times in.
    pub fn zone(&self) -> StaffZone {
        self.zone
    }

    /// The zone replies write times in.
    pub fn practice_zone(&self) -> StaffZone {
        self.practice
    }

    /// Replaces the built-in templates of the codes given, for both roles,
    /// with the practice's own (read from files by the configuration, and
    /// checked with [`check_template`]).
    pub fn with_overrides<'t>(mut self, overrides: impl IntoIterator<Item = (FindingCode, &'t str)>) -> Self {
        for (code, text) in overrides {
            self.set(code, text);
        }
        self
    }

    /// Replaces the template of `code`, for `role` alone or (`None`) for
    /// both: a practice's own wording.
    pub fn set_for(&mut self, code: FindingCode, role: Option<Role>, template: impl Into<String>) {
        let text = template.into().trim().to_owned();
        for r in [Role::Client, Role::Staff] {
            if role.is_none_or(|role| role == r) {
                self.templates.insert((code, r), text.clone());
            }
        }
    }

    /// Replaces the template of `code` for both roles.
    pub fn set(&mut self, code: FindingCode, template: impl Into<String>) {
        self.set_for(code, None, template);
    }

    /// The template of `code` to clients.
    pub fn template(&self, code: FindingCode) -> &str {
        self.template_for(code, Role::Client)
    }

    /// The template of `code` to an account of `role`.
    pub fn template_for(&self, code: FindingCode, role: Role) -> &str {
        self.templates.get(&(code, role)).map(String::as_str).unwrap_or_default()
    }

    /// The reply for `code` to a client, filled in.
    pub fn render(&self, code: FindingCode, context: &ReplyContext) -> String {
        self.render_for(code, Role::Client, context)
    }

    /// The reply for `code` to an account of `role`, filled in.
    pub fn render_for(&self, code: FindingCode, role: Role, context: &ReplyContext) -> String {
        fill(self.template_for(code, role), context)
    }
}

/// Whether a practice's template can be used: it is not empty and uses
/// only known placeholders. The error says what is wrong (the caller names
/// the file).
pub fn check_template(text: &str) -> Result<(), String> {
    if let Some((name, why)) = placeholders(text).find_map(|name| REFUSED.iter().find(|(r, _)| *r == name)) {
        return Err(format!("{{{name}}} is not allowed: {why}"));
    }
    if let Some(unknown) = placeholders(text).find(|name| !PLACEHOLDERS.contains(name)) {
        return Err(format!(
            "unknown placeholder {{{unknown}}}; known: {}",
            PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(" ")
        ));
    }
    if text.trim().is_empty() {
        return Err("the reply is empty".to_owned());
    }
    Ok(())
}

/// The `{names}` a template uses.
fn placeholders(template: &str) -> impl Iterator<Item = &str> {
    template.split('{').skip(1).filter_map(|part| part.split_once('}').map(|(name, _)| name))
}

/// Fills `{placeholders}` in one pass (a value containing braces is never
/// read as a placeholder).
pub fn fill(template: &str, context: &ReplyContext) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = &after[..close];
        let value = match name {
            "first_name" => Some(context.first_name.as_str()),
            "email" | "masked_email" => Some(context.email.as_str()),
            "sender" => Some(SENDER),
            "expiry_window" => Some(context.expiry_window.as_str()),
            "expires_at" => Some(context.expires_at.as_str()),
            "sent_at" => Some(context.sent_at.as_str()),
            _ => None,
        };
        match value {
            Some(value) => out.push_str(value),
            None => out.push_str(&rest[open..open + close + 2]),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> ReplyContext {
        ReplyContext {
            first_name: "Sam".into(),
            email: "sam@gmail.com".into(),
            expiry_window: "48 hours".into(),
            expires_at: "Nov 27, 09:00 UTC".into(),
            sent_at: "Nov 25, 09:00 UTC".into(),
        }
    }

    #[test]
    fn every_finding_has_a_builtin_template_using_known_placeholders() {
        let replies = Replies::builtin();
        for code in FindingCode::all() {
            for role in [Role::Client, Role::Staff] {
                let text = replies.render_for(code, role, &context());
                assert!(text.starts_with("Hi Sam,"), "{code:?} {role:?}: {text}");
                assert!(!text.contains('{') && !text.contains('}'), "{code:?} {role:?} left a placeholder: {text}");
            }
        }
    }

    #[test]
    fn fill_is_single_pass_and_keeps_unknown_placeholders() {
        let mut c = context();
        c.first_name = "{email}".into();
        assert_eq!(fill("Hi {first_name}!", &c), "Hi {email}!");
        assert_eq!(fill("{email} {masked_email}", &c), "sam@gmail.com sam@gmail.com", "the old name is the same");
        assert_eq!(fill("{expires_in}", &c), "{expires_in}", "a countdown is never filled");
        assert_eq!(fill("{nope} {sender}", &c), format!("{{nope}} {SENDER}"));
        assert_eq!(fill("unclosed {first_name", &c), "unclosed {first_name");
        assert_eq!(fill("", &c), "");
        assert_eq!(fill("é{first_name}ü", &context()), "éSamü");
    }

    #[test]
    fn a_practice_can_override_a_template() {
        let mut replies = Replies::builtin();
        replies.set(FindingCode::NotOpened, "Check Spam, {first_name}.\n");
        assert_eq!(replies.render(FindingCode::NotOpened, &context()), "Check Spam, Sam.");
    }

    #[test]
    fn overrides_replace_only_their_own_templates_and_bad_ones_are_told() {
        let replies =
            Replies::builtin().with_overrides([(FindingCode::NotOpened, "Hello {first_name}, look in Spam.\n")]);
        assert_eq!(replies.render(FindingCode::NotOpened, &context()), "Hello Sam, look in Spam.");
        assert!(replies.render(FindingCode::Bounced, &context()).starts_with("Hi Sam,"), "others stay built in");

        assert_eq!(check_template("Hello {first_name}, from {sender} until {expires_at}."), Ok(()));
        let err = check_template("Hi {frist_name}").unwrap_err();
        assert!(err.contains("{frist_name}") && err.contains("{first_name}"), "{err}");
        assert_eq!(check_template(" \n\t"), Err("the reply is empty".to_owned()));
        let err = check_template("Use it within {expires_in}.").unwrap_err();
        assert!(err.contains("{expires_in}") && err.contains("{expires_at}"), "{err}");
        // Anything at all: an answer, no panic.
        for text in ["{", "}", "{}", "{{a}}", "é{", "{é}"] {
            let _ = check_template(text);
        }
    }
}
