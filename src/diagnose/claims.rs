//! What the client says they did, saw or want: their *claims* ("I checked
//! Spam", "the link says invalid", "is this safe?"), each as its exact text
//! and position, like the DOBs and addresses of [`super::message`].
//!
//! How it reads: one pass of an Aho-Corasick automaton (ASCII letter case
//! aside) finds the cue words of every kind in English and Spanish; each cue
//! is then judged on the words of its own sentence only (a bounded window),
//! so the reading stays linear in the text's length. A cue in quoted mail
//! (the lines the message reader marks as quoted) is not the client's.
//!
//! Negations count where they change what was said: "I did not check
//! Spam" is no claim, but "found nothing, not even in Spam" is
//! `searched_spam` (they looked), and "I haven't received it" is
//! `not_received`. A question ("Should I check Spam?") claims nothing,
//! except where asking is the claim (`asks_safe`, `wants_address`).
//!
//! Pure and total. Positions are in characters (Unicode scalar values), end
//! exclusive.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::Serialize;

/// What a claim says the client did, saw or wants.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ClaimKind {
    /// Looked in Spam, Junk or Trash.
    SearchedSpam,
    /// Never got the email.
    NotReceived,
    /// The page says the link is invalid or expired.
    LinkInvalid,
    /// Clicked or refreshed the link several times.
    OpenedRepeatedly,
    /// Opened it on a phone.
    OnPhone,
    /// Says the DOB they type is right.
    DobIsRight,
    /// Wants the invite at another address.
    WantsAddress,
    /// Asks whether the email or link is genuine or safe.
    AsksSafe,
    /// Says they already have an account.
    AlreadyRegistered,
}

impl ClaimKind {
    /// The stable code (`searched_spam`, ...).
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Every kind.
    pub fn all() -> impl Iterator<Item = ClaimKind> {
        <Self as strum::IntoEnumIterator>::iter()
    }
}

/// One claim: its kind and the words that make it, exactly as written.
/// (`Debug` shows no text.)
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Claim {
    pub kind: ClaimKind,
    pub text: String,
    pub start: usize,
    pub end: usize,
}

impl std::fmt::Debug for Claim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Claim({:?}, {}..{})", self.kind, self.start, self.end)
    }
}

/// Every claim the client makes in `chars` (the message's characters),
/// outside the `quoted` ones. `body` is the same text (the automaton reads
/// its bytes); `emails` are the addresses the message reader found (a
/// wish for another address names one), `dobs` the spans of its DOBs (a
/// DOB said to be right is near one). At most one claim of a kind per
/// sentence, in the order written.
pub fn read_claims(
    body: &str,
    chars: &[char],
    quoted: &[bool],
    emails: &[(usize, usize)],
    dobs: &[(usize, usize)],
) -> Vec<Claim> {
    let mut out: Vec<Claim> = Vec::new();
    let Some(automaton) = AUTOMATON.as_ref() else {
        return out;
    };
    // The sentence each kind was last claimed in.
    let mut last_sentence: [Option<usize>; 9] = [None; 9];
    let mut scratch = Words::default();
    // Byte offsets to character offsets, moving forward only.
    let (mut byte_at, mut char_at) = (0usize, 0usize);
    for found in automaton.find_iter(body) {
        let (start_byte, end_byte) = (found.start(), found.end());
        if start_byte < byte_at {
            continue;
        }
        char_at += body.get(byte_at..start_byte).map_or(0, |s| s.chars().count());
        byte_at = start_byte;
        let start = char_at;
        let len = body.get(start_byte..end_byte).map_or(0, |s| s.chars().count());
        let Some(&(cue, stem)) = CUES.get(found.pattern().as_usize()) else {
            continue;
        };
        let mut end = start + len;
        if end > chars.len() || quoted.get(start).copied().unwrap_or(true) {
            continue;
        }
        // Whole words only; a stem takes the rest of its word.
        if start > 0 && is_letter(chars[start - 1]) || !is_letter_or_end(chars, end, stem) {
            continue;
        }
        if stem {
            while end < chars.len() && is_letter(chars[end]) {
                end += 1;
            }
        }
        let sentence = Sentence::around(chars, start, end);
        let ctx = Ctx { chars, sentence, start, end, emails, dobs };
        let Some((kind, from, to)) = judge(cue, &ctx, &mut scratch) else {
            continue;
        };
        let slot = &mut last_sentence[kind as usize];
        if *slot == Some(sentence.from) {
            continue;
        }
        *slot = Some(sentence.from);
        let (from, to) = (from.min(start), to.max(end).min(chars.len()));
        out.push(Claim { kind, text: chars[from..to].iter().collect(), start: from, end: to });
    }
    out
}

fn is_letter(c: char) -> bool {
    c.is_alphanumeric()
}

/// After a cue: a word ends there (or, for a stem, anything may follow).
fn is_letter_or_end(chars: &[char], end: usize, stem: bool) -> bool {
    stem || chars.get(end).is_none_or(|&c| !is_letter(c))
}

// ------------------------------------------------------------------ cues

/// What a cue word is, which says how the words around it are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cue {
    /// Spam, Junk, Trash: `searched_spam` with a search or a "not there".
    Folder,
    /// Received, got, arrived: `not_received` when negated.
    Receive,
    /// "Nothing from you", "no email", "still nothing": `not_received`.
    Nothing,
    /// "Can't find", "where is": `not_received` about the email.
    Missing,
    /// Invalid, expired: `link_invalid` unless negated.
    Invalid,
    /// Valid: `link_invalid` when negated.
    Valid,
    /// Work, funciona: `link_invalid` when negated, about a link or page.
    Works,
    /// Refreshed, reloaded: `opened_repeatedly` unless negated.
    Refresh,
    /// Times, veces, twice: `opened_repeatedly` with a count and a click.
    Times,
    /// Phone, mobile, celular: `on_phone` after "on my", "from the".
    Phone,
    /// Right, correct, sure: `dob_is_right` near a DOB.
    Right,
    /// Send to, use, my email is, my other: `wants_address`.
    Want,
    /// Safe, scam, phishing, legit: `asks_safe`.
    Safe,
    /// Registered, signed up, have an account: `already_registered`.
    Registered,
}

