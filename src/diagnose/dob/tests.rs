//! Tests of the DOB comparison.

use super::*;
use DobCode::*;
use proptest::prelude::*;

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test date")
}

fn ctx() -> DobContext {
    DobContext { today: date("2025-06-01"), account_created: Some(date("2024-01-10")) }
}

fn codes(check: &DobCheck) -> Vec<DobCode> {
    let mut codes: Vec<DobCode> = check.findings.iter().map(|f| f.code).collect();
    codes.sort();
    codes
}

fn sorted(codes: &[DobCode]) -> Vec<DobCode> {
    let mut codes = codes.to_vec();
    codes.sort();
    codes
}

/// (on file, reported, exact findings, matches_on_file)
const RAISE: &[(&str, &str, &[DobCode], bool)] = &[
    ("1990-03-15", "03/15/1990", &[ExactMatch], true),
    ("1990-03-15", "  03/15/1990 ", &[ExactMatch], true),
    ("1990-03-05", "3/5/90", &[NotZeroPadded, TwoDigitYear], true),
    ("1990-03-15", "3/15/1990", &[NotZeroPadded], true),
    ("2005-03-15", "03/15/05", &[TwoDigitYear], true),
    ("1990-03-15", "03-15-1990", &[WrongSeparator], true),
    ("1990-03-15", "03.15.1990", &[WrongSeparator], true),
    ("1990-03-15", "03 15 1990", &[WrongSeparator], true),
    ("1990-03-15", "03 / 15 / 1990", &[WrongSeparator], true),
    ("1990-03-15", "03/15/1990/", &[WrongSeparator], true),
    ("1990-03-15", "03151990", &[WrongSeparator], true),
    ("1990-03-15", "3151990", &[NotZeroPadded, WrongSeparator], true),
    ("1990-01-12", "1121990", &[NotZeroPadded, WrongSeparator], true),
    ("1990-11-02", "1121990", &[NotZeroPadded, WrongSeparator], true),
    ("1990-03-05", "030590", &[WrongSeparator, TwoDigitYear], true),
    ("1990-03-05", "351990", &[NotZeroPadded, WrongSeparator], true),
    ("1990-03-15", "1990-03-15", &[WrongSeparator, YearFirst], true),
    ("1990-03-15", "1990/3/15", &[NotZeroPadded, YearFirst], true),
    ("1990-03-15", "19900315", &[WrongSeparator, YearFirst], true),
    ("1990-02-03", "Feb 3, 1990", &[MonthAsWord], true),
    ("1990-02-03", "3 February 1990", &[MonthAsWord], true),
    ("1990-02-03", "february 3rd 1990", &[MonthAsWord], true),
    ("1990-02-03", "3rd of FEB. 1990", &[MonthAsWord], true),
    ("1990-09-03", "Sept 3 90", &[MonthAsWord, TwoDigitYear], true),
    ("1990-02-03", "1990 feb 3", &[MonthAsWord, YearFirst], true),
    ("1990-03-05", "05/03/1990", &[DayMonthSwapped], true),
    ("1985-12-21", "21/12/1985", &[DayMonthSwapped], true),
    ("1990-01-13", "13/01/1990", &[DayMonthSwapped], true),
    ("1990-03-15", "15.03.1990", &[DayMonthSwapped, WrongSeparator], true),
    ("1990-03-15", "1990/15/03", &[DayMonthSwapped, YearFirst], true),
    ("1985-12-20", "21/12/1985", &[DayMonthSwapped, SingleDigitTypo], false),
    ("1990-03-15", "03/15/1991", &[YearOffByOne, SingleDigitTypo], false),
    ("1990-03-15", "03/15/1989", &[YearOffByOne], false),
    ("2000-03-15", "03/15/99", &[TwoDigitYear, YearOffByOne], false),
    ("1976-03-15", "03/15/1967", &[DigitsTransposed], false),
    ("1990-03-12", "03/21/1990", &[DigitsTransposed], false),
    ("1990-10-05", "01/05/1990", &[DigitsTransposed], false),
    ("1991-03-15", "3/15/19", &[NotZeroPadded, TwoDigitYear, DigitsTransposed], false),
    ("1990-03-15", "03/16/1990", &[SingleDigitTypo], false),
    ("1990-03-15", "08/15/1990", &[SingleDigitTypo], false),
    ("1990-03-15", "03/15/1980", &[SingleDigitTypo], false),
    ("1990-06-20", "02/30/1990", &[ImpossibleDate], false),
    ("1990-06-20", "13/13/1990", &[ImpossibleDate], false),
    ("1991-06-20", "02/29/1991", &[ImpossibleDate], false),
    ("1990-02-03", "02/30/1990", &[ImpossibleDate, DigitsTransposed], false),
    ("1990-03-15", "03/15/2030", &[FutureDate, Mismatch], false),
    ("1990-03-15", "03/15/2990", &[FutureDate, SingleDigitTypo], false),
    ("1990-03-15", "", &[Unparseable], false),
    ("1990-03-15", "hello", &[Unparseable], false),
    ("1990-03-15", "3", &[Unparseable], false),
    ("1990-03-15", "03/15/1990 or so", &[Unparseable], false),
    ("1990-03-15", "Feb March 1990", &[Unparseable], false),
    ("1990-03-15", "\u{ff10}\u{ff13}/\u{ff11}\u{ff15}/\u{ff11}\u{ff19}\u{ff19}\u{ff10}", &[Unparseable], false),
    ("1990-03-15", "03/15/1990\u{0}", &[Unparseable], false),
    ("1990-03-15", "07/04/1962", &[Mismatch], false),
    ("1990-03-15", "12/25/1985", &[Mismatch], false),
    ("1990-03-15", "7/4/62", &[NotZeroPadded, TwoDigitYear, Mismatch], false),
    ("1960-07-04", "21/12/1985", &[DayMonthSwapped, Mismatch], false),
    ("1990-03-15", "03/15", &[Incomplete], false),
    ("1990-03-15", "March 15", &[MonthAsWord, Incomplete], false),
    ("1990-03-15", "03/15/199", &[Incomplete], false),
    ("1990-03-15", "03/1990", &[Incomplete], false),
    ("1990-03-15", "3/90", &[NotZeroPadded, TwoDigitYear, Incomplete], false),
    ("1990-03-15", "1990", &[Incomplete], false),
    ("1990-03-15", "0315", &[WrongSeparator, Incomplete], false),
    ("1990-03-15", "1965", &[Incomplete, Mismatch], false),
    ("1990-03-15", "04/15", &[Incomplete, Mismatch], false),
    ("1990-03-15", "02/30", &[Incomplete, ImpossibleDate], false),
    ("1900-01-01", "01/01/1900", &[ProfileDobSuspect, ExactMatch], true),
    ("1970-01-01", "03/15/1990", &[ProfileDobSuspect, Mismatch], false),
    ("2000-01-01", "1/1/2000", &[ProfileDobSuspect, NotZeroPadded], true),
    ("1850-06-01", "06/01/1850", &[ProfileDobSuspect, ExactMatch], true),
    ("2024-05-01", "05/01/2024", &[ProfileDobSuspect, ExactMatch], true),
    ("2026-01-02", "01/02/2026", &[ProfileDobSuspect, ExactMatch, FutureDate], true),
];

