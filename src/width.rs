//! How many terminal columns text takes, for every cut and pad on screen
//! and in the CLI's tables: a CJK character or an emoji takes two columns,
//! a combining mark none, so counting `char`s misplaces columns and cuts.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The columns `text` takes on a terminal.
pub fn of(text: &str) -> usize {
    text.width()
}

/// The columns one character takes (a control character none).
pub fn of_char(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// Cuts `text` to at most `width` columns, ending with `…` when cut. A wide
/// character that would not fit whole is left out, never split; a cut to
/// no columns is empty.
pub fn truncate(text: &str, width: usize) -> String {
    if of(text) <= width {
        return text.to_owned();
    }
    let Some(room) = width.checked_sub(1) else {
        return String::new();
    };
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > room {
            break;
        }
        used += w;
        out.push(c);
    }
    // A sequence can be wider than its characters (an emoji with its
    // presentation selector): measure the cut as a whole too.
    while of(&out) > room {
        out.pop();
    }
    out.push('…');
    out
}

/// `text` followed by spaces up to `width` columns (as is when it takes
/// as many or more).
pub fn pad(text: &str, width: usize) -> String {
    let mut out = text.to_owned();
    out.push_str(&" ".repeat(width.saturating_sub(of(text))));
    out
}

/// Splits `text` after the most whole characters that fit in `width`
/// columns, and at least one (so a caller cutting a long word across
/// lines always moves on, even when a wide character is wider than the
/// room).
pub fn split_at(text: &str, width: usize) -> (&str, &str) {
    let mut used = 0;
    let mut end = 0;
    for (i, c) in text.char_indices() {
        let w = c.width().unwrap_or(0);
        if used + w > width && i > 0 {
            break;
        }
        used += w;
        end = i + c.len_utf8();
    }
    // A sequence can be wider than its characters: measure the head too,
    // keeping its first character whatever it takes.
    let first = text.chars().next().map_or(0, char::len_utf8);
    while end > first && of(&text[..end]) > width {
        end = text[..end].char_indices().next_back().map_or(0, |(i, _)| i);
    }
    text.split_at(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLES: &[&str] = &[
        "plain ascii text",
        "山田太郎さんの招待",
        "김민준 초대 링크",
        "🙂🙂🙂 smile",
        "a👨‍👩‍👧b family",
        "❤️ love",
        "e\u{301}te\u{301} accents",
        "mixed 漢字 and 🎉 here",
    ];

    #[test]
    fn wide_characters_take_two_columns() {
        assert_eq!(of("abc"), 3);
        assert_eq!(of("山田"), 4);
        assert_eq!(of("🙂"), 2);
        assert_eq!(of("e\u{301}"), 1);
    }

    #[test]
    fn a_cut_never_exceeds_the_width_nor_splits_a_wide_character() {
        for text in SAMPLES {
            for width in 0..=of(text) + 2 {
                let cut = truncate(text, width);
                assert!(of(&cut) <= width, "{text:?} cut to {width}: {cut:?} takes {}", of(&cut));
                if of(text) <= width {
                    assert_eq!(cut, *text);
                } else if width > 0 {
                    let kept = cut.strip_suffix('…').unwrap();
                    assert!(text.starts_with(kept), "{text:?} cut to {width}: {cut:?}");
                }
            }
        }
    }

    #[test]
    fn a_wide_character_that_does_not_fit_is_left_out() {
        // Four columns: one wide character and the ellipsis, not a half.
        assert_eq!(truncate("山田太郎", 4), "山…");
        assert_eq!(truncate("山田太郎", 3), "山…");
        assert_eq!(truncate("山田太郎", 2), "…");
        assert_eq!(truncate("🙂🙂🙂", 5), "🙂🙂…");
        assert_eq!(truncate("abc", 0), "");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("山田", 4), "山田");
    }

    #[test]
    fn a_split_keeps_whole_characters_within_the_width() {
        assert_eq!(split_at("山田太郎", 5), ("山田", "太郎"));
        assert_eq!(split_at("山田太郎", 4), ("山田", "太郎"));
        assert_eq!(split_at("abcdef", 4), ("abcd", "ef"));
        assert_eq!(split_at("🙂x", 1), ("🙂", "x"), "one character at least");
        assert_eq!(split_at("", 3), ("", ""));
        for text in SAMPLES {
            for width in 2..=of(text) {
                let (head, tail) = split_at(text, width);
                assert!(of(head) <= width, "{text:?} at {width}: {head:?}");
                assert_eq!(format!("{head}{tail}"), *text);
            }
        }
    }

    #[test]
    fn padding_counts_columns() {
        assert_eq!(pad("山田", 6), "山田  ");
        assert_eq!(pad("ab", 6), "ab    ");
        assert_eq!(pad("山田太郎", 6), "山田太郎");
        for text in SAMPLES {
            assert_eq!(of(&pad(text, 40)), 40.max(of(text)));
        }
    }
}