/// The cue words: text (lower case; letter case aside when read), what it
/// is, and whether it is a stem (any letters may follow).
const CUE_WORDS: &[(&str, Cue, bool)] = {
    use Cue::*;
    &[
        // searched_spam
        ("spam", Folder, false),
        ("junk", Folder, false),
        ("trash", Folder, false),
        ("bulk", Folder, false),
        ("deleted items", Folder, false),
        ("correo no deseado", Folder, false),
        ("no deseado", Folder, false),
        ("no deseados", Folder, false),
        ("papelera", Folder, false),
        ("basura", Folder, false),
        ("correo basura", Folder, false),
        // not_received
        ("receiv", Receive, true),
        ("recib", Receive, true),
        ("got", Receive, false),
        ("gotten", Receive, false),
        ("get", Receive, false),
        ("getting", Receive, false),
        ("arriv", Receive, true),
        ("came", Receive, false),
        ("come", Receive, false),
        ("show up", Receive, false),
        ("showed up", Receive, false),
        ("shown up", Receive, false),
        ("saw", Receive, false),
        ("seen", Receive, false),
        ("lleg", Receive, true),
        ("nothing from", Nothing, false),
        ("no email", Nothing, false),
        ("no e-mail", Nothing, false),
        ("no mail", Nothing, false),
        ("no invite", Nothing, false),
        ("no invitation", Nothing, false),
        ("still nothing", Nothing, false),
        ("nothing yet", Nothing, false),
        ("nothing arrived", Nothing, false),
        ("nothing came", Nothing, false),
        ("nothing has come", Nothing, false),
        ("ningún correo", Nothing, false),
        ("ningun correo", Nothing, false),
        ("ningún email", Nothing, false),
        ("ningun email", Nothing, false),
        ("ningún mensaje", Nothing, false),
        ("ningun mensaje", Nothing, false),
        ("nada de ustedes", Nothing, false),
        ("todavía nada", Nothing, false),
        ("todavia nada", Nothing, false),
        ("aún nada", Nothing, false),
        ("aun nada", Nothing, false),
        ("sigo sin", Nothing, false),
        ("can't find", Missing, false),
        ("can’t find", Missing, false),
        ("cant find", Missing, false),
        ("cannot find", Missing, false),
        ("can not find", Missing, false),
        ("couldn't find", Missing, false),
        ("couldn’t find", Missing, false),
        ("could not find", Missing, false),
        ("unable to find", Missing, false),
        ("where is", Missing, false),
        ("where's", Missing, false),
        ("no encuentro", Missing, false),
        ("no lo encuentro", Missing, false),
        ("no la encuentro", Missing, false),
        ("no puedo encontrar", Missing, false),
        ("dónde está", Missing, false),
        ("donde esta", Missing, false),
        ("donde está", Missing, false),
        // link_invalid
        ("invalid", Invalid, true),
        ("inválid", Invalid, true),
        ("expired", Invalid, false),
        ("expirado", Invalid, false),
        ("expirada", Invalid, false),
        ("expiró", Invalid, false),
        ("caducad", Invalid, true),
        ("caducó", Invalid, false),
        ("vencid", Invalid, true),
        ("venció", Invalid, false),
        ("valid", Valid, false),
        ("válido", Valid, false),
        ("válida", Valid, false),
        ("valido", Valid, false),
        ("valida", Valid, false),
        ("work", Works, false),
        ("works", Works, false),
        ("working", Works, false),
        ("funciona", Works, false),
        ("sirve", Works, false),
        ("broken", Works, false),
        // opened_repeatedly
        ("refresh", Refresh, true),
        ("reload", Refresh, true),
        ("recarg", Refresh, true),
        ("actualicé", Refresh, false),
        ("refresqu", Refresh, true),
        ("times", Times, false),
        ("veces", Times, false),
        ("twice", Times, false),
        ("over and over", Times, false),
        ("again and again", Times, false),
        ("repeatedly", Times, false),
        ("una y otra vez", Times, false),
        // on_phone
        ("phone", Phone, false),
        ("iphone", Phone, false),
        ("android", Phone, false),
        ("cell", Phone, false),
        ("cellphone", Phone, false),
        ("mobile", Phone, false),
        ("smartphone", Phone, false),
        ("celular", Phone, false),
        ("teléfono", Phone, false),
        ("telefono", Phone, false),
        ("móvil", Phone, false),
        ("movil", Phone, false),
        // dob_is_right
        ("right", Right, false),
        ("correct", Right, false),
        ("correctly", Right, false),
        ("correcta", Right, false),
        ("correcto", Right, false),
        ("correctamente", Right, false),
        ("accurate", Right, false),
        ("sure", Right, false),
        ("certain", Right, false),
        ("bien", Right, false),
        ("know my", Right, false),
        ("seguro", Right, false),
        ("segura", Right, false),
        // wants_address
        ("send", Want, false),
        ("resend", Want, false),
        ("re-send", Want, false),
        ("use", Want, false),
        ("my email", Want, false),
        ("my e-mail", Want, false),
        ("my address", Want, false),
        ("my email address", Want, false),
        ("my other", Want, false),
        ("my personal", Want, false),
        ("my work", Want, false),
        ("my new", Want, false),
        ("my gmail", Want, false),
        ("my yahoo", Want, false),
        ("my outlook", Want, false),
        ("my hotmail", Want, false),
        ("my icloud", Want, false),
        ("instead", Want, false),
        ("envi", Want, true),
        ("enví", Want, true),
        ("mand", Want, true),
        ("mi correo", Want, false),
        ("mi email", Want, false),
        ("mi otro", Want, false),
        ("otro correo", Want, false),
        ("usen", Want, false),
        ("usar", Want, false),
        ("en vez de", Want, false),
        ("en lugar de", Want, false),
        // asks_safe
        ("safe", Safe, false),
        ("legit", Safe, false),
        ("legitimate", Safe, false),
        ("genuine", Safe, false),
        ("scam", Safe, false),
        ("phishing", Safe, false),
        ("fraud", Safe, true),
        ("suspicious", Safe, false),
        ("trust", Safe, false),
        ("virus", Safe, false),
        ("malware", Safe, false),
        ("is this real", Safe, false),
        ("is it real", Safe, false),
        ("really from you", Safe, false),
        ("is this from you", Safe, false),
        ("is it from you", Safe, false),
        ("did you send", Safe, false),
        ("did you guys send", Safe, false),
        ("is this spam", Safe, false),
        ("is it spam", Safe, false),
        ("es seguro", Safe, false),
        ("es segura", Safe, false),
        ("será seguro", Safe, false),
        ("sera seguro", Safe, false),
        ("confiable", Safe, false),
        ("legítim", Safe, true),
        ("legitim", Safe, true),
        ("estafa", Safe, false),
        ("fraude", Safe, false),
        ("sospechos", Safe, true),
        ("es real", Safe, false),
        ("de ustedes", Safe, false),
        ("es spam", Safe, false),
        // already_registered
        ("registered", Registered, false),
        ("signed up", Registered, false),
        ("have an account", Registered, false),
        ("have a portal account", Registered, false),
        ("created an account", Registered, false),
        ("created my account", Registered, false),
        ("made an account", Registered, false),
        ("set up my account", Registered, false),
        ("already set up", Registered, false),
        ("already have a login", Registered, false),
        ("ya tengo cuenta", Registered, false),
        ("ya tengo una cuenta", Registered, false),
        ("ya tengo mi cuenta", Registered, false),
        ("tengo una cuenta", Registered, false),
        ("me registr", Registered, true),
        ("estoy registrad", Registered, true),
        ("creé mi cuenta", Registered, false),
        ("cree mi cuenta", Registered, false),
        ("creé una cuenta", Registered, false),
        ("cree una cuenta", Registered, false),
    ]
};