#[test]
fn raises_exactly_the_expected_codes() {
    for (on_file, reported, expected, matches) in RAISE {
        let check = check_dob(date(on_file), reported, &ctx());
        assert_eq!(codes(&check), sorted(expected), "{on_file} vs {reported:?}: {check:?}");
        assert_eq!(check.matches_on_file, *matches, "{on_file} vs {reported:?}");
        assert_eq!(check.would_pass, expected.contains(&ExactMatch), "{reported:?}");
    }
}

#[test]
fn every_code_is_raised_by_some_case() {
    for &code in DobCode::ALL {
        assert!(RAISE.iter().any(|(_, _, codes, _)| codes.contains(&code)), "no raise case for {code}");
    }
}

/// (on file, reported, code that must not be raised)
const MUST_NOT_RAISE: &[(&str, &str, DobCode)] = &[
    ("1990-03-15", "3/15/1990", ExactMatch),
    ("1990-03-05", "05/03/1990", ExactMatch),
    ("1990-03-15", "03/15/1990", NotZeroPadded),
    ("1990-02-03", "Feb 3, 1990", NotZeroPadded),
    ("1990-03-15", "03/15/1990", TwoDigitYear),
    ("1990-03-15", "1990-03-15", TwoDigitYear),
    ("1990-03-15", "3/15/1990", WrongSeparator),
    ("1990-02-03", "Feb 3, 1990", WrongSeparator),
    ("1990-03-15", "15/03/1990", YearFirst),
    ("1990-02-03", "Feb 3, 1990", YearFirst),
    ("1990-03-15", "03-15-1990", MonthAsWord),
    ("1990-03-15", "03/15/1990", DayMonthSwapped),
    ("1990-05-03", "05/03/1990", DayMonthSwapped),
    ("1990-03-05", "07/04/1962", DayMonthSwapped),
    ("1990-02-03", "3 February 1990", DayMonthSwapped),
    ("1990-03-15", "03/16/1991", YearOffByOne),
    ("1990-03-15", "03/15/1992", YearOffByOne),
    ("1990-03-15", "07/04/1962", DigitsTransposed),
    ("1990-03-15", "03/15/1989", DigitsTransposed),
    ("1990-03-15", "05/13/1990", DigitsTransposed),
    ("1990-03-15", "03/15/1989", SingleDigitTypo),
    ("1990-03-15", "07/04/1962", SingleDigitTypo),
    ("1990-03-15", "04/16/1990", SingleDigitTypo),
    ("1990-01-13", "13/01/1990", ImpossibleDate),
    ("1985-12-21", "21/12/1985", ImpossibleDate),
    ("1992-02-29", "02/29/1992", ImpossibleDate),
    ("2025-06-01", "06/01/2025", FutureDate),
    ("1990-03-15", "03/15/25", FutureDate),
    ("1990-03-15", "Feb 3, 1990", Unparseable),
    ("1990-03-15", "03151990", Unparseable),
    ("1990-03-15", "03/15/1991", Mismatch),
    ("1990-03-05", "05/03/1990", Mismatch),
    ("1990-02-03", "02/30/1990", Mismatch),
    ("1990-03-15", "03/15/1990", Incomplete),
    ("1990-03-15", "03/15/1990", ProfileDobSuspect),
    ("1970-01-02", "01/02/1970", ProfileDobSuspect),
    ("2024-01-10", "01/10/2024", ProfileDobSuspect),
    ("1901-06-01", "06/01/1901", ProfileDobSuspect),
];

