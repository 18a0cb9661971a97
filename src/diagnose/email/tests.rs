//! Tests of the email address check.

use super::*;
use EmailCode::*;
use proptest::prelude::*;

fn codes(check: &EmailCheck) -> Vec<EmailCode> {
    let mut codes: Vec<EmailCode> = check.findings.iter().map(|f| f.code).collect();
    codes.sort();
    codes
}

fn sorted(codes: &[EmailCode]) -> Vec<EmailCode> {
    let mut codes = codes.to_vec();
    codes.sort();
    codes
}

/// (address, exact findings, exact suggestions, valid_syntax)
const RAISE: &[(&str, &[EmailCode], &[&str], bool)] = &[
    ("jane@gmail.cmo", &[TldTypo], &["jane@gmail.com"], true),
    ("jane@yahoo.con", &[TldTypo], &["jane@yahoo.com"], true),
    ("jane@hotmail.cpm", &[TldTypo], &["jane@hotmail.com"], true),
    ("jane@gmail.vom", &[TldTypo], &["jane@gmail.com"], true),
    ("jane@outlook.comm", &[TldTypo], &["jane@outlook.com"], true),
    ("jane@icloud.ocm", &[TldTypo], &["jane@icloud.com"], true),
    ("jane@comcast.nte", &[TldTypo], &["jane@comcast.net"], true),
    ("jane@me.cmo", &[TldTypo], &["jane@me.com"], true),
    ("jane@brightpaththerapy.cmo", &[TldTypo], &["jane@brightpaththerapy.com"], true),
    ("jane@clinic.ogr", &[TldTypo], &["jane@clinic.org"], true),
    ("jane@gmail.om", &[TldTypo, ProviderTld], &["jane@gmail.com"], true),
    ("jane@gmail.co", &[TldTypo, ProviderTld], &["jane@gmail.com"], true),
    ("jane@hotmail.co", &[TldTypo, ProviderTld], &["jane@hotmail.com"], true),
    ("jane@outlook.cm", &[TldTypo, ProviderTld], &["jane@outlook.com"], true),
    ("jane@gmail.net", &[ProviderTld], &["jane@gmail.com"], true),
    ("jane@icloud.org", &[ProviderTld], &["jane@icloud.com"], true),
    ("jane@yahoo.net", &[ProviderTld], &["jane@yahoo.com"], true),
    ("jane@gmail.co.uk", &[ProviderTld], &["jane@gmail.com"], true),
    ("jane@gmial.com", &[DomainTypo], &["jane@gmail.com"], true),
    ("jane@gmai.com", &[DomainTypo], &["jane@gmail.com"], true),
    ("jane@gamil.com", &[DomainTypo], &["jane@gmail.com"], true),
    ("jane@hotmial.com", &[DomainTypo], &["jane@hotmail.com"], true),
    ("jane@yaho.com", &[DomainTypo], &["jane@yahoo.com"], true),
    ("jane@yahooo.co.uk", &[DomainTypo], &["jane@yahoo.co.uk"], true),
    ("jane@outlok.com", &[DomainTypo], &["jane@outlook.com"], true),
    ("jane@iclod.com", &[DomainTypo], &["jane@icloud.com"], true),
    ("jane@comcats.net", &[DomainTypo], &["jane@comcast.net"], true),
    ("jane@sbcgloabl.net", &[DomainTypo], &["jane@sbcglobal.net"], true),
    ("jane@protonmial.com", &[DomainTypo], &["jane@protonmail.com"], true),
    ("jane@hmail.com", &[DomainTypo], &["jane@gmail.com", "jane@ymail.com", "jane@email.com"], true),
    ("jane@gmial.con", &[DomainTypo, TldTypo], &["jane@gmail.com"], true),
    ("Jane.Doe@Gmial.COM", &[DomainTypo], &["Jane.Doe@gmail.com"], true),
    ("", &[InvalidSyntax], &[], false),
    ("jane", &[InvalidSyntax], &[], false),
    ("jane@", &[InvalidSyntax], &[], false),
    ("@gmail.com", &[InvalidSyntax], &[], false),
    ("jane@@gmail.com", &[InvalidSyntax], &[], false),
    ("jane@gmail@com", &[InvalidSyntax], &[], false),
    (".jane@gmail.com", &[InvalidSyntax], &[], false),
    ("jane..doe@gmail.com", &[InvalidSyntax], &[], false),
    ("j\u{e4}ne@gmail.com", &[InvalidSyntax], &[], false),
    ("jane@exa_mple.com", &[InvalidSyntax], &[], false),
    ("jane@example-.com", &[InvalidSyntax], &[], false),
    ("jane@example.c", &[InvalidSyntax], &[], false),
    ("jane@example.123", &[InvalidSyntax], &[], false),
    ("jane@gmail", &[InvalidSyntax, TldTypo], &["jane@gmail.com"], false),
    ("jane@gmail.c0m", &[InvalidSyntax, TldTypo], &["jane@gmail.com"], false),
    ("jane@gmail.c", &[InvalidSyntax, TldTypo], &["jane@gmail.com"], false),
    ("jane@gmail,com", &[InvalidSyntax], &["jane@gmail.com"], false),
    ("jane@gmail.com.", &[InvalidSyntax], &["jane@gmail.com"], false),
    (" jane@gmail.com ", &[Whitespace], &["jane@gmail.com"], false),
    ("jane @Gmail.com", &[Whitespace], &["jane@gmail.com"], false),
    ("jane@gmial .com\t", &[Whitespace, DomainTypo], &["jane@gmail.com"], false),
];

