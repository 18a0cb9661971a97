//! The exit codes, in one table: `--help` prints it and the README carries
//! it as a Markdown table (a test checks the two agree).

/// Each exit code and what it means.
pub const EXIT_CODES: &[(&str, &str)] = &[
    ("0", "success (also: nothing to do, e.g. `fix` on a ticket answered since the client last wrote)"),
    ("1", "anything else: the portal failed or refused, the network, cancelled at the prompt, the portal kept paging"),
    (
        "2",
        "usage: a wrong argument, no portal or token, a configuration that cannot be used, a change without `--yes` \
         and without a terminal, a change in read-only mode (`--readonly`)",
    ),
    ("3", "not found: no such account or ticket"),
    (
        "4",
        "conflict: the account or ticket changed since it was read (412; see `dob set --expect-etag`); a ticket \
         someone else has claimed, without `--take-over`; a `resend` within `resend_guard_minutes` of the last \
         invite, anyone's, without `--again`; the same reply within 10 minutes, without `--again`",
    ),
    ("5", "rate limited (429), e.g. a 6th invite to one account within an hour"),
    (
        "6",
        "`audit verify`, `audit head`: the audit trail's hash chain is broken, or (`--expect-head`) the trail no \
         longer extends the head recorded",
    ),
    ("7", "the client must be called: the address on file bounced, so nothing was emailed (`fix`, `reply`)"),
    ("128+N", "the console was ended by signal N: 143 SIGTERM, 129 SIGHUP, 130 SIGINT"),
];

/// The table as `--help` prints it: wrapped under a heading.
pub fn help_text() -> String {
    let mut out = String::from("Exit codes:\n");
    for (code, meaning) in EXIT_CODES {
        let meaning = meaning.replace('`', "");
        let mut line = format!("  {code:<6} ");
        let indent = line.len();
        for word in meaning.split(' ') {
            if line.len() + word.len() > 88 && line.len() > indent {
                out.push_str(line.trim_end());
                out.push('\n');
                line = " ".repeat(indent);
            }
            line.push_str(word);
            line.push(' ');
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The table as the README carries it.
pub fn markdown() -> String {
    let mut out = String::from("| exit code | means |\n|---|---|\n");
    for (code, meaning) in EXIT_CODES {
        out.push_str(&format!("| {code} | {meaning} |\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_readme_carries_the_same_table() {
        let readme = include_str!("../../README.md");
        let start = "<!-- exit codes: generated from src/cli/exit.rs -->\n";
        let section = readme.split(start).nth(1).and_then(|rest| rest.split("<!-- end of exit codes -->").next());
        assert_eq!(section, Some(super::markdown().as_str()), "README.md's exit codes differ from src/cli/exit.rs");
    }

    #[test]
    fn read_only_is_a_usage_refusal_and_every_code_is_listed_once() {
        let codes: Vec<&str> = super::EXIT_CODES.iter().map(|(code, _)| *code).collect();
        assert_eq!(codes, ["0", "1", "2", "3", "4", "5", "6", "7", "128+N"]);
        let meaning = |code: &str| super::EXIT_CODES.iter().find(|(c, _)| *c == code).map(|(_, m)| *m).unwrap();
        assert!(meaning("2").contains("read-only") && !meaning("5").contains("read-only"));
        assert!(super::help_text().lines().all(|line| line.chars().count() <= 90), "{}", super::help_text());
    }
}
