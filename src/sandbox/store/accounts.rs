//! Accounts: search, read, change.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter, types::Value};

use super::{instant, secs, wire, wire_opt};
use crate::phi::Phi;
use crate::portal::model::{Account, AccountEmail, AccountSummary, InviteStatus, InviteSummary, Page, Role};

/// A stored account with its row id and version (the ETag's source).
#[derive(Debug, Clone)]
pub struct StoredAccount {
    pub rowid: i64,
    pub version: i64,
    pub account: Account,
}

impl StoredAccount {
    /// The strong ETag of this version of the account.
    pub fn etag(&self) -> String {
        etag(self.rowid, self.version)
    }
}

/// The strong ETag of an account version.
pub fn etag(rowid: i64, version: i64) -> String {
    format!("\"a{rowid}v{version}\"")
}

/// A new account to insert (seed data).
pub struct NewAccount<'a> {
    pub id: &'a str,
    pub role: Role,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: &'a str,
    pub phone: &'a str,
    pub dob: NaiveDate,
    pub created_at: DateTime<Utc>,
}

/// Inserts an account and, when the search index is caught up, indexes
/// it; returns its row id.
pub fn insert(conn: &Connection, new: &NewAccount<'_>) -> rusqlite::Result<i64> {
    let rowid = insert_unindexed(conn, new)?;
    if indexed_through(conn)? == rowid - 1 {
        index_pending(conn, 1)?;
    }
    Ok(rowid)
}

/// Inserts an account without indexing it for search: seeding leaves the
/// index to [`index_pending`], run after the sandbox serves, so the first
/// answers (the queue) do not wait for it.
pub fn insert_unindexed(conn: &Connection, new: &NewAccount<'_>) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO accounts (id, role, first_name, last_name, email, phone, dob, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
    )?
    .execute(params![
        new.id,
        new.role.as_str(),
        new.first_name,
        new.last_name,
        new.email,
        new.phone,
        new.dob.format("%Y-%m-%d").to_string(),
        secs(new.created_at)
    ])?;
    let rowid = conn.last_insert_rowid();
    conn.prepare_cached("INSERT INTO account_emails (account_rowid, address, is_default) VALUES (?1, ?2, 1)")?
        .execute(params![rowid, new.email])?;
    Ok(rowid)
}

/// The last account row the search indexes hold (rows are indexed in row
/// order; every row up to this one is in them).
pub fn indexed_through(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT through FROM search_index")?.query_row([], |row| row.get(0))
}

/// Indexes up to `limit` accounts past the indexed ones, each with every
/// address it has; true when every account is indexed.
pub fn index_pending(conn: &Connection, limit: u32) -> rusqlite::Result<bool> {
    let through = indexed_through(conn)?;
    let mut statement = conn.prepare_cached(
        "SELECT rowid, id, first_name, last_name,
                COALESCE((SELECT group_concat(address, ' ') FROM account_emails e WHERE e.account_rowid = a.rowid),
                         email),
                phone
         FROM accounts a WHERE rowid > ?1 ORDER BY rowid LIMIT ?2",
    )?;
    let mut rows = statement.query(params![through, limit])?;
    let mut last = through;
    while let Some(row) = rows.next()? {
        last = row.get(0)?;
        let fields: [String; 5] = [row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?];
        let [id, first, last_name, email, phone] = fields.each_ref().map(String::as_str);
        index(conn, last, id, first, last_name, email, phone)?;
    }
    conn.prepare_cached("UPDATE search_index SET through = ?1")?.execute([last])?;
    let more: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM accounts WHERE rowid > ?1)")?
        .query_row([last], |row| row.get(0))?;
    Ok(!more)
}

fn index(
    conn: &Connection,
    rowid: i64,
    id: &str,
    first_name: &str,
    last_name: &str,
    email: &str,
    phone: &str,
) -> rusqlite::Result<()> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    conn.prepare_cached(
        "INSERT INTO accounts_fts (rowid, id, first_name, last_name, email, phone, phone_digits)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![rowid, id, first_name, last_name, email, phone, digits])?;
    super::grams::index(conn, rowid, &[id, first_name, last_name, email, phone, &digits])
}