#[test]
fn raises_exactly_the_expected_codes_and_suggestions() {
    for (address, expected, suggestions, valid) in RAISE {
        let check = check_email(address);
        assert_eq!(codes(&check), sorted(expected), "{address:?}: {check:?}");
        assert_eq!(check.suggestions, *suggestions, "{address:?}");
        assert_eq!(check.valid_syntax, *valid, "{address:?}");
    }
}

#[test]
fn every_code_is_raised_by_some_case() {
    for &code in EmailCode::ALL {
        assert!(RAISE.iter().any(|(_, codes, _, _)| codes.contains(&code)), "{code}");
    }
}

const CLEAN: &[&str] = &[
    "jane@gmail.com",
    "jane@comcast.net",
    "jane@verizon.net",
    "jane@att.net",
    "jane@brightpaththerapy.org",
    "frontdesk@mycompany.com",
    "jane@gmx.de",
    "jane@gmx.net",
    "jane@yahoo.co.uk",
    "jane@yahoo.com.au",
    "jane@outlook.fr",
    "jane@hotmail.co.uk",
    "jane@live.ca",
    "jane@mail.ru",
    "jane@yandex.ru",
    "jane@protonmail.ch",
    "jane@proton.me",
    "jane@me.com",
    "jane@mac.com",
    "jane@aol.com",
    "jane@aol.co",
    "jane@att.com",
    "jane@verizon.com",
    "jane@cloud.com",
    "jane@email.com",
    "jane@chapter.net",
    "jane@outlooks.org",
    "jane@yahoos.org",
    "jane@practice.co",
    "jane@clinic.om",
    "jane@clinic.eu",
    "jane@uni.edu",
    "jane@mail.example.com",
    "Jane.Doe+portal@GMAIL.COM",
    "o'brien@Comcast.Net",
];

#[test]
fn real_domains_raise_nothing() {
    for address in CLEAN {
        let check = check_email(address);
        assert!(check.valid_syntax, "{address}");
        assert_eq!(check.findings, vec![], "{address}");
        assert_eq!(check.suggestions, Vec::<String>::new(), "{address}");
    }
}

/// (address, code that must not be raised)
const MUST_NOT_RAISE: &[(&str, EmailCode)] = &[
    ("jane@gmail.co", DomainTypo),
    ("jane@gmial.com", TldTypo),
    ("jane@gmial.com", ProviderTld),
    ("jane@yahoo.con", ProviderTld),
    ("jane@gmail.net", TldTypo),
    ("jane@gmail.net", DomainTypo),
    ("jane@gmail.cmo", InvalidSyntax),
    ("jane@gmail,com", Whitespace),
    (" jane@gmail.com", InvalidSyntax),
    ("jane@me.net", ProviderTld),
    ("jane@cox.com", ProviderTld),
    ("jane@practice.co", TldTypo),
];

#[test]
fn does_not_raise_codes_that_do_not_apply() {
    for (address, code) in MUST_NOT_RAISE {
        assert!(!check_email(address).has(*code), "{code} for {address}");
    }
}

#[test]
fn long_and_hostile_input_is_handled() {
    let huge = format!("{}@gmail.com", "a".repeat(1 << 20));
    let check = check_email(&huge);
    assert!(!check.valid_syntax && check.has(InvalidSyntax));
    let long_local = format!("{}@gmail.com", "a".repeat(65));
    assert!(check_email(&long_local).has(InvalidSyntax));
    for odd in [
        "\u{0}@gmail.com",
        "jane@g\u{0}mail.com",
        "\u{1F600}@\u{1F600}.com",
        "jane\u{FF20}gmail.com",
        "\u{202e}jane@gmail.com",
    ] {
        let check = check_email(odd);
        assert!(!check.valid_syntax && check.has(InvalidSyntax), "{odd:?}");
    }
}

#[test]
fn json_shape_matches_the_command_line_contract() {
    let json = serde_json::to_value(check_email("jane@gmial.com")).expect("serializes");
    assert_eq!(json["valid_syntax"], true);
    assert_eq!(json["findings"][0]["code"], "domain_typo");
    assert!(json["findings"][0]["message"].is_string());
    assert_eq!(json["suggestions"][0], "jane@gmail.com");
    for &code in EmailCode::ALL {
        assert_eq!(serde_json::to_value(code).expect("serializes"), code.as_str());
    }
}