/// Each pattern's cue and whether it is a stem, by pattern index.
static CUES: LazyLock<Vec<(Cue, bool)>> = LazyLock::new(|| CUE_WORDS.iter().map(|(_, c, s)| (*c, *s)).collect());

/// One automaton for every cue: leftmost-longest, ASCII letter case aside.
/// (The patterns are constants: the tests build it; were it ever to fail,
/// no claim is read rather than a panic.)
static AUTOMATON: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        // A full DFA: the cue words are few, and a message is read once
        // per ticket view, so the build is cheap and the scan fastest.
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .build(CUE_WORDS.iter().map(|(w, _, _)| *w))
        .ok()
});

// -------------------------------------------------------------- sentences

/// The most characters a sentence is read back and forward from a cue.
const REACH: usize = 240;

/// The sentence around a cue: `[from, to)`, and what ends it.
#[derive(Debug, Clone, Copy)]
struct Sentence {
    from: usize,
    to: usize,
    end: Option<char>,
}

impl Sentence {
    fn around(chars: &[char], start: usize, end: usize) -> Self {
        let floor = start.saturating_sub(REACH);
        let mut from = floor;
        let mut i = start;
        while i > floor {
            if ends_sentence(chars, i - 1) {
                from = i;
                break;
            }
            i -= 1;
        }
        let ceiling = (end + REACH).min(chars.len());
        let (mut to, mut stop) = (ceiling, None);
        let mut i = end;
        while i < ceiling {
            if ends_sentence(chars, i) {
                (to, stop) = (i, Some(chars[i]));
                break;
            }
            i += 1;
        }
        Self { from, to, end: stop }
    }
}

/// Whether the character at `i` ends a sentence: `!`, `?`, `;`, a line
/// break, `¿` `¡` (which open the next), or a `.` followed by a space or
/// the end (not the dots of an address or a number).
fn ends_sentence(chars: &[char], i: usize) -> bool {
    match chars[i] {
        '!' | '?' | ';' | '\n' | '¿' | '¡' => true,
        '.' | '…' => chars.get(i + 1).is_none_or(|c| c.is_whitespace()),
        _ => false,
    }
}

/// What a judgement looks at.
struct Ctx<'a> {
    chars: &'a [char],
    sentence: Sentence,
    start: usize,
    end: usize,
    emails: &'a [(usize, usize)],
    dobs: &'a [(usize, usize)],
}

/// The words near a cue, lowered, nearest first: a reused buffer.
#[derive(Default)]
struct Words {
    buf: String,
    items: Vec<Word>,
}

#[derive(Debug, Clone, Copy)]
struct Word {
    /// In the buffer.
    at: (usize, usize),
    /// In the message's characters.
    start: usize,
    /// A break (`,` `:` `(` a dash, quotes) lies between this word and the
    /// one nearer the cue (or the cue).
    brk: bool,
}

impl Words {
    fn get(&self, n: usize) -> Option<&str> {
        self.items.get(n).map(|w| &self.buf[w.at.0..w.at.1])
    }

    fn iter(&self) -> impl Iterator<Item = (&str, &Word)> {
        self.items.iter().map(|w| (&self.buf[w.at.0..w.at.1], w))
    }

    /// Reads up to `max` words before `start` within the sentence, nearest
    /// first.
    fn before(&mut self, chars: &[char], from: usize, start: usize, max: usize) {
        self.buf.clear();
        self.items.clear();
        let mut i = start;
        let mut brk = false;
        while i > from && self.items.len() < max {
            let c = chars[i - 1];
            if is_word_char(c) {
                let end = i;
                while i > from && is_word_char(chars[i - 1]) {
                    i -= 1;
                }
                self.push(chars, i, end, brk);
                brk = false;
            } else {
                brk |= is_break(c);
                i -= 1;
            }
        }
    }