const ACCOUNT_COLUMNS: &str =
    "rowid, id, role, first_name, last_name, email, phone, dob, created_at, updated_at, version";

fn read_account(row: &Row<'_>) -> rusqlite::Result<StoredAccount> {
    Ok(StoredAccount {
        rowid: row.get("rowid")?,
        version: row.get("version")?,
        account: Account {
            id: row.get("id")?,
            role: wire(row, "role")?,
            first_name: Phi::new(row.get("first_name")?),
            last_name: Phi::new(row.get("last_name")?),
            email: Phi::new(row.get("email")?),
            emails: Vec::new(),
            phone: Phi::new(row.get("phone")?),
            dob: Phi::new(wire::<NaiveDate>(row, "dob")?),
            created_at: instant(row.get("created_at")?),
            updated_at: instant(row.get("updated_at")?),
        },
    })
}

/// The account with this id.
pub fn by_id(conn: &Connection, id: &str) -> rusqlite::Result<Option<StoredAccount>> {
    let stored = conn
        .prepare_cached(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ?1"))?
        .query_row([id], read_account)
        .optional()?;
    stored.map(|s| with_emails(conn, s)).transpose()
}

/// The account in this row.
pub fn by_rowid(conn: &Connection, rowid: i64) -> rusqlite::Result<Option<StoredAccount>> {
    let stored = conn
        .prepare_cached(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE rowid = ?1"))?
        .query_row([rowid], read_account)
        .optional()?;
    stored.map(|s| with_emails(conn, s)).transpose()
}

/// The default address and role of the account in this row: what sending
/// an invite needs, without reading the whole account and its addresses.
pub fn invite_target(conn: &Connection, rowid: i64) -> rusqlite::Result<Option<(String, Role)>> {
    conn.prepare_cached("SELECT email, role FROM accounts WHERE rowid = ?1")?
        .query_row([rowid], |row| Ok((row.get("email")?, wire(row, "role")?)))
        .optional()
}

/// Fills in every address of the account, the default first.
fn with_emails(conn: &Connection, mut stored: StoredAccount) -> rusqlite::Result<StoredAccount> {
    let mut statement = conn.prepare_cached(
        "SELECT address, is_default FROM account_emails WHERE account_rowid = ?1 ORDER BY is_default DESC, rowid",
    )?;
    let rows = statement.query_map([stored.rowid], |row| {
        Ok(AccountEmail { address: Phi::new(row.get("address")?), is_default: row.get("is_default")? })
    })?;
    stored.account.emails = rows.collect::<Result<_, _>>()?;
    if stored.account.emails.is_empty() {
        stored.account.emails.push(AccountEmail { address: stored.account.email.clone(), is_default: true });
    }
    Ok(stored)
}

/// An account's addresses as plain pairs (address, is default).
pub fn email_pairs(account: &Account) -> Vec<(String, bool)> {
    account.emails.iter().map(|e| (e.address.expose().clone(), e.is_default)).collect()
}

/// Writes a changed DOB and/or default email and bumps the version.
pub fn update(
    conn: &Connection,
    stored: &StoredAccount,
    dob: Option<NaiveDate>,
    email: Option<&str>,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let emails = email.map(|email| {
        email_pairs(&stored.account)
            .into_iter()
            .map(|(address, is_default)| if is_default { (email.to_owned(), true) } else { (address, false) })
            .collect::<Vec<_>>()
    });
    update_with_emails(conn, stored, dob, emails.as_deref(), now)
}

/// Writes a changed DOB and/or the whole list of addresses (exactly one of
/// them the default) and bumps the version.
pub fn update_with_emails(
    conn: &Connection,
    stored: &StoredAccount,
    dob: Option<NaiveDate>,
    emails: Option<&[(String, bool)]>,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let account = &stored.account;
    let new_email = emails
        .and_then(|list| list.iter().find(|(_, d)| *d).map(|(a, _)| a.as_str()))
        .unwrap_or(account.email.expose());
    let new_dob = dob.unwrap_or(*account.dob.expose());
    conn.execute(
        "UPDATE accounts SET dob = ?1, email = ?2, updated_at = ?3, version = version + 1 WHERE rowid = ?4",
        params![new_dob.format("%Y-%m-%d").to_string(), new_email, secs(now), stored.rowid],
    )?;
    if let Some(emails) = emails {
        conn.execute("DELETE FROM account_emails WHERE account_rowid = ?1", [stored.rowid])?;
        for (address, is_default) in emails {
            conn.prepare_cached("INSERT INTO account_emails (account_rowid, address, is_default) VALUES (?1, ?2, ?3)")?
                .execute(params![stored.rowid, address, is_default])?;
        }
        // A row past the indexed ones is indexed later, as it then is.
        if stored.rowid > indexed_through(conn)? {
            return Ok(());
        }
        let all: Vec<&str> = emails.iter().map(|(a, _)| a.as_str()).collect();
        conn.execute("DELETE FROM accounts_fts WHERE rowid = ?1", [stored.rowid])?;
        super::grams::remove(conn, stored.rowid)?;
        index(
            conn,
            stored.rowid,
            account.id.as_str(),
            account.first_name.expose(),
            account.last_name.expose(),
            &all.join(" "),
            account.phone.expose(),
        )?;
    }
    Ok(())
}

/// Bumps the version of an account whose invites changed (a revoke), so a
/// second change made with the same ETag is refused.
pub fn touch(conn: &Connection, rowid: i64, now: DateTime<Utc>) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE accounts SET updated_at = ?1, version = version + 1 WHERE rowid = ?2",
        params![secs(now), rowid],
    )?;
    Ok(())
}