#[test]
fn osa_distance_counts_transpositions_as_one_edit() {
    assert_eq!(osa_distance(b"gmial", b"gmail"), 1);
    assert_eq!(osa_distance(b"gmai", b"gmail"), 1);
    assert_eq!(osa_distance(b"gmaill", b"gmail"), 1);
    assert_eq!(osa_distance(b"", b"com"), 3);
    assert_eq!(osa_distance(b"net", b"com"), 3);
    assert_eq!(osa_distance(b"hotmail", b"hotmail"), 0);
    assert_eq!(osa_distance(b"ca", b"abc"), 3);
    assert_eq!(osa_distance(&[b'x'; 300], b"gmail"), 300);
    assert_eq!(osa_distance(b"gmail", &[b'x'; 40]), 40);
    assert!(PROVIDERS.iter().all(|p| p.name.len() <= MAX_KNOWN));
}

fn messages_are_phi_free(check: &EmailCheck) -> bool {
    check.findings.iter().all(|f| {
        let body = f.message.trim_end_matches('.');
        !body.contains(['.', '@']) && !body.chars().any(|c| c.is_ascii_digit())
    })
}

/// Providers long enough to be matched fuzzily (all lowercase letters).
fn long_provider_domain() -> impl Strategy<Value = String> {
    let long: Vec<String> =
        PROVIDERS.iter().filter(|p| p.fuzzy_limit() > 0).map(|p| format!("{}.{}", p.name, p.home)).collect();
    proptest::sample::select(long)
}

fn provider_domain() -> impl Strategy<Value = String> {
    (0..PROVIDERS.len()).prop_map(|i| PROVIDERS.get(i).map(|p| format!("{}.{}", p.name, p.home)).unwrap_or_default())
}

proptest! {
    #[test]
    fn never_panics_on_arbitrary_text(text in any::<String>()) {
        let check = check_email(&text);
        prop_assert!(check.valid_syntax || !check.findings.is_empty());
        prop_assert!(messages_are_phi_free(&check));
    }

    #[test]
    fn never_panics_on_long_text(text in "\\PC{0,300}", repeat in 1usize..200) {
        let check = check_email(&text.repeat(repeat));
        prop_assert!(messages_are_phi_free(&check));
    }

    #[test]
    fn suggestions_are_clean_and_unique(
        text in "[A-Za-z .]{0,8}@?[a-z,. ]{0,12}(cmo|con|co|net|om|com)?",
    ) {
        let check = check_email(&text);
        for (i, suggestion) in check.suggestions.iter().enumerate() {
            let again = check_email(suggestion);
            let clean = again.valid_syntax && again.findings.is_empty();
            prop_assert!(clean, "{} -> {}", text, suggestion);
            prop_assert!(!check.suggestions[..i].contains(suggestion));
        }
        prop_assert!(messages_are_phi_free(&check));
    }

    #[test]
    fn provider_addresses_are_clean_in_any_case(
        local in "[A-Za-z][a-z0-9_+-]{0,10}(\\.[a-z0-9]{1,6})?",
        domain in provider_domain(),
        upper in any::<bool>(),
    ) {
        let domain = if upper { domain.to_uppercase() } else { domain };
        let check = check_email(&format!("{local}@{domain}"));
        prop_assert!(check.valid_syntax, "{:?}", check);
        prop_assert!(check.findings.is_empty() && check.suggestions.is_empty(), "{:?}", check);
    }

    #[test]
    fn one_letter_slips_of_long_providers_are_caught(
        domain in long_provider_domain(),
        at in 0usize..20,
        shift in 1u8..26,
    ) {
        let (name, home) = domain.split_once('.').unwrap_or_default();
        let mut typo = name.as_bytes().to_vec();
        let at = at % typo.len();
        typo[at] = b'a' + (typo[at] - b'a' + shift) % 26;
        let typo = String::from_utf8(typo).unwrap_or_default();
        prop_assume!(!PROVIDERS.iter().any(|p| p.name == typo));
        prop_assume!(!REAL_NEIGHBORS.contains(&typo.as_str()));
        let check = check_email(&format!("jane@{typo}.{home}"));
        prop_assert!(check.has(DomainTypo), "{}: {:?}", typo, check);
        let expected = format!("jane@{domain}");
        prop_assert!(check.suggestions.contains(&expected), "{}: {:?}", typo, check);
    }
}

#[test]
fn debug_output_carries_no_address() {
    let check = check_email("jordan.alvarez@gmial.com");
    assert!(!check.suggestions.is_empty());
    let shown = format!("{check:?}");
    assert!(!shown.contains("jordan") && !shown.contains("gmail"), "{shown}");
}

#[test]
fn code_names_are_the_serialized_ones() {
    let names: Vec<&str> = EmailCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(names, ["invalid_syntax", "tld_typo", "domain_typo", "provider_tld", "whitespace"]);
    for &code in EmailCode::ALL {
        assert_eq!(serde_json::to_string(&code).unwrap(), format!("\"{code}\""));
    }
}