    /// Reads up to `max` words after `end` within the sentence, nearest
    /// first.
    fn after(&mut self, chars: &[char], end: usize, to: usize, max: usize) {
        self.buf.clear();
        self.items.clear();
        let mut i = end;
        let mut brk = false;
        while i < to && self.items.len() < max {
            let c = chars[i];
            if is_word_char(c) {
                let start = i;
                while i < to && is_word_char(chars[i]) {
                    i += 1;
                }
                self.push(chars, start, i, brk);
                brk = false;
            } else {
                brk |= is_break(c);
                i += 1;
            }
        }
    }

    fn push(&mut self, chars: &[char], start: usize, end: usize, brk: bool) {
        let from = self.buf.len();
        for &c in chars[start..end].iter().take(40) {
            match c {
                '’' => self.buf.push('\''),
                c if c.is_ascii() => self.buf.push(c.to_ascii_lowercase()),
                c => self.buf.extend(c.to_lowercase()),
            }
        }
        let trimmed_end = self.buf.trim_end_matches('\'').len();
        self.buf.truncate(trimmed_end.max(from));
        let lead = self.buf[from..].len() - self.buf[from..].trim_start_matches('\'').len();
        self.items.push(Word { at: (from + lead, self.buf.len()), start: start + lead, brk });
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '\'' || c == '’'
}

/// A break between words: a clause ends or a quote opens.
fn is_break(c: char) -> bool {
    matches!(c, ',' | ':' | '(' | ')' | '—' | '–' | '"' | '“' | '”' | '.')
}

// -------------------------------------------------------------- word sets

fn is_negator(w: &str) -> bool {
    matches!(
        w,
        "not"
            | "no"
            | "never"
            | "nothing"
            | "nor"
            | "neither"
            | "none"
            | "cannot"
            | "nunca"
            | "jamás"
            | "jamas"
            | "ni"
            | "nada"
            | "tampoco"
            | "without"
            | "sin"
            | "dont"
            | "didnt"
            | "doesnt"
            | "havent"
            | "hasnt"
            | "hadnt"
            | "isnt"
            | "wasnt"
            | "werent"
            | "arent"
            | "cant"
            | "couldnt"
            | "wont"
            | "wouldnt"
            | "shouldnt"
            | "aint"
    ) || w.ends_with("n't")
}

/// Words a negation does not reach across.
fn is_conjunction(w: &str) -> bool {
    matches!(w, "and" | "but" | "or" | "so" | "then" | "y" | "pero" | "o" | "entonces" | "because" | "porque")
}

/// A plan or a wish, not a deed: "I will check", "going to", "need to".
fn is_intent(w: &str) -> bool {
    matches!(
        w,
        "will"
            | "i'll"
            | "we'll"
            | "ll"
            | "gonna"
            | "should"
            | "shall"
            | "to"
            | "let"
            | "voy"
            | "vamos"
            | "debo"
            | "debería"
            | "deberia"
            | "puedo"
            | "can"
            | "could"
            | "please"
    )
}

/// Whether a negation stands within `n` words before the cue (nearest
/// first), not across a break or a conjunction.
fn negated(words: &Words, n: usize) -> bool {
    negated_from(words, 0, n)
}

/// The same, for the word at `skip - 1`: the `n` words before it.
fn negated_from(words: &Words, skip: usize, n: usize) -> bool {
    for (w, word) in words.iter().skip(skip).take(n) {
        if word.brk || is_conjunction(w) {
            return false;
        }
        if is_negator(w) {
            return true;
        }
    }
    false
}

fn is_search_verb(w: &str) -> bool {
    ["check", "look", "search", "scroll", "scan", "review", "comb"].iter().any(|stem| w.starts_with(stem))
        || matches!(
            w,
            "went"
                | "gone"
                | "go"
                | "going"
                | "dug"
                | "dig"
                | "tried"
                | "revisé"
                | "revise"
                | "revisado"
                | "revisando"
                | "revisar"
                | "revisamos"
                | "reviso"
                | "busqué"
                | "busque"
                | "buscado"
                | "buscando"
                | "buscar"
                | "busco"
                | "miré"
                | "mire"
                | "mirado"
                | "mirando"
                | "mirar"
                | "chequeé"
                | "chequee"
                | "chequeado"
                | "fijé"
                | "fije"
                | "vi"
                | "visto"
        )
}

/// A verb that says what was found (or not) there: searching is implied,
/// whatever the negation.
fn is_find_verb(w: &str) -> bool {
    matches!(
        w,
        "found"
            | "find"
            | "finding"
            | "see"
            | "saw"
            | "seen"
            | "encontré"
            | "encontre"
            | "encontrado"
            | "encuentro"
            | "encontrar"
            | "encontramos"
            | "aparece"
            | "aparecía"
            | "aparecia"
            | "apareció"
            | "aparecio"
            | "veo"
    )
}

fn is_place_word(w: &str) -> bool {
    matches!(w, "in" | "into" | "inside" | "under" | "en" | "dentro")
}

fn is_determiner(w: &str) -> bool {
    matches!(
        w,
        "my" | "the"
            | "a"
            | "your"
            | "our"
            | "mi"
            | "mis"
            | "el"
            | "la"
            | "los"
            | "las"
            | "un"
            | "una"
            | "tu"
            | "su"
            | "de"
    )
}

fn is_mail_noun(w: &str) -> bool {
    matches!(
        w,
        "it" | "email"
            | "e-mail"
            | "emails"
            | "mail"
            | "invite"
            | "invitation"
            | "link"
            | "message"
            | "anything"
            | "one"
            | "them"
            | "correo"
            | "email's"
            | "invitación"
            | "invitacion"
            | "mensaje"
            | "enlace"
            | "nada"
            | "lo"
            | "la"
    )
}

fn is_link_noun(w: &str) -> bool {
    matches!(
        w,
        "link"
            | "links"
            | "url"
            | "page"
            | "site"
            | "website"
            | "portal"
            | "invite"
            | "invitation"
            | "enlace"
            | "vínculo"
            | "vinculo"
            | "página"
            | "pagina"
            | "invitación"
            | "invitacion"
            | "it"
    )
}

fn is_dob_word(w: &str) -> bool {
    matches!(
        w,
        "dob"
            | "birth"
            | "birthday"
            | "birthdate"
            | "bday"
            | "born"
            | "date"
            | "fecha"
            | "nacimiento"
            | "cumpleaños"
            | "nací"
            | "naci"
    )
}

/// What a word like "invalid" may be about besides the link.
fn is_not_the_link(w: &str) -> bool {
    is_dob_word(w) || matches!(w, "password" | "contraseña" | "code" | "código" | "codigo" | "username" | "usuario")
}

fn is_click_verb(w: &str) -> bool {
    ["click", "open", "tap", "refresh", "reload", "press", "recarg", "abr", "pinch", "toqu", "reintent", "retr"]
        .iter()
        .any(|stem| w.starts_with(stem))
        || matches!(w, "hit" | "clic" | "abierto" | "used" | "went" | "visited" | "entré" | "entre" | "di")
}

/// A count of times: a number of 2 or more, or a word for one.
fn is_count(w: &str) -> bool {
    w.parse::<u32>().is_ok_and(|n| n >= 2)
        || matches!(
            w,
            "two"
                | "three"
                | "four"
                | "five"
                | "six"
                | "seven"
                | "eight"
                | "nine"
                | "ten"
                | "dozen"
                | "several"
                | "many"
                | "multiple"
                | "few"
                | "bunch"
                | "lot"
                | "lots"
                | "numerous"
                | "countless"
                | "varias"
                | "muchas"
                | "dos"
                | "tres"
                | "cuatro"
                | "cinco"
                | "seis"
                | "siete"
                | "ocho"
                | "nueve"
                | "diez"
                | "mil"
                | "million"
                | "hundred"
        )
}

/// A question's first word: the clause asks, it does not tell.
fn is_interrogative(w: &str) -> bool {
    matches!(
        w,
        "do" | "does"
            | "did"
            | "should"
            | "can"
            | "could"
            | "is"
            | "are"
            | "was"
            | "were"
            | "will"
            | "would"
            | "have"
            | "has"
            | "shall"
            | "may"
            | "might"
            | "where"
            | "what"
            | "how"
            | "when"
            | "which"
            | "who"
            | "am"
            | "debo"
            | "puedo"
            | "tengo"
            | "es"
            | "está"
            | "esta"
            | "hay"
            | "dónde"
            | "donde"
            | "qué"
            | "que"
            | "cómo"
            | "como"
            | "cuándo"
            | "cuando"
            | "será"
            | "sera"
    )
}

// -------------------------------------------------------------- judgement

/// A claim found: its kind and the characters that make it.
type Judged = Option<(ClaimKind, usize, usize)>;

impl Ctx<'_> {
    /// The cue as written, lowered.
    fn cue(&self) -> String {
        self.chars[self.start..self.end].iter().flat_map(|c| c.to_lowercase()).collect()
    }