/// What to search for.
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// Substring of first or last name, email, phone or id; case-insensitive.
    pub q: Option<String>,
    pub role: Option<Role>,
    /// Only rows after this row id (the cursor).
    pub after: i64,
    /// Only rows up to this row id.
    pub through: Option<i64>,
    pub limit: u32,
}

/// One page of accounts matching `search`, in row order.
pub fn search(conn: &Connection, search: &Search, now: DateTime<Utc>) -> rusqlite::Result<Page<AccountSummary>> {
    // A phone written with spaces or punctuation is looked up by its
    // digits, which both indexes hold for every phone (`phone_digits`).
    let digits = search.q.as_deref().and_then(phone_digits);
    // Several words (not a phone): each matches some field, in any order
    // ("rosa novak", "novak rosa", "rosa gmail"). Words of 3+ characters
    // go to the trigram index as one AND expression; shorter ones to the
    // gram index.
    let words: Vec<&str> = match (&digits, search.q.as_deref()) {
        (None, Some(q)) => q.split_whitespace().collect(),
        _ => Vec::new(),
    };
    let phrase = |word: &str| format!("\"{}\"", word.replace('"', "\"\""));
    // The trigram expression, the gram expression driving the scan when no
    // trigram one does, and gram expressions each row must also match.
    let (trigram, short, also): (Option<String>, Option<String>, Vec<String>) = if words.len() > 1 {
        let (long, short): (Vec<&str>, Vec<&str>) =
            words.iter().partition(|w| w.chars().count() > super::grams::MAX_LEN);
        let grams: Vec<String> = short.iter().filter_map(|w| super::grams::match_expression(w)).collect();
        if long.is_empty() {
            (None, Some(grams.join(" AND ")), Vec::new())
        } else {
            (Some(long.iter().map(|w| phrase(w)).collect::<Vec<_>>().join(" AND ")), None, grams)
        }
    } else {
        // One word: with 3+ characters the trigram index drives, with 1 or
        // 2 the gram index: each yields matches in rowid order, so LIMIT
        // stops the scan after one page instead of collecting every match
        // of a common term first. A phone query of 1 or 2 digits is their
        // gram.
        let trigram =
            search.q.as_deref().filter(|q| q.chars().count() >= 3 && digits.as_ref().is_none_or(|d| d.len() >= 3)).map(
                |q| {
                    // The text as typed, or (a phone) its digits in a phone: one
                    // FTS5 expression, whose OR merges both doclists in rowid
                    // order.
                    let mut expression = phrase(q);
                    if let Some(digits) = &digits {
                        expression.push_str(&format!(" OR phone_digits : \"{digits}\""));
                    }
                    expression
                },
            );
        let short = match &digits {
            Some(d) if d.len() < 3 => super::grams::match_expression(d),
            _ => search.q.as_deref().and_then(super::grams::match_expression),
        };
        (trigram, short, Vec::new())
    };
    let (from, order) = match (&trigram, &short) {
        (Some(_), _) => ("accounts_fts f JOIN accounts a ON a.rowid = f.rowid", "f.rowid"),
        (None, Some(_)) => ("accounts_grams f JOIN accounts a ON a.rowid = f.rowid", "f.rowid"),
        (None, None) => ("accounts a", "a.rowid"),
    };
    let mut sql = format!(
        "SELECT a.rowid, a.id, a.role, a.first_name, a.last_name, a.email, li.status, li.expires_at
         FROM {from}
         LEFT JOIN invites li ON li.rowid = (SELECT max(rowid) FROM invites WHERE account_rowid = a.rowid)"
    );
    let mut args: Vec<Value> = Vec::new();
    let mut clauses = vec![format!("{order} > ?")];
    args.push(Value::Integer(search.after));
    match (trigram, short, search.q.as_deref()) {
        (Some(expression), _, _) => {
            clauses.push("accounts_fts MATCH ?".into());
            args.push(Value::Text(expression));
        }
        (None, Some(token), _) => {
            clauses.push("accounts_grams MATCH ?".into());
            args.push(Value::Text(token));
        }
        (None, None, Some(q)) => {
            let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
            clauses.push(
                "(lower(a.first_name) LIKE ?1x ESCAPE '\\' OR lower(a.last_name) LIKE ?1x ESCAPE '\\'
                  OR lower(a.email) LIKE ?1x ESCAPE '\\' OR a.phone LIKE ?1x ESCAPE '\\'
                  OR lower(a.id) LIKE ?1x ESCAPE '\\'
                  OR EXISTS (SELECT 1 FROM account_emails e WHERE e.account_rowid = a.rowid
                             AND lower(e.address) LIKE ?1x ESCAPE '\\'))"
                    .replace("?1x", "?"),
            );
            args.extend(std::iter::repeat_n(Value::Text(pattern), 6));
        }
        (None, None, None) => {}
    }
    for token in also {
        clauses.push("a.rowid IN (SELECT rowid FROM accounts_grams WHERE accounts_grams MATCH ?)".into());
        args.push(Value::Text(token));
    }
    if let Some(through) = search.through {
        clauses.push(format!("{order} <= ?"));
        args.push(Value::Integer(through));
    }
    if let Some(role) = search.role {
        clauses.push("a.role = ?".into());
        args.push(Value::Text(role.as_str().into()));
    }
    sql.push_str(" WHERE ");
    sql.push_str(&clauses.join(" AND "));
    sql.push_str(&format!(" ORDER BY {order} LIMIT ?"));
    args.push(Value::Integer(i64::from(search.limit) + 1));

    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(params_from_iter(args), |row| {
        let status: Option<InviteStatus> = wire_opt(row, "status")?;
        let expires_at: Option<i64> = row.get("expires_at")?;
        let latest_invite = match (status, expires_at) {
            (Some(status), Some(expires_at)) => Some(InviteSummary {
                status: super::invites::effective_status(status, expires_at, now),
                expires_at: instant(expires_at),
            }),
            _ => None,
        };
        Ok((
            row.get::<_, i64>("rowid")?,
            AccountSummary {
                id: row.get("id")?,
                role: wire(row, "role")?,
                first_name: Phi::new(row.get("first_name")?),
                last_name: Phi::new(row.get("last_name")?),
                email: Phi::new(row.get("email")?),
                latest_invite,
            },
        ))
    })?;
    let mut items = Vec::new();
    let mut last_rowid = None;
    let mut more = false;
    for row in rows {
        let (rowid, summary) = row?;
        if items.len() == search.limit as usize {
            more = true;
            break;
        }
        last_rowid = Some(rowid);
        items.push(summary);
    }
    let next_cursor = if more { last_rowid.map(|r| r.to_string()) } else { None };
    Ok(Page::new(items, next_cursor))
}

