//! The index behind search queries of one or two characters.
//!
//! The trigram index cannot answer them (a trigram needs three
//! characters), and a scan of every row is fast only while matches are
//! common: a rare or absent pair of letters read all of a million rows
//! (~600 ms). So each account's searchable fields are also indexed as their
//! distinct lowercased characters and character pairs, one FTS5 token each,
//! and a short query is one token lookup: a doclist in row order, which
//! `LIMIT` stops after one page. Matching stays what the contract says:
//! case-insensitive substring of any field.
//!
//! A token is a kind letter and the UTF-8 bytes of the gram in hex (`u6d`
//! for `m`, `b6d61` for `ma`), so any character fits the `unicode61`
//! tokenizer and a pair never collides with a single character.

use rusqlite::{Connection, params};

/// The table, created with the rest of the schema.
pub const SCHEMA: &str = "
CREATE VIRTUAL TABLE IF NOT EXISTS accounts_grams USING fts5(
    grams, content = '', contentless_delete = 1, detail = none, tokenize = 'unicode61'
);
-- 16 MiB of pending terms before a flush (default 1 MiB): fewer, larger
-- segments to merge while seeding a million accounts.
INSERT INTO accounts_grams (accounts_grams, rank) VALUES ('hashsize', 16777216);
";

/// Creates the table; in a database made before it existed, indexes the
/// accounts already there.
pub fn create(conn: &Connection) -> rusqlite::Result<()> {
    let existed = conn.prepare("SELECT 1 FROM sqlite_master WHERE name = 'accounts_grams'")?.exists([])?;
    conn.execute_batch(SCHEMA)?;
    if existed {
        return Ok(());
    }
    // Every address of the account, as the search matches them all.
    let mut statement = conn.prepare(
        "SELECT rowid, id, first_name, last_name,
                COALESCE((SELECT group_concat(address, ' ') FROM account_emails e WHERE e.account_rowid = a.rowid),
                         email),
                phone
         FROM accounts a",
    )?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let fields: [String; 5] = [row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?];
        let digits: String = fields[4].chars().filter(char::is_ascii_digit).collect();
        let [id, first, last, email, phone] = fields.each_ref().map(String::as_str);
        index(conn, row.get(0)?, &[id, first, last, email, phone, &digits])?;
    }
    Ok(())
}

/// Queries this short (in characters) are answered by this index.
pub const MAX_LEN: usize = 2;

/// Indexes the fields of the account in `rowid` (new, or just removed).
pub fn index(conn: &Connection, rowid: i64, fields: &[&str]) -> rusqlite::Result<()> {
    // Grams as numbers first: sorting and deduplicating them is cheap, and
    // seeding a million accounts runs this a million times.
    let mut keys = Vec::with_capacity(128);
    for field in fields {
        let mut previous = None;
        for ch in lowercase(field) {
            keys.push(key(ch, None));
            if let Some(first) = previous {
                keys.push(key(first, Some(ch)));
            }
            previous = Some(ch);
        }
    }
    keys.sort_unstable();
    keys.dedup();
    let mut text = String::with_capacity(keys.len() * 8);
    for key in keys {
        push_token(&mut text, unkey(key));
        text.push(' ');
    }
    conn.prepare_cached("INSERT INTO accounts_grams (rowid, grams) VALUES (?1, ?2)")?.execute(params![rowid, text])?;
    Ok(())
}

/// Removes the account in `rowid` from the index (before indexing it anew).
pub fn remove(conn: &Connection, rowid: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM accounts_grams WHERE rowid = ?1")?.execute([rowid])?;
    Ok(())
}

/// The `MATCH` expression of a query of one or two characters, or `None`
/// for any other length.
pub fn match_expression(q: &str) -> Option<String> {
    let mut chars = lowercase(q);
    let first = chars.next()?;
    let second = chars.next();
    if chars.next().is_some() {
        return None;
    }
    let mut token = String::new();
    push_token(&mut token, (first, second));
    Some(token)
}

fn lowercase(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars().flat_map(char::to_lowercase)
}

/// A gram as one number: the first character above the second plus one
/// (zero for a single character). Both fit in 22 bits.
fn key(first: char, second: Option<char>) -> u64 {
    (u64::from(first) << 22) | second.map_or(0, |c| u64::from(c) + 1)
}

fn unkey(key: u64) -> (char, Option<char>) {
    let char_at = |n: u64| char::from_u32(n as u32).unwrap_or(char::REPLACEMENT_CHARACTER);
    let second = key & ((1 << 22) - 1);
    (char_at(key >> 22), (second != 0).then(|| char_at(second - 1)))
}

fn push_token(out: &mut String, (first, second): (char, Option<char>)) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(if second.is_some() { 'b' } else { 'u' });
    let mut buf = [0; 4];
    for ch in std::iter::once(first).chain(second) {
        for byte in ch.encode_utf8(&mut buf).bytes() {
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 15)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_lowercased_hex_with_their_kind() {
        assert_eq!(match_expression("M").as_deref(), Some("u6d"));
        assert_eq!(match_expression("Ma").as_deref(), Some("b6d61"));
        assert_eq!(match_expression("é").as_deref(), Some("uc3a9"));
        assert_eq!(match_expression(""), None);
        assert_eq!(match_expression("mar"), None);
    }

    #[test]
    fn short_queries_find_substrings_anywhere_in_a_field() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        index(&conn, 1, &["Hernandez", "h@x.org"]).unwrap();
        index(&conn, 2, &["Óscar", "(555) 555-0107"]).unwrap();
        let find = |q: &str| -> Vec<i64> {
            let mut statement =
                conn.prepare("SELECT rowid FROM accounts_grams WHERE accounts_grams MATCH ?1 ORDER BY rowid").unwrap();
            statement.query_map([match_expression(q).unwrap()], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
        };
        assert_eq!(find("EZ"), [1]);
        assert_eq!(find("z"), [1]);
        assert_eq!(find("ós"), [2]);
        assert_eq!(find("7"), [2]);
        assert_eq!(find("5)"), [2]);
        assert_eq!(find("zh"), Vec::<i64>::new(), "a pair never spans two fields");
        assert_eq!(find("r"), [1, 2]);
        remove(&conn, 2).unwrap();
        index(&conn, 2, &["Ana"]).unwrap();
        assert_eq!(find("r"), [1]);
    }

    #[test]
    fn a_database_made_before_the_index_gets_it_filled() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(super::super::SCHEMA).unwrap();
        conn.execute(
            "INSERT INTO accounts (id, role, first_name, last_name, email, phone, dob, created_at, updated_at)
             VALUES ('acc_1', 'client', 'Ana', 'Quist', 'a@x.org', '(555) 555-0107', '1990-01-01', 0, 0)",
            [],
        )
        .unwrap();
        create(&conn).unwrap();
        let token = match_expression("Qu").unwrap();
        let found: i64 = conn
            .query_row("SELECT rowid FROM accounts_grams WHERE accounts_grams MATCH ?1", [token], |r| r.get(0))
            .unwrap();
        assert_eq!(found, 1);
        create(&conn).unwrap();
    }
}