    fn before(&self, words: &mut Words, max: usize) {
        words.before(self.chars, self.sentence.from, self.start, max);
    }

    fn after(&self, words: &mut Words, max: usize) {
        words.after(self.chars, self.end, self.sentence.to, max);
    }

    /// Whether the clause of the cue asks rather than tells: it ends the
    /// sentence with `?` and starts with a question word (or `¿`).
    fn is_question(&self, words: &mut Words) -> bool {
        let Sentence { from, to, end } = self.sentence;
        if end != Some('?') {
            return false;
        }
        // A break after the cue ends its clause before the question mark.
        if self.chars[self.end..to].iter().any(|c| matches!(c, ',' | ':' | ';')) {
            return false;
        }
        if from > 0 && self.chars[from - 1] == '¿' {
            return true;
        }
        words.before(self.chars, from, self.start, 40);
        // The clause's first word: the farthest before any break.
        let mut first = None;
        for (w, word) in words.iter() {
            if word.brk {
                break;
            }
            first = Some(w);
        }
        first.is_some_and(is_interrogative)
    }

    /// The first word of the cue's sentence.
    fn sentence_starts_with(&self, words: &mut Words, first: &str) -> bool {
        words.before(self.chars, self.sentence.from, self.start, 40);
        words.items.len().checked_sub(1).and_then(|last| words.get(last)) == Some(first)
    }

    /// The next address the client wrote after the cue, within `reach`
    /// characters and in the same sentence.
    fn address_after(&self, reach: usize) -> Option<(usize, usize)> {
        // The mentions are in the order written: a binary search, not a
        // scan per cue (a long message has thousands of each).
        let next = self.emails.partition_point(|(s, _)| *s < self.end);
        let (s, e) = *self.emails.get(next)?;
        if s > self.end + reach {
            return None;
        }
        (self.end..s).all(|i| !ends_sentence(self.chars, i)).then_some((s, e))
    }

    /// Whether a DOB word, or a DOB the reader found, is near the cue (in
    /// its sentence or the one before).
    fn near_dob(&self, words: &mut Words) -> bool {
        let from = self.start.saturating_sub(160);
        let to = (self.end + 80).min(self.chars.len());
        // In the order written and apart: the last one starting by `to` is
        // the only one that may reach back to `from`.
        let upto = self.dobs.partition_point(|(s, _)| *s <= to);
        if upto > 0 && self.dobs[upto - 1].1 >= from {
            return true;
        }
        words.before(self.chars, from, self.start, 40);
        if words.iter().any(|(w, _)| is_dob_word(w)) {
            return true;
        }
        words.after(self.chars, self.end, to, 14);
        words.iter().any(|(w, _)| is_dob_word(w))
    }
}

