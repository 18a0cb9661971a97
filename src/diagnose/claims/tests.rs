use super::*;
use crate::diagnose::message::{MessageContext, read_message};

fn ctx() -> MessageContext<'static> {
    MessageContext {
        today: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        own_addresses: &["no-reply@therapyappointment.com"],
    }
}

/// The claims in `body`: kind and text, checking that each text is what
/// its positions cite.
fn claims(body: &str) -> Vec<(ClaimKind, String)> {
    let chars: Vec<char> = body.chars().collect();
    read_message(body, &ctx())
        .claims
        .into_iter()
        .map(|c| {
            let cited: String = chars[c.start..c.end].iter().collect();
            assert_eq!(cited, c.text, "positions are character offsets: {body}");
            (c.kind, c.text)
        })
        .collect()
}

fn kinds(body: &str) -> Vec<ClaimKind> {
    claims(body).into_iter().map(|(k, _)| k).collect()
}

fn has(body: &str, kind: ClaimKind) -> bool {
    kinds(body).contains(&kind)
}

use ClaimKind::*;

#[test]
fn searched_spam_in_english_and_spanish() {
    for body in [
        "I checked my spam folder.",
        "Checked spam and trash, nothing.",
        "I looked in Junk too",
        "I searched for no-reply@therapyappointment.com and found nothing, not even in Spam.",
        "It's not in my spam either.",
        "Nothing in junk.",
        "I don't see it in spam",
        "I have gone through my inbox, spam and trash",
        "Revisé el spam y nada.",
        "Ya busqué en la carpeta de spam",
        "No lo encuentro ni en spam.",
        "Tampoco está en la papelera",
        "revise correo no deseado",
    ] {
        assert!(has(body, SearchedSpam), "{body}: {:?}", claims(body));
    }
}

#[test]
fn a_negated_or_intended_search_of_spam_is_no_claim() {
    for body in [
        "I did not check spam.",
        "I haven't checked my spam folder yet",
        "I never looked in junk",
        "I checked my inbox but didn't check spam",
        "I will check my spam tonight",
        "I need to check spam",
        "Should I check my spam?",
        "Did you look in the spam folder?",
        "No revisé spam.",
        "No he revisado la carpeta de spam",
        "Is this spam",
        "The portal email is not spam, I hope",
    ] {
        assert!(!has(body, SearchedSpam), "{body}: {:?}", claims(body));
    }
    // A negation of something else, then the search.
    assert!(has("I didn't get it, I checked spam", SearchedSpam));
    assert!(has("No, I checked spam already", SearchedSpam));
}

#[test]
fn the_span_cites_the_words_that_make_the_claim() {
    let found = claims("I searched for no-reply@therapyappointment.com and found nothing, not even in Spam.");
    assert_eq!(found[0], (SearchedSpam, "not even in Spam".to_owned()));
    assert_eq!(claims("Yes I checked my spam folder"), [(SearchedSpam, "checked my spam".to_owned())]);
}

#[test]
fn not_received_in_english_and_spanish() {
    for body in [
        "I never received the portal invitation email.",
        "I haven't received it",
        "I have not received anything",
        "I still haven't gotten the email",
        "I didn't get an invite",
        "It never arrived.",
        "No email from the portal yet.",
        "I still have nothing from you.",
        "Where is the registration email?",
        "I can't find the email anywhere",
        "The portal says I opened it, but I never saw it!",
        "No me ha llegado el correo.",
        "Nunca recibí la invitación",
        "No recibí nada",
        "Todavía nada.",
        "no lo encuentro",
        "Email not received",
    ] {
        assert!(has(body, NotReceived), "{body}: {:?}", claims(body));
    }
}

#[test]
fn receiving_it_or_not_getting_something_else_is_no_claim() {
    for body in [
        "I received it but the link is invalid",
        "I got the email a few days ago, around 9:30.",
        "I can't get in",
        "I couldn't get past the birthday screen",
        "I never got a reply from the office",
        "Hello, my therapist said I would get access to the portal.",
        "Recibí el correo ayer",
    ] {
        assert!(!has(body, NotReceived), "{body}: {:?}", claims(body));
    }
}