#[test]
fn does_not_raise_codes_that_do_not_apply() {
    for (on_file, reported, code) in MUST_NOT_RAISE {
        let check = check_dob(date(on_file), reported, &ctx());
        assert!(!check.has(*code), "{code} raised for {on_file} vs {reported:?}: {check:?}");
    }
}

#[test]
fn genuinely_different_dates_are_only_mismatch() {
    let on_file = date("1990-03-15");
    for reported in ["07/04/1962", "11/28/1974", "09/09/2009", "12/31/1999", "06/22/1948"] {
        let check = check_dob(on_file, reported, &ctx());
        assert_eq!(codes(&check), vec![Mismatch], "{reported}");
        assert_eq!(check.fields.month, FieldStatus::Mismatch, "{reported}");
    }
}

#[test]
fn fields_follow_the_chosen_reading() {
    let on_file = date("1990-03-15");
    let check = |text| check_dob(on_file, text, &ctx()).fields;
    use FieldStatus::*;
    let expect = |month, day, year| DobFields { month, day, year };
    assert_eq!(check("03/15/1990"), DobFields::all(Match));
    assert_eq!(check("03/16/1990"), expect(Match, Mismatch, Match));
    assert_eq!(check("04/15/1991"), expect(Mismatch, Match, Mismatch));
    assert_eq!(check("15/03/1990"), DobFields::all(Match));
    assert_eq!(check("03/15"), expect(Match, Match, Missing));
    assert_eq!(check("March 1990"), expect(Match, Missing, Match));
    assert_eq!(check("3/15/90"), DobFields::all(Match));
    assert_eq!(check("banana"), DobFields::all(Missing));
    assert_eq!(check("03/30/1990"), expect(Match, Mismatch, Match));
}