fn judge(cue: Cue, ctx: &Ctx<'_>, words: &mut Words) -> Judged {
    match cue {
        Cue::Folder => searched_spam(ctx, words),
        Cue::Receive => not_received(ctx, words),
        Cue::Nothing => nothing_came(ctx, words),
        Cue::Missing => missing(ctx, words),
        Cue::Invalid | Cue::Valid | Cue::Works => link_invalid(cue, ctx, words),
        Cue::Refresh | Cue::Times => opened_repeatedly(cue, ctx, words),
        Cue::Phone => on_phone(ctx, words),
        Cue::Right => dob_is_right(ctx, words),
        Cue::Want => wants_address(ctx, words),
        Cue::Safe => asks_safe(ctx, words),
        Cue::Registered => already_registered(ctx, words),
    }
}

/// Spam, Junk, Trash: searched when it is "not there" ("not even in
/// Spam", "ni en spam"), when a verb says what was found there ("found
/// nothing in Spam", "I don't see it in Junk"), or after a search verb
/// that is neither negated nor only meant ("I checked Spam", not "I did not
/// check Spam", not "I will check Spam").
fn searched_spam(ctx: &Ctx<'_>, words: &mut Words) -> Judged {
    if ctx.is_question(words) {
        return None;
    }
    let kind = ClaimKind::SearchedSpam;
    ctx.before(words, 16);
    // "not even in my Spam", "nothing in Junk", "isn't in trash", "ni en spam".
    let mut k = 0;
    while k < 2 && words.get(k).is_some_and(is_determiner) && !words.items[k].brk {
        k += 1;
    }
    if words.get(k).is_some_and(is_place_word) && !words.items[..=k].iter().any(|w| w.brk) {
        for j in k + 1..(k + 4).min(words.items.len()) {
            let Some(w) = words.get(j) else { break };
            if words.items[j].brk {
                break;
            }
            if is_negator(w) {
                return Some((kind, words.items[j].start, ctx.end));
            }
            if !matches!(w, "even" | "siquiera" | "is" | "it" | "was" | "there" | "está" | "esta" | "estaba" | "it's")
            {
                break;
            }
        }
    }
    if words.get(k).is_some_and(|w| w == "ni" || w == "tampoco") && !words.items[..=k].iter().any(|w| w.brk) {
        return Some((kind, words.items[k].start, ctx.end));
    }
    // A verb of finding anywhere before: they looked.
    if let Some((_, word)) = words.iter().find(|(w, _)| is_find_verb(w)) {
        return Some((kind, word.start, ctx.end));
    }
    // The nearest verb of searching: unless negated or only meant.
    let (n, verb) = words.iter().enumerate().find(|(_, (w, _))| is_search_verb(w)).map(|(n, (_, v))| (n, *v))?;
    if negated_from(words, n + 1, 4) || words.get(n + 1).is_some_and(is_intent) {
        return None;
    }
    Some((kind, verb.start, ctx.end))
}

/// Received, got, arrived, llegó, negated: "never got it", "haven't
/// received", "no me llegó", "email not received".
fn not_received(ctx: &Ctx<'_>, words: &mut Words) -> Judged {
    let cue = ctx.cue();
    ctx.before(words, 5);
    let mut negation = None;
    for (w, word) in words.iter().take(4) {
        if word.brk || is_conjunction(w) {
            break;
        }
        if is_negator(w) {
            negation = Some(word.start);
            break;
        }
    }
    let from = negation?;
    ctx.after(words, 4);
    // Not about a reply or a call.
    if words
        .iter()
        .take(3)
        .any(|(w, _)| matches!(w, "reply" | "answer" | "response" | "call" | "respuesta" | "llamada"))
    {
        return None;
    }
    // Got, came, saw: about the email, not "didn't get the DOB right".
    let needs_object = matches!(
        cue.as_str(),
        "got" | "gotten" | "get" | "getting" | "came" | "come" | "saw" | "seen" | "show up" | "showed up" | "shown up"
    );
    if needs_object && words.get(0).is_some() {
        let near: Vec<&str> = words.iter().take(3).map(|(w, _)| w).collect();
        let about_mail = near.iter().any(|w| is_mail_noun(w));
        let elsewhere = near.iter().any(|w| {
            is_not_the_link(w)
                || matches!(
                    *w,
                    "work" | "working" | "past" | "through" | "in" | "into" | "right" | "load" | "open" | "accept"
                )
        });
        if !about_mail || elsewhere {
            return None;
        }
    }
    Some((ClaimKind::NotReceived, from, ctx.end))
}

/// "Nothing from you", "no email", "still nothing", "sigo sin".
fn nothing_came(ctx: &Ctx<'_>, words: &mut Words) -> Judged {
    ctx.after(words, 2);
    // "no email address field" is no claim.
    if words.get(0).is_some_and(|w| matches!(w, "address" | "addresses" | "field" | "dirección" | "direccion")) {
        return None;
    }
    if ctx.is_question(words) {
        return None;
    }
    Some((ClaimKind::NotReceived, ctx.start, ctx.end))
}

/// "Can't find the email", "where is the registration email?", "no lo
/// encuentro".
fn missing(ctx: &Ctx<'_>, words: &mut Words) -> Judged {
    let cue = ctx.cue();
    ctx.after(words, 4);
    let about_mail = cue.contains(" lo ")
        || cue.contains(" la ")
        || words.iter().take(4).any(|(w, _)| is_mail_noun(w) && w != "one");
    about_mail.then_some((ClaimKind::NotReceived, ctx.start, ctx.end))
}