/// The summary of one account (for tickets).
pub fn summary(conn: &Connection, rowid: i64, now: DateTime<Utc>) -> rusqlite::Result<Option<AccountSummary>> {
    let only = Search { after: rowid - 1, through: Some(rowid), limit: 1, ..Search::default() };
    Ok(search(conn, &only, now)?.items.into_iter().next())
}

/// The characters a phone number is written with besides its digits.
const PHONE_PUNCTUATION: &[char] = &[' ', '(', ')', '-', '.', '+', '/'];

/// The digits of a query that is a phone number written with spaces or
/// punctuation (`(254) 555-01`, `254.555`): only digits and phone
/// punctuation, at least one of each. `None` for any other query, plain
/// digits included (they already match the digits of every phone).
pub fn phone_digits(q: &str) -> Option<String> {
    let phone_like = q.chars().all(|c| c.is_ascii_digit() || PHONE_PUNCTUATION.contains(&c));
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    (phone_like && !digits.is_empty() && digits.len() < q.len()).then_some(digits)
}

pub(super) fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// How many accounts there are (none: a new database, to seed).
pub fn count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT count(*) FROM accounts")?.query_row([], |r| r.get(0))
}

/// How many client accounts there are.
pub fn client_count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT count(*) FROM accounts WHERE role = 'client'")?.query_row([], |r| r.get(0))
}