#[test]
fn suggested_entry_only_when_date_matches_but_format_fails() {
    let on_file = date("1990-03-05");
    let suggestion = |text| check_dob(on_file, text, &ctx()).suggested_entry;
    assert_eq!(suggestion("3/5/90").as_deref(), Some("03/05/1990"));
    assert_eq!(suggestion("05/03/1990").as_deref(), Some("03/05/1990"));
    assert_eq!(suggestion("March 5th, 1990").as_deref(), Some("03/05/1990"));
    assert_eq!(suggestion("03/05/1990"), None);
    assert_eq!(suggestion("03/06/1990"), None);
    assert_eq!(suggestion("nonsense"), None);
}

#[test]
fn two_digit_years_prefer_the_century_on_file_then_the_recent_past() {
    let today = date("2025-06-01");
    let on_file = date("1925-03-15");
    let year = |text: &str| Part { value: text.parse().expect("digits"), len: text.len() };
    assert_eq!(resolve_year(year("25"), on_file, today), 1925);
    assert_eq!(resolve_year(year("24"), on_file, today), 2024);
    assert_eq!(resolve_year(year("26"), on_file, today), 1926);
    assert_eq!(resolve_year(year("00"), on_file, today), 2000);
    assert_eq!(resolve_year(year("1990"), on_file, today), 1990);
    let check = check_dob(date("1925-03-15"), "03/15/25", &ctx());
    assert!(check.matches_on_file && check.has(TwoDigitYear));
}

#[test]
fn portal_accepts_only_the_strict_format() {
    assert_eq!(portal_accepts("03/15/1990"), Some(date("1990-03-15")));
    assert_eq!(portal_accepts("02/29/2000"), Some(date("2000-02-29")));
    for bad in [
        "3/15/1990",
        "03-15-1990",
        "03/15/90",
        "02/29/1999",
        "13/01/1990",
        "00/10/1990",
        " 03/15/1990",
        "03/15/1990 ",
        "03/15/199O",
        "\u{ff10}3/15/1990",
        "",
        "03/15/19901",
    ] {
        assert_eq!(portal_accepts(bad), None, "{bad:?}");
    }
    assert_eq!(format_entry(date("1990-03-05")), "03/05/1990");
    assert_eq!(format_entry(date("0987-12-01")), "12/01/0987");
}

#[test]
fn profile_dob_suspect_flags_placeholders_and_impossible_profiles() {
    let ctx = ctx();
    for suspect in
        ["1900-01-01", "1901-01-01", "1970-01-01", "2000-01-01", "1899-12-31", "0001-01-01", "2024-01-11", "2025-06-02"]
    {
        assert!(profile_dob_suspect(date(suspect), &ctx), "{suspect}");
    }
    for fine in ["1990-03-15", "1970-01-02", "1900-01-02", "2024-01-10", "2000-02-01"] {
        assert!(!profile_dob_suspect(date(fine), &ctx), "{fine}");
    }
    let no_account = DobContext { account_created: None, ..ctx };
    assert!(!profile_dob_suspect(date("2024-05-01"), &no_account));
    let check = check_dob(date("1970-01-01"), "01/01/1970", &ctx);
    let message = &check.findings[0].message;
    assert_eq!(check.findings[0].code, ProfileDobSuspect);
    assert!(message.contains("edit the DOB on the profile"), "{message}");
}

