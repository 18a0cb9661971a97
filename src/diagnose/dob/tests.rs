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
    ("1990-03-05", "05/03/1990", &[DayMonthSwapped, ReadsTwoWays], true),
    ("1959-04-03", "1959-03-04", &[WrongSeparator, YearFirst, DayMonthSwapped, ReadsTwoWays], true),
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
    assert_eq!(resolve_year(year("25"), Some(on_file), today), 1925);
    assert_eq!(resolve_year(year("24"), Some(on_file), today), 2024);
    assert_eq!(resolve_year(year("26"), Some(on_file), today), 1926);
    assert_eq!(resolve_year(year("00"), Some(on_file), today), 2000);
    assert_eq!(resolve_year(year("1990"), Some(on_file), today), 1990);
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

// ------------------------------------------------- dates that read two ways

fn reading(order: ReadingOrder, ymd: &str, portal_takes: bool, matches_on_file: Option<bool>) -> DobReading {
    DobReading { order, date: date(ymd), portal_takes, matches_on_file }
}

#[test]
fn a_date_that_reads_two_ways_shows_both_and_which_the_portal_takes() {
    use ReadingOrder::*;
    let check = check_dob(date("1959-04-03"), "03/04/1959", &ctx());
    assert_eq!(
        check.readings,
        [reading(MonthFirst, "1959-03-04", true, Some(false)), reading(DayFirst, "1959-04-03", false, Some(true)),]
    );
    assert!(check.unsettled() && check.has(ReadsTwoWays) && check.has(DayMonthSwapped), "{check:?}");
    assert!(!check.would_pass);
    // Not settled: the day-first finding says "if".
    let swapped = check.findings.iter().find(|f| f.code == DayMonthSwapped).expect("raised");
    assert!(swapped.message.contains("if that is the date the client means"), "{}", swapped.message);
    assert_eq!(check.chosen_reading().map(|r| r.order), Some(DayFirst));
    assert_eq!(
        explain_readings("03/04/1959", &check.readings, None).as_deref(),
        Some(
            "03/04/1959: the portal reads March 4, 1959 (differs from the DOB on file). Read day-first it is 3 \
             April 1959 (the DOB on file): ask the client which they mean."
        )
    );
    let json = serde_json::to_value(&check).expect("serializes");
    assert_eq!(
        json["readings"],
        serde_json::json!([
            {"order": "month_first", "date": "1959-03-04", "portal_takes": true, "matches_on_file": false},
            {"order": "day_first", "date": "1959-04-03", "portal_takes": false, "matches_on_file": true},
        ])
    );
}

#[test]
fn when_the_portals_reading_is_the_dob_on_file_there_is_nothing_to_ask() {
    let check = check_dob(date("1959-03-04"), "03/04/1959", &ctx());
    assert!(check.would_pass && !check.unsettled(), "{check:?}");
    assert_eq!(check.readings.len(), 2);
    assert_eq!(
        explain_readings("03/04/1959", &check.readings, None).as_deref(),
        Some(
            "03/04/1959: the portal reads March 4, 1959 (the DOB on file). Read day-first it is 3 April 1959 \
             (differs from the DOB on file)."
        )
    );
    // Neither reading is the DOB on file: both shown, still a question.
    let check = check_dob(date("1990-01-01"), "03/04/1959", &ctx());
    assert!(!check.unsettled() && check.has(Mismatch), "{check:?}");
    let said = explain_readings("03/04/1959", &check.readings, None).unwrap_or_default();
    assert!(said.ends_with("(differs from the DOB on file): ask the client which they mean."), "{said}");
}

#[test]
fn a_date_that_reads_one_way_has_one_reading() {
    use ReadingOrder::*;
    let one = |on_file: &str, typed: &str| check_dob(date(on_file), typed, &ctx()).readings;
    // The same number twice, a day over twelve, a month named.
    assert_eq!(one("1959-04-04", "04/04/1959"), [reading(MonthFirst, "1959-04-04", true, Some(true))]);
    assert_eq!(one("1982-02-17", "17/2/82"), [reading(DayFirst, "1982-02-17", false, Some(true))]);
    assert_eq!(one("1990-03-15", "3/15/1990"), [reading(MonthFirst, "1990-03-15", true, Some(true))]);
    assert_eq!(one("1990-02-03", "Feb 3, 1990"), [reading(MonthNamed, "1990-02-03", false, Some(true))]);
    // No whole date, no reading.
    assert!(one("1990-03-15", "03/15").is_empty());
    assert!(one("1990-03-15", "13/13/1990").is_empty());
    assert!(one("1990-03-15", "banana").is_empty());
    let said = explain_readings("17/2/82", &one("1982-02-17", "17/2/82"), None).unwrap_or_default();
    assert_eq!(
        said,
        "17/2/82: read day-first it is 17 February 1982 (the DOB on file); the portal reads the month first, so it \
         does not take it."
    );
}