/// "Says invalid", "has expired", "not valid", "doesn't work", "no
/// funciona": about the link or the page, not a DOB or a password.
fn link_invalid(cue: Cue, ctx: &Ctx<'_>, words: &mut Words) -> Judged {
    ctx.after(words, 3);
    if words.iter().take(3).any(|(w, _)| is_not_the_link(w)) {
        return None;
    }
    ctx.before(words, 10);
    if words.iter().take(3).any(|(w, _)| is_not_the_link(w)) {
        return None;
    }
    let negation = words.iter().take(3).position(|(w, _)| is_negator(w)).map(|n| words.items[n].start);
    let mut from = ctx.start;
    match cue {
        Cue::Invalid => {
            // "It is not expired yet".
            if negated(words, 2) {
                return None;
            }
            // "Says invalid", "it has expired", "dice que es inválido".
            for (w, word) in words.iter().take(3) {
                if word.brk
                    || !matches!(
                        w,
                        "says"
                            | "said"
                            | "saying"
                            | "shows"
                            | "showed"
                            | "has"
                            | "is"
                            | "was"
                            | "dice"
                            | "que"
                            | "es"
                            | "aparece"
                            | "link"
                            | "enlace"
                    )
                {
                    break;
                }
                from = word.start;
            }
        }
        Cue::Valid => {
            // "No longer valid", "not valid", "no es válido".
            if !negated(words, 3) {
                return None;
            }
            from = negation?;
        }
        _ => {
            // "Doesn't work", "not working", "stopped working", "no funciona", "broken".
            let stopped = words.get(0).is_some_and(|w| matches!(w, "stopped" | "quit" | "de" | "ceased"));
            if ctx.cue() != "broken" {
                if stopped {
                    from = words.items[0].start;
                } else if negated(words, 3) {
                    from = negation?;
                } else {
                    return None;
                }
            }
            if !words.iter().any(|(w, _)| is_link_noun(w)) {
                return None;
            }
        }
    }
    if ctx.is_question(words) && !ctx.sentence_starts_with(words, "why") {
        return None;
    }
    Some((ClaimKind::LinkInvalid, from, ctx.end))
}

/// Refreshed, reloaded; "6 or 7 times", "twice", "over and over" with a
/// click or an opening that is not negated.
fn opened_repeatedly(cue: Cue, ctx: &Ctx<'_>, words: &mut Words) -> Judged {
    if ctx.is_question(words) {
        return None;
    }
    let kind = ClaimKind::OpenedRepeatedly;
    let said = ctx.cue();
    ctx.before(words, 14);
    if cue == Cue::Refresh {
        if negated(words, 3) || words.get(0).is_some_and(is_intent) {
            return None;
        }
        return Some((kind, ctx.start, ctx.end));
    }
    let counted =
        matches!(said.as_str(), "twice" | "over and over" | "again and again" | "repeatedly" | "una y otra vez")
            || words.iter().take(4).any(|(w, _)| is_count(w));
    if !counted {
        return None;
    }
    let (n, verb) = words.iter().enumerate().find(|(_, (w, _))| is_click_verb(w)).map(|(n, (_, v))| (n, *v))?;
    if negated_from(words, n + 1, 3) {
        return None;
    }
    Some((kind, verb.start, ctx.end))
}

/// "On my phone", "from my iPhone", "en mi celular": not "my phone is
/// 555-…", not "on the phone" (a call), not "not on my phone".
fn on_phone(ctx: &Ctx<'_>, words: &mut Words) -> Judged {
    ctx.after(words, 3);
    let about_a_number = words.iter().take(2).any(|(w, _)| {
        matches!(
            w,
            "number" | "numbers" | "call" | "calls" | "número" | "numero" | "is" | "es" | "was" | "bill" | "plan"
        )
    });
    if about_a_number {
        return None;
    }
    ctx.before(words, 8);
    let mut k = 0;
    if words.get(0).is_some_and(|w| matches!(w, "cell" | "mobile" | "android" | "iphone" | "smart")) {
        k = 1;
    }
    let det = words
        .get(k)
        .filter(|w| matches!(*w, "my" | "the" | "a" | "mi" | "el" | "un" | "mí" | "his" | "her"))
        .map(str::to_owned);
    if det.is_some() {
        k += 1;
    }
    let prep = words.get(k)?;
    if !matches!(prep, "on" | "from" | "with" | "using" | "via" | "through" | "en" | "desde" | "con" | "por") {
        return None;
    }
    // "On the phone" is a call.
    if prep == "on" && det.as_deref() == Some("the") {
        return None;
    }
    if words.items[..=k].iter().any(|w| w.brk) || words.get(k + 1).is_some_and(is_negator) {
        return None;
    }
    let from = words.items[k].start;
    ctx.before(words, 8);
    let call = words.iter().any(|(w, _)| {
        matches!(w, "call" | "calling" | "called" | "text" | "reach" | "llamar" | "llámame" | "llamame" | "llamen")
    });
    (!call).then_some((ClaimKind::OnPhone, from, ctx.end))
}