#[test]
fn json_shape_matches_the_command_line_contract() {
    let check = check_dob(date("1990-03-05"), "05/03/1990", &ctx());
    let json = serde_json::to_value(&check).expect("serializes");
    assert_eq!(json["would_pass"], false);
    assert_eq!(json["matches_on_file"], true);
    assert_eq!(json["fields"]["month"], "match");
    assert_eq!(json["suggested_entry"], "03/05/1990");
    assert_eq!(json["findings"][0]["code"], "day_month_swapped");
    assert!(json["findings"][0]["message"].is_string());
    let missing = serde_json::to_value(check_dob(date("1990-03-05"), "03/05", &ctx()).fields).expect("serializes");
    assert_eq!(missing["year"], "missing");
    assert_eq!(missing["day"], "match");
    for &code in DobCode::ALL {
        let json = serde_json::to_value(code).expect("serializes");
        assert_eq!(json, code.as_str());
    }
}

#[test]
fn survives_hostile_inputs() {
    let on_file = date("1990-03-15");
    let huge = "0".repeat(1 << 20);
    let emoji = "\u{1F600}".repeat(300_000);
    let padded = format!("{}03/15/1990{}", " ".repeat(500_000), " ".repeat(500_000));
    for text in [
        huge.as_str(),
        emoji.as_str(),
        "\u{0}",
        "\u{202e}03/15/1990",
        "0\u{301}3/15/1990",
        "\u{5d3}\u{5d5}",
        "99999999999999999999",
    ] {
        let check = check_dob(on_file, text, &ctx());
        assert!(check.has(Unparseable), "{:?}", text.chars().take(20).collect::<String>());
        assert!(!check.matches_on_file);
    }
    assert!(check_dob(on_file, &padded, &ctx()).would_pass);
    let extreme = DobContext { today: NaiveDate::MAX, account_created: Some(NaiveDate::MIN) };
    for on_file in [NaiveDate::MIN, NaiveDate::MAX] {
        for text in ["01/01/99", "12/31/9999", "02/29/00", "Feb 29 00", "1/1/1"] {
            let check = check_dob(on_file, text, &extreme);
            assert!(check.has(ProfileDobSuspect), "{text}");
            assert_eq!(check.suggested_entry, None, "{text}");
        }
    }
}

fn messages_are_phi_free(check: &DobCheck) -> bool {
    check.findings.iter().all(|f| !f.message.chars().any(|c| c.is_ascii_digit()))
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    (-5000i32..15000, 1u32..=366).prop_map(|(year, ordinal)| {
        NaiveDate::from_yo_opt(year, ordinal).or_else(|| NaiveDate::from_yo_opt(year, 365)).unwrap_or(NaiveDate::MIN)
    })
}

fn dob_since_1900() -> impl Strategy<Value = NaiveDate> {
    let start = date("1900-01-01");
    let days = (ctx().today - start).num_days();
    (0..=days).prop_map(move |n| start + chrono::Duration::days(n))
}

/// Text that looks a lot like a date, to drive the reader's deep paths.
fn date_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{0,9}",
        "[0-9]{1,4}[/ .-]{1,2}[0-9]{1,4}([/ .,-]{1,2}[0-9]{0,5})?",
        "(jan|Feb|MARCH|sept|may|dec)[ .,]{0,2}[0-9]{1,4}(st|nd|rd|th)?[ ,]{0,2}[0-9]{0,4}",
        "[0-9]{1,2}(st|nd|rd|th)? (of )?(april|Oct|JUNE) [0-9]{2,4}",
    ]
}