#[test]
fn two_digit_years_and_no_dob_on_file_still_read_two_ways() {
    use ReadingOrder::*;
    let today = date("2026-12-01");
    let readings = readings("3/2/90", None, today);
    assert_eq!(readings, [reading(MonthFirst, "1990-03-02", true, None), reading(DayFirst, "1990-02-03", false, None)]);
    assert_eq!(
        explain_readings("3/2/90", &readings, None).as_deref(),
        Some(
            "3/2/90: the portal reads March 2, 1990. Read day-first it is 3 February 1990: ask the client which they mean."
        )
    );
    let check = check_dob(date("1990-02-03"), "3/2/90", &ctx());
    assert!(check.unsettled() && check.matches_on_file, "{check:?}");
    assert_eq!(check.readings[1].matches_on_file, Some(true));
}

#[test]
fn a_year_first_date_reads_two_ways_and_the_portal_takes_neither() {
    use ReadingOrder::*;
    let check = check_dob(date("1959-04-03"), "1959-03-04", &ctx());
    assert_eq!(
        check.readings,
        [
            reading(YearMonthDay, "1959-03-04", false, Some(false)),
            reading(YearDayMonth, "1959-04-03", false, Some(true)),
        ]
    );
    assert!(check.unsettled());
    let said = explain_readings("1959-03-04", &check.readings, None).unwrap_or_default();
    assert_eq!(
        said,
        "1959-03-04: read year-month-day it is March 4, 1959 (differs from the DOB on file). Read year-day-month \
         it is 3 April 1959 (the DOB on file): ask the client which they mean. The portal needs the month first, \
         as MM/DD/YYYY."
    );
    // The usual order is the DOB on file: nothing to ask.
    assert!(!check_dob(date("1959-03-04"), "1959-03-04", &ctx()).unsettled());
}

#[test]
fn an_entry_without_separators_says_the_portal_refuses_it_and_how_it_reads() {
    use ReadingOrder::*;
    let check = check_dob(date("1990-03-15"), "03151990", &ctx());
    assert!(check.has(WrongSeparator) && check.matches_on_file && !check.would_pass);
    assert_eq!(check.readings, [reading(MonthFirst, "1990-03-15", true, Some(true))]);
    assert_eq!(
        explain_readings("03151990", &check.readings, None).as_deref(),
        Some(
            "03151990 has no slashes, so the invite page refuses it as typed: it needs MM/DD/YYYY. Read as \
             MMDDYYYY it is March 15, 1990 (the DOB on file)."
        )
    );
    let check = check_dob(date("1990-03-15"), "19900315", &ctx());
    assert_eq!(check.readings, [reading(YearMonthDay, "1990-03-15", false, Some(true))]);
    let check = check_dob(date("1990-03-15"), "15031990", &ctx());
    assert_eq!(check.readings, [reading(DayFirst, "1990-03-15", false, Some(true))]);
    // Eight digits that read two ways.
    let check = check_dob(date("1959-04-03"), "03041959", &ctx());
    assert!(check.unsettled());
    let said = explain_readings("03041959", &check.readings, None).unwrap_or_default();
    assert!(
        said.ends_with(
            "Read as MMDDYYYY it is March 4, 1959 (differs from the DOB on file). Read as DDMMYYYY it is 3 April \
             1959 (the DOB on file): ask the client which they mean."
        ),
        "{said}"
    );
}

#[test]
fn the_readings_can_be_told_masked() {
    let check = check_dob(date("1959-04-03"), "03/04/1959", &ctx());
    let said = explain_readings("03/04/1959", &check.readings, Some("••/••/••••")).unwrap_or_default();
    assert_eq!(
        said,
        "••/••/••••: the portal reads ••/••/•••• (differs from the DOB on file). Read day-first it is ••/••/•••• (the \
         DOB on file): ask the client which they mean."
    );
    assert!(!said.chars().any(|c| c.is_ascii_digit()), "{said}");
    assert!(!format!("{check:?}").contains("1959"));
    assert_eq!(explain_readings("banana", &[], None), None);
}

proptest! {
    #[test]
    fn a_dob_typed_day_first_that_reads_two_ways_is_a_question(on_file in dob_since_1900()) {
        let (m, d, y) = (on_file.month(), on_file.day(), on_file.year());
        prop_assume!(d <= 12 && d != m);
        let check = check_dob(on_file, &format!("{d:02}/{m:02}/{y}"), &ctx());
        prop_assert!(check.unsettled(), "{:?}", check);
        prop_assert_eq!(check.readings.len(), 2);
        prop_assert!(check.readings[0].portal_takes && check.readings[0].matches_on_file == Some(false));
        prop_assert!(check.readings[1].matches_on_file == Some(true));
    }

    #[test]
    fn readings_are_at_most_two_and_the_same_numbers_swapped(text in date_like(), on_file in dob_since_1900()) {
        let check = check_dob(on_file, &text, &ctx());
        prop_assert!(check.readings.len() <= 2);
        prop_assert!(check.readings.iter().all(|r| r.portal_takes == (r.order == ReadingOrder::MonthFirst)));
        prop_assert!(check.readings.iter().all(|r| r.matches_on_file == Some(r.date == on_file)));
        if let [a, b] = check.readings.as_slice() {
            prop_assert_eq!((a.date.month(), a.date.day(), a.date.year()), (b.date.day(), b.date.month(), b.date.year()));
            prop_assert!(a.order < b.order);
        }
        prop_assert!(!check.unsettled() || !check.would_pass);
        prop_assert_eq!(readings(&text, Some(on_file), ctx().today), check.readings.clone());
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
