//! What every action goes through: `--yes` or a confirmation on the
//! terminal, and failures that say whether the portal may have done it
//! anyway. (Its retries with one Idempotency-Key are `crate::request`'s,
//! as every change's.)

use std::io::{IsTerminal, Write};

use super::Failure;
use super::out::Privacy;
use crate::diagnose::invite;
use crate::portal::PortalError;

/// Whether to ask before acting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirm {
    Given,
    Ask,
}

/// `--yes`, or a terminal to ask on; else a usage error naming `--yes`.
pub fn confirmation(yes: bool, what: &str) -> Result<Confirm, Failure> {
    if yes {
        Ok(Confirm::Given)
    } else if std::io::stdin().is_terminal() {
        Ok(Confirm::Ask)
    } else {
        Err(Failure::new(
            2,
            format!(
                "{what} changes the portal and stdin is not a terminal to confirm on: add --yes to do it without asking"
            ),
        ))
    }
}

/// Shows the plan and asks. The plan goes to stdout when it is the terminal,
/// following --reveal; otherwise (stdout redirected, e.g. `--json > file`)
/// to stderr, always masked.
pub fn ask(plan: impl Fn(Privacy) -> String, privacy: Privacy, question: &str) -> Result<bool, Failure> {
    let io = |e: std::io::Error| Failure::new(1, format!("cannot ask for confirmation: {e}"));
    let (text, mut sink): (String, Box<dyn Write>) = if std::io::stdout().is_terminal() {
        (plan(privacy), Box::new(std::io::stdout()))
    } else {
        (plan(Privacy::MASKED), Box::new(std::io::stderr()))
    };
    let text = crate::sanitize::multiline(&text);
    write!(sink, "{text}{question} [y/N] ").and_then(|()| sink.flush()).map_err(io)?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer).map_err(io)?;
    Ok(is_yes(&answer))
}

/// Asks when `confirm` says so; a "no" fails, saying `nothing` was done.
pub fn go_ahead(
    confirm: Confirm,
    plan: impl Fn(Privacy) -> String,
    privacy: Privacy,
    question: &str,
    nothing: &str,
) -> Result<(), Failure> {
    if confirm == Confirm::Ask && !ask(plan, privacy, question)? {
        return Err(Failure::new(1, format!("cancelled: {nothing}")));
    }
    Ok(())
}

/// A reason kept in the audit trail: 1 to 500 characters, trimmed; a usage
/// error otherwise.
pub fn reason(text: &str) -> Result<&str, Failure> {
    let reason = text.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(Failure::new(2, "--reason must be 1 to 500 characters (it is kept in the audit trail)"));
    }
    Ok(reason)
}

/// `y` or `yes`, in any case.
fn is_yes(answer: &str) -> bool {
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

/// An ETag as sent: a bare `a12v3` gets its quotes.
pub fn quoted(etag: &str) -> String {
    let etag = etag.trim();
    if etag.starts_with('"') || etag.starts_with("W/") { etag.to_owned() } else { format!("\"{etag}\"") }
}

#[cfg(test)]
use crate::request::may_retry;

/// A read before anything was sent failed: whatever the error, the portal
/// was not changed, and the message says so plainly.
pub fn nothing_sent(error: PortalError, what: &str) -> Failure {
    let code = u8::try_from(error.exit_code()).unwrap_or(1);
    Failure::new(code, format!("{what} (nothing was sent): {error}"))
}

/// A mutation that failed. When the portal may have done it anyway, say how
/// to check before trying again (a new command makes a new key).
pub fn not_done(error: PortalError, what: &str, check: &str, account: &str) -> Failure {
    let code = u8::try_from(error.exit_code()).unwrap_or(1);
    if let PortalError::RateLimited { retry_after, .. } = error {
        let wait = invite::remaining(chrono::Duration::seconds(i64::try_from(retry_after.as_secs()).unwrap_or(0)));
        return Failure::new(
            code,
            format!("{what}: the portal is limiting how often this is done; try again in {wait}"),
        );
    }
    let uncertain = matches!(
        error,
        PortalError::Timeout | PortalError::Dropped | PortalError::Server { .. } | PortalError::Decode { .. }
    );
    if uncertain {
        Failure::new(
            code,
            format!(
                "{error}: the portal may or may not have done it; check with `portaldesk {check} {account}` before trying again"
            ),
        )
    } else {
        Failure::new(code, format!("{what}: {error}"))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn answers_and_etags() {
        assert!(is_yes("y\n") && is_yes(" YES ") && !is_yes("") && !is_yes("no") && !is_yes("yep"));
        assert_eq!(quoted("a12v3"), "\"a12v3\"");
        assert_eq!(quoted("\"a12v3\""), "\"a12v3\"");
        assert_eq!(quoted("W/\"x\""), "W/\"x\"");
    }

    #[test]
    fn failures_that_may_have_happened_say_how_to_check() {
        let f = not_done(PortalError::Timeout, "no invite was sent", "invites", "acc_1");
        assert_eq!(f.code, 1);
        assert!(f.message.contains("portaldesk invites acc_1"), "{}", f.message);
        let f = not_done(PortalError::Stale, "the DOB was not changed", "show", "acc_1");
        assert_eq!(f.code, 4);
        assert!(f.message.starts_with("the DOB was not changed: "), "{}", f.message);
        let f = nothing_sent(PortalError::Timeout, "the DOB was not changed");
        assert!(!f.message.contains("may or may not") && f.message.contains("nothing was sent"), "{}", f.message);
        assert!(may_retry(&PortalError::Decode { what: "x".into() }), "a lost answer is retried with its key");
        let f = not_done(
            PortalError::RateLimited { retry_after: Duration::from_secs(60), detail: None },
            "no invite was sent",
            "",
            "",
        );
        assert_eq!(f.code, 5);
    }
}