proptest! {
    #[test]
    fn formatted_dob_is_an_exact_match(on_file in dob_since_1900()) {
        let check = check_dob(on_file, &format_entry(on_file), &ctx());
        prop_assert!(check.would_pass);
        prop_assert!(check.matches_on_file);
        prop_assert!(check.has(ExactMatch));
        prop_assert_eq!(check.fields, DobFields::all(FieldStatus::Match));
        prop_assert_eq!(check.suggested_entry, None);
    }

    #[test]
    fn lenient_spellings_of_the_dob_match(on_file in dob_since_1900(), style in 0usize..6) {
        let (m, d, y) = (on_file.month(), on_file.day(), on_file.year());
        let month = MONTHS.split_whitespace().nth((m - 1) as usize).unwrap_or_default();
        let text = match style {
            0 => format!("{m}/{d}/{:02}", y % 100),
            1 => format!("{m:02}-{d:02}-{:02}", y % 100),
            2 => format!("{y}.{m:02}.{d:02}"),
            3 => format!("{month} {d}, {y}"),
            4 => format!("{d} {} {y}", &month[..3]),
            _ => format!("{m:02}{d:02}{y}"),
        };
        let check = check_dob(on_file, &text, &ctx());
        prop_assert!(check.matches_on_file, "{} -> {:?}", text, check);
        prop_assert!(!check.would_pass);
        prop_assert_eq!(&check.suggested_entry, &Some(format_entry(on_file)));
        prop_assert!(!check.has(Mismatch) && !check.has(Unparseable));
        prop_assert!(messages_are_phi_free(&check));
    }

    #[test]
    fn never_panics_on_arbitrary_text(
        text in any::<String>(),
        on_file in any_date(),
        today in any_date(),
    ) {
        let ctx = DobContext { today, account_created: Some(on_file) };
        let check = check_dob(on_file, &text, &ctx);
        prop_assert!(!check.findings.is_empty());
        prop_assert!(messages_are_phi_free(&check));
    }

    #[test]
    fn never_panics_on_long_or_odd_text(text in "\\PC{0,400}", repeat in 1usize..2000) {
        let check = check_dob(date("1990-03-15"), &text.repeat(repeat), &ctx());
        prop_assert!(!check.findings.is_empty());
    }

    #[test]
    fn suggestion_always_passes_and_equals_on_file(
        text in date_like(),
        on_file in dob_since_1900(),
    ) {
        let check = check_dob(on_file, &text, &ctx());
        if let Some(entry) = &check.suggested_entry {
            prop_assert_eq!(portal_accepts(entry), Some(on_file));
            prop_assert!(check.matches_on_file && !check.would_pass);
        }
        prop_assert!(!check.would_pass || check.matches_on_file);
        prop_assert_eq!(check.would_pass, check.has(ExactMatch));
        prop_assert!(messages_are_phi_free(&check));
    }

    #[test]
    fn suggestion_holds_for_any_reading_of_the_dob(
        on_file in dob_since_1900(),
        noise in date_like(),
    ) {
        // Build text from the DOB's own digits so matches are common.
        let digits = format!("{:02}{:02}{}", on_file.day(), on_file.month(), on_file.year());
        let separators: String = noise.chars().filter(|c| !c.is_ascii_digit()).collect();
        let text = format!("{digits}{separators}");
        let check = check_dob(on_file, &text, &ctx());
        if let Some(entry) = &check.suggested_entry {
            prop_assert_eq!(portal_accepts(entry), Some(on_file));
        }
        let should_suggest = check.matches_on_file && !check.would_pass;
        prop_assert_eq!(should_suggest, check.suggested_entry.is_some());
    }
}

#[test]
fn debug_output_carries_no_dob() {
    let check = check_dob(date("1985-12-21"), "21/12/1985", &ctx());
    assert_eq!(check.suggested_entry.as_deref(), Some("12/21/1985"));
    let shown = format!("{check:?}");
    assert!(!shown.contains("1985") && !shown.contains("12/21"), "{shown}");
}

#[test]
fn staff_entries_read_month_first_as_leniently_as_the_reader() {
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
    assert_eq!(read_entry("3/5/1988"), date(1988, 3, 5));
    assert_eq!(read_entry(" 03/05/1988 "), date(1988, 3, 5));
    assert_eq!(read_entry("3-5-1988"), date(1988, 3, 5));
    assert_eq!(read_entry("March 5, 1988"), date(1988, 3, 5));
    assert_eq!(read_entry("03051988"), date(1988, 3, 5));
    // Never guessed: a day-first date, a two-digit year, an impossible date.
    assert_eq!(read_entry("13/5/1988"), None);
    assert_eq!(read_entry("3/5/88"), None);
    assert_eq!(read_entry("02/30/1990"), None);
    assert_eq!(read_entry("1988/03/05"), None);
    assert_eq!(read_entry(""), None);
    assert_eq!(read_entry(&"1".repeat(10_000)), None);
}