#[test]
fn link_invalid_in_english_and_spanish() {
    for body in [
        "The portal link says invalid.",
        "Invite link says invalid",
        "It says the link has expired",
        "the invitation is no longer valid",
        "The link doesn't work",
        "Old link stopped working",
        "The page keeps saying the link is invalid.",
        "Why does it say invalid?",
        "El enlace dice que es inválido",
        "El link ya no es válido",
        "El enlace no funciona",
        "La invitación expiró",
    ] {
        assert!(has(body, LinkInvalid), "{body}: {:?}", claims(body));
    }
    for body in [
        "It says my date of birth is invalid",
        "invalid password",
        "The link is not expired yet",
        "The link works now, thanks",
        "Is the link expired?",
        "My birthday doesn't work",
        "La fecha de nacimiento es inválida",
    ] {
        assert!(!has(body, LinkInvalid), "{body}: {:?}", claims(body));
    }
}

#[test]
fn opened_repeatedly_in_english_and_spanish() {
    for body in [
        "I refreshed it 6 or 7 times",
        "I clicked the link several times",
        "I opened it twice and it said invalid",
        "I keep clicking it over and over",
        "Recargué la página",
        "Abrí el enlace varias veces",
        "le di clic muchas veces",
    ] {
        assert!(has(body, OpenedRepeatedly), "{body}: {:?}", claims(body));
    }
    for body in [
        "I tried my DOB 3 times",
        "I checked my inbox twice.",
        "I didn't refresh the page",
        "Should I refresh the page?",
        "I clicked it once",
        "No recargué la página",
    ] {
        assert!(!has(body, OpenedRepeatedly), "{body}: {:?}", claims(body));
    }
}

#[test]
fn on_phone_in_english_and_spanish() {
    for body in [
        "I opened the link on my phone at lunch.",
        "Tried it from my iPhone",
        "using my cell phone",
        "on mobile it says invalid",
        "Lo abrí en mi celular",
        "desde el teléfono no funciona",
    ] {
        assert!(has(body, OnPhone), "{body}: {:?}", claims(body));
    }
    for body in [
        "Sorry, also: my phone is 555-1007 if you need to call.",
        "call me on my cell",
        "I was on the phone with your office",
        "not on my phone, on my laptop",
        "my phone number changed",
        "Mi teléfono es 555-1234",
    ] {
        assert!(!has(body, OnPhone), "{body}: {:?}", claims(body));
    }
}

#[test]
fn dob_is_right_in_english_and_spanish() {
    for body in [
        "It says my DOB is wrong but it is right: date of birth 17 March 75.",
        "My birthday is 03/02/1990 and I'm sure it's right.",
        "I typed my date of birth correctly",
        "My DOB is correct",
        "I know my birthday!",
        "Mi fecha de nacimiento es correcta",
        "Estoy seguro de mi fecha de nacimiento",
        "la fecha de nacimiento la escribo bien",
    ] {
        assert!(has(body, DobIsRight), "{body}: {:?}", claims(body));
    }
    for body in [
        "My DOB is not right in your system",
        "I'm not sure my birthday is right",
        "Is my date of birth correct?",
        "The link is right there in the email",
        "right now my birthday fails",
        "I'm sure the email is in my inbox",
        "No estoy seguro de mi fecha de nacimiento",
    ] {
        assert!(!has(body, DobIsRight), "{body}: {:?}", claims(body));
    }
}

#[test]
fn wants_address_names_the_address_it_wants() {
    let found = claims("I never received it. My email is jane.doe@gmail.com. Could you send it again?");
    assert!(found.contains(&(WantsAddress, "My email is jane.doe@gmail.com".to_owned())), "{found:?}");
    for body in [
        "Please send it to sam@okafor-family.org instead",
        "I never got the invite at my Gmail, sam.o@gmail.com. Can you check?",
        "Can you send it to my personal email?",
        "please use pat@yahoo.com",
        "Por favor envíenlo a juan@gmail.com",
        "Mi correo es juan.perez@hotmail.com",
        "Mándenlo a mi otro correo",
    ] {
        assert!(has(body, WantsAddress), "{body}: {:?}", claims(body));
    }
    for body in [
        "I gave jane@gmail.com at the front desk.",
        "I checked my gmail and nothing",
        "Please don't send it to jane@work.org",
        "Could you send it again?",
        "Nobody else uses my email.",
    ] {
        assert!(!has(body, WantsAddress), "{body}: {:?}", claims(body));
    }
}