/// "It is right", "I typed it correctly", "I'm sure", "está bien", near a
/// DOB: not "it is not right", "no estoy seguro", "right now".
fn dob_is_right(ctx: &Ctx<'_>, words: &mut Words) -> Judged {
    let cue = ctx.cue();
    ctx.after(words, 3);
    let next = words.get(0).map(str::to_owned);
    let next_is_dob = words.iter().take(3).any(|(w, _)| is_dob_word(w) || w == "one");
    let idiom = matches!(next.as_deref(), Some("now" | "away" | "here" | "there" | "after" | "before" | "click"));
    let unsure =
        matches!(next.as_deref(), Some("if" | "whether" | "how" | "what" | "why" | "when" | "where" | "which"));
    if cue == "right" && idiom || cue == "know my" && !next_is_dob || unsure {
        return None;
    }
    ctx.before(words, 6);
    // "I'm not sure my birthday is right", "no estoy segura de que esté
    // bien": a doubt, not a claim.
    let doubt = words.iter().enumerate().any(|(j, (w, _))| {
        matches!(w, "unsure" | "wonder" | "doubt" | "dudo" | "maybe" | "quizás" | "quizas")
            || matches!(w, "sure" | "certain" | "seguro" | "segura") && words.get(j + 1).is_some_and(is_negator)
    });
    if doubt {
        return None;
    }
    let near = |set: &[&str], n: usize| words.iter().take(n).any(|(w, _)| set.contains(&w) || w.ends_with("'s"));
    let assertive = match cue.as_str() {
        "right" | "correct" | "accurate" | "correcta" | "correcto" => {
            next_is_dob
                || near(
                    &[
                        "is",
                        "was",
                        "are",
                        "be",
                        "its",
                        "typed",
                        "entered",
                        "put",
                        "wrote",
                        "definitely",
                        "totally",
                        "es",
                        "está",
                        "esta",
                    ],
                    2,
                )
        }
        "sure" | "certain" => near(&["i'm", "im", "am", "pretty", "absolutely", "very", "quite", "100", "totally"], 2),
        "seguro" | "segura" => near(&["estoy", "soy"], 2),
        "bien" => near(
            &[
                "está", "esta", "es", "la", "lo", "escribí", "escribi", "escribo", "puse", "pongo", "tecleo", "tecleé",
                "teclee",
            ],
            2,
        ),
        _ => true,
    };
    if !assertive || negated(words, 3) {
        return None;
    }
    let from = words.items.iter().take(2).next_back().filter(|w| !w.brk).map_or(ctx.start, |w| w.start);
    if ctx.is_question(words) || !ctx.near_dob(words) {
        return None;
    }
    Some((ClaimKind::DobIsRight, from, ctx.end))
}

/// "Send it to x@y.com", "my email is x@y.com", "use my Gmail, x@y.com",
/// "please send it to my personal email": where they want the invite.
fn wants_address(ctx: &Ctx<'_>, words: &mut Words) -> Judged {
    ctx.before(words, 3);
    if negated(words, 2) {
        return None;
    }
    let cue = ctx.cue();
    if let Some((at, end)) = ctx.address_after(90) {
        // At most a few words between the cue and the address.
        words.after(ctx.chars, ctx.end, at, 12);
        if words.items.len() <= 8 {
            return Some((ClaimKind::WantsAddress, ctx.start, end));
        }
    }
    // No address: another inbox named, with a wish to send or use it.
    let other = [
        "my other",
        "my personal",
        "my work",
        "my new",
        "my gmail",
        "my yahoo",
        "my outlook",
        "my hotmail",
        "my icloud",
        "mi otro",
        "otro correo",
    ];
    if !other.contains(&cue.as_str()) {
        return None;
    }
    ctx.before(words, 10);
    let wish = words.iter().any(|(w, _)| {
        matches!(w, "send" | "resend" | "use" | "prefer" | "rather" | "change" | "update" | "switch" | "instead")
            || ["envi", "enví", "mand", "mánd", "usa", "usen", "cambi"].iter().any(|stem| w.starts_with(stem))
    });
    wish.then_some((ClaimKind::WantsAddress, ctx.start, ctx.end))
}

/// "Is it safe?", "is this a scam", "phishing", "¿es seguro?", "legit?":
/// the whole short question when it is one.
fn asks_safe(ctx: &Ctx<'_>, words: &mut Words) -> Judged {
    let cue = ctx.cue();
    match cue.as_str() {
        "safe" => {
            ctx.before(words, 3);
            let asked = words.iter().take(2).any(|(w, _)| {
                matches!(
                    w,
                    "is" | "it's"
                        | "this"
                        | "that"
                        | "it"
                        | "looks"
                        | "look"
                        | "seem"
                        | "seems"
                        | "be"
                        | "feel"
                        | "really"
                        | "actually"
                        | "not"
                )
            });
            let keep = words.iter().take(3).any(|(w, _)| matches!(w, "keep" | "stay" | "kept" | "stays"));
            ctx.after(words, 1);
            let to = words.get(0) == Some("to");
            if !(asked || to) || keep {
                return None;
            }
        }
        "de ustedes" | "es real" if ctx.sentence.end != Some('?') => return None,
        _ => {}
    }
    let Sentence { from, to, end } = ctx.sentence;
    let lead = ctx.chars[from..ctx.start].iter().take_while(|c| c.is_whitespace()).count();
    let whole = end == Some('?') && ctx.start - from <= 48 && to - ctx.end <= 24;
    let (start, stop) = if whole { (from + lead, to + 1) } else { (ctx.start, ctx.end) };
    Some((ClaimKind::AsksSafe, start, stop))
}

/// "I already have an account", "I signed up a while ago", "ya me
/// registré": not "I haven't signed up", not "have I registered?".
fn already_registered(ctx: &Ctx<'_>, words: &mut Words) -> Judged {
    let cue = ctx.cue();
    if ctx.is_question(words) {
        return None;
    }
    if cue == "registered" {
        ctx.after(words, 1);
        if words.get(0).is_some_and(|w| matches!(w, "email" | "address" | "phone" | "mail" | "number")) {
            return None;
        }
    }
    ctx.before(words, 4);
    if negated(words, 3) {
        return None;
    }
    let spanish =
        cue.starts_with("ya ") || cue.starts_with("me ") || cue.starts_with("estoy") || cue.contains("cuenta");
    let subject = |w: &str| {
        matches!(
            w,
            "i" | "i've" | "ive" | "i'm" | "im" | "we" | "we've" | "already" | "ya" | "i'd" | "had" | "have" | "was"
        )
    };
    let found = words.iter().take(3).filter(|(w, word)| subject(w) && !word.brk).last().map(|(_, word)| word.start);
    if !(spanish || found.is_some() || cue.starts_with("already")) {
        return None;
    }
    Some((ClaimKind::AlreadyRegistered, found.unwrap_or(ctx.start), ctx.end))
}

#[cfg(test)]
mod tests;