/// The row id of the client account `offset` rows after the first.
pub fn client_rowid_at(conn: &Connection, offset: i64) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT rowid FROM accounts WHERE role = 'client' ORDER BY rowid LIMIT 1 OFFSET ?1")?
        .query_row([offset], |r| r.get(0))
}

/// An account's id and full name (`first last`), as a message is signed.
pub fn id_and_name(conn: &Connection, rowid: i64) -> rusqlite::Result<(String, String)> {
    conn.prepare_cached("SELECT id, first_name || ' ' || last_name FROM accounts WHERE rowid = ?1")?
        .query_row([rowid], |r| Ok((r.get(0)?, r.get(1)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_account<'a>(id: &'a str, email: &'a str) -> NewAccount<'a> {
        NewAccount {
            id,
            role: Role::Client,
            first_name: "Sam",
            last_name: "Okafor",
            email,
            phone: "(555) 555-0101",
            dob: NaiveDate::from_ymd_opt(1985, 12, 21).unwrap(),
            created_at: instant(1_800_000_000),
        }
    }

    fn found(conn: &Connection, q: &str) -> Vec<String> {
        let search = Search { q: Some(q.into()), limit: 10, ..Search::default() };
        search_ids(conn, &search)
    }

    fn search_ids(conn: &Connection, search: &Search) -> Vec<String> {
        let page = super::search(conn, search, instant(1_800_000_000)).unwrap();
        page.items.into_iter().map(|a| a.id.into_string()).collect()
    }

    #[test]
    fn seeded_rows_are_indexed_later_in_row_order_with_the_addresses_they_have_then() {
        let conn = Connection::open_in_memory().unwrap();
        super::super::open(&conn).unwrap();
        let first = insert_unindexed(&conn, &new_account("acc_1", "sam@example.org")).unwrap();
        insert_unindexed(&conn, &new_account("acc_2", "kim@example.org")).unwrap();
        assert_eq!(indexed_through(&conn).unwrap(), 0);
        assert!(found(&conn, "example.org").is_empty(), "nothing is searchable before indexing");
        // A change to a row not indexed yet leaves it to the indexer...
        let stored = by_rowid(&conn, first).unwrap().unwrap();
        let emails = [("sam.new@example.org".to_owned(), true)];
        update_with_emails(&conn, &stored, None, Some(&emails), instant(1_800_000_100)).unwrap();
        assert!(found(&conn, "sam.new").is_empty());
        // ...which indexes a batch at a time, in row order.
        assert!(!index_pending(&conn, 1).unwrap(), "one of two rows indexed");
        assert_eq!(indexed_through(&conn).unwrap(), first);
        assert!(index_pending(&conn, 1).unwrap());
        assert_eq!(found(&conn, "sam.new"), ["acc_1"]);
        assert_eq!(found(&conn, "kim@"), ["acc_2"]);
        assert_eq!(found(&conn, "sam@"), Vec::<String>::new(), "the address it no longer has");
        // Once caught up, a new row and a change are indexed at once.
        insert(&conn, &new_account("acc_3", "lee@example.org")).unwrap();
        assert_eq!(found(&conn, "lee@"), ["acc_3"]);
        let stored = by_id(&conn, "acc_2").unwrap().unwrap();
        let emails = [("kim.other@example.org".to_owned(), true)];
        update_with_emails(&conn, &stored, None, Some(&emails), instant(1_800_000_200)).unwrap();
        assert_eq!(found(&conn, "kim.other"), ["acc_2"]);
        assert!(index_pending(&conn, 10).unwrap(), "nothing left to index");
        assert_eq!(found(&conn, "example.org").len(), 3, "no row indexed twice");
    }

    #[test]
    fn several_words_each_match_some_field_in_any_order() {
        let conn = Connection::open_in_memory().unwrap();
        super::super::open(&conn).unwrap();
        let person = |id, first, last, email, phone| NewAccount {
            first_name: first,
            last_name: last,
            phone,
            ..new_account(id, email)
        };
        insert(&conn, &person("acc_1", "Rosa", "Novak", "rosa.novak@gmail.com", "(555) 010-2233")).unwrap();
        insert(&conn, &person("acc_2", "Rosa", "Lind", "rl@example.org", "(555) 010-4455")).unwrap();
        insert(&conn, &person("acc_3", "Ivan", "Novak", "ivan@example.org", "(555) 010-6677")).unwrap();
        insert(&conn, &person("acc_4", "Al", "Novak", "al.n@example.org", "(555) 010-8899")).unwrap();
        for q in ["Rosa Novak", "novak rosa", "  ROSA   novak ", "rosa gmail", "ros nov", "novak 2233"] {
            assert_eq!(found(&conn, q), ["acc_1"], "{q}");
        }
        assert_eq!(found(&conn, "rosa"), ["acc_1", "acc_2"]);
        assert_eq!(found(&conn, "novak example"), ["acc_3", "acc_4"]);
        // A word of one or two characters too (the gram index).
        assert_eq!(found(&conn, "al novak"), ["acc_4"]);
        assert_eq!(found(&conn, "novak al"), ["acc_4"]);
        assert_eq!(found(&conn, "ro no"), ["acc_1"]);
        // Every word must match.
        assert!(found(&conn, "rosa ivan").is_empty());
        // A quote in a word is text, never the index's syntax.
        assert!(found(&conn, "rosa \"novak").is_empty());
        // A phone with a space is still a phone.
        assert_eq!(found(&conn, "(555) 010-44"), ["acc_2"]);
    }

    #[test]
    fn a_phone_written_with_punctuation_is_searched_by_its_digits() {
        assert_eq!(phone_digits("(254) 555-01").as_deref(), Some("25455501"));
        assert_eq!(phone_digits("254.555").as_deref(), Some("254555"));
        assert_eq!(phone_digits("+1 254/555").as_deref(), Some("1254555"));
        assert_eq!(phone_digits("2 5").as_deref(), Some("25"));
        assert_eq!(phone_digits("254555"), None, "plain digits match as they are");
        assert_eq!(phone_digits("acc_42"), None);
        assert_eq!(phone_digits("ana 254"), None);
        assert_eq!(phone_digits("(-)"), None);
        assert_eq!(phone_digits(""), None);
    }
}