#[test]
fn asks_safe_in_english_and_spanish() {
    let found = claims("The invite link goes to a strange long address starting with urldefense.com. Is it safe?");
    assert_eq!(found, [(AsksSafe, "Is it safe?".to_owned())]);
    for body in [
        "Is this email legit?",
        "is this a scam",
        "It looks like phishing to me",
        "Is it safe to click?",
        "Did you send this?",
        "¿Es seguro este enlace?",
        "¿Es una estafa?",
        "Parece sospechoso",
    ] {
        assert!(has(body, AsksSafe), "{body}: {:?}", claims(body));
    }
    for body in ["Please keep it safe", "I'm safe at home now", "Thanks for your help"] {
        assert!(!has(body, AsksSafe), "{body}: {:?}", claims(body));
    }
}

#[test]
fn already_registered_in_english_and_spanish() {
    for body in [
        "I already have an account",
        "The registration link says invalid. I signed up a while ago I think?",
        "I registered last year",
        "I've already created my account",
        "Ya tengo una cuenta",
        "Ya me registré el año pasado",
    ] {
        assert!(has(body, AlreadyRegistered), "{body}: {:?}", claims(body));
    }
    for body in [
        "I don't have an account yet",
        "I never signed up",
        "Have I already registered?",
        "my registered email is old",
        "No tengo una cuenta",
    ] {
        assert!(!has(body, AlreadyRegistered), "{body}: {:?}", claims(body));
    }
}

#[test]
fn quoted_mail_is_not_the_clients_claim() {
    let body = "Still nothing here.\n\n\
                On Nov 24, 2026, at 9:14 AM, Bright Path Counseling <no-reply@therapyappointment.com> wrote:\n\
                > Please search your inbox, Spam and Trash.\n> Is it safe? I checked my spam.\n";
    assert_eq!(kinds(body), [NotReceived]);
    assert!(kinds("> I checked spam\nthanks").is_empty());
}

#[test]
fn one_claim_of_a_kind_per_sentence_in_order() {
    let found = kinds("I checked spam, junk and trash. The link is invalid and expired. Also spam: nothing in it.");
    assert_eq!(found, [SearchedSpam, LinkInvalid]);
    let found = kinds("I checked spam. Nothing in junk either.");
    assert_eq!(found, [SearchedSpam, SearchedSpam]);
}

#[test]
fn uppercase_and_curly_apostrophes_read_alike() {
    assert!(has("I DID NOT CHECK SPAM. I NEVER GOT IT", NotReceived));
    assert!(!has("I DID NOT CHECK SPAM", SearchedSpam));
    assert!(!has("I didn’t check spam", SearchedSpam));
    assert!(has("I haven’t received it", NotReceived));
}

#[test]
fn every_kind_has_a_stable_code() {
    let codes: Vec<&str> = ClaimKind::all().map(ClaimKind::as_str).collect();
    assert_eq!(
        codes,
        [
            "searched_spam",
            "not_received",
            "link_invalid",
            "opened_repeatedly",
            "on_phone",
            "dob_is_right",
            "wants_address",
            "asks_safe",
            "already_registered"
        ]
    );
    for kind in ClaimKind::all() {
        assert_eq!(kind.as_str().parse::<ClaimKind>(), Ok(kind));
        assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{kind}\""));
    }
    assert!(AUTOMATON.is_some(), "the cue words build");
}

#[test]
fn debug_shows_no_text() {
    let m = read_message("I checked my spam at jane@gmail.com", &ctx());
    let debug = format!("{:?}", m.claims);
    assert!(!debug.contains("spam") && debug.contains("SearchedSpam"), "{debug}");
}

proptest::proptest! {
    #[test]
    fn any_text_gives_claims_with_true_positions(body in "\\PC{0,300}") {
        let chars: Vec<char> = body.chars().collect();
        for c in read_message(&body, &ctx()).claims {
            proptest::prop_assert!(c.start < c.end && c.end <= chars.len());
            proptest::prop_assert_eq!(&chars[c.start..c.end].iter().collect::<String>(), &c.text);
        }
    }

    #[test]
    fn cue_shaped_text_gives_an_answer(
        body in "((not|never|no|did|n't|I|checked|spam|junk|in|even|safe|is|it|\\?|,|\\.|my|phone|on|times|6|twice|received|got|invalid|valid|right|DOB|send|to|a@b\\.c|ya|tengo|cuenta|¿|é|’) ){0,40}"
    ) {
        let chars: Vec<char> = body.chars().collect();
        for c in read_message(&body, &ctx()).claims {
            proptest::prop_assert!(c.start < c.end && c.end <= chars.len());
        }
    }
}
