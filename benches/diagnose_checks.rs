//! Speed of the two diagnosis checks (the target is under 20 µs per check)
//! and of reading a client's message (a 1 MB message in under 50 ms).

use std::hint::black_box;
use std::time::Duration;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use portaldesk::diagnose::message::{self, MessageContext};
use portaldesk::diagnose::{dob, email};

fn dob_check(c: &mut Criterion) {
    let on_file = NaiveDate::from_ymd_opt(1990, 3, 15).unwrap_or_default();
    let ctx = dob::DobContext {
        today: NaiveDate::from_ymd_opt(2025, 6, 1).unwrap_or_default(),
        account_created: NaiveDate::from_ymd_opt(2024, 1, 10),
    };
    let long = "9".repeat(4096);
    let inputs = [
        ("exact", "03/15/1990"),
        ("swapped", "15/03/1990"),
        ("words", "march 15th, 1990"),
        ("no_separators", "3151990"),
        ("typo", "03/15/1909"),
        ("mismatch", "07/04/62"),
        ("long_garbage", long.as_str()),
    ];
    let mut group = c.benchmark_group("check_dob");
    for (name, text) in inputs {
        group.bench_function(name, |b| b.iter(|| dob::check_dob(black_box(on_file), black_box(text), black_box(&ctx))));
    }
    group.finish();
}

fn email_check(c: &mut Criterion) {
    let inputs = [
        ("valid_provider", "jane.doe@gmail.com"),
        ("valid_practice", "frontdesk@brightpaththerapy.org"),
        ("domain_typo", "jane.doe@hotmial.con"),
        ("tld_typo", "jane.doe@gmail.cmo"),
        ("invalid", " jane doe@@gmail,com "),
    ];
    let mut group = c.benchmark_group("check_email");
    for (name, address) in inputs {
        group.bench_function(name, |b| b.iter(|| email::check_email(black_box(address))));
    }
    group.finish();
}

/// A 1 MB conversation of client-like text: dates, times, phones, addresses,
/// claims ("the page said invalid", "my email is"),
/// quoted mail.
fn message_reader(c: &mut Criterion) {
    let paragraph = "Hi, I typed my DOB 03/02/1990 (or March 2nd, 1990) at 9:14 AM and the page said invalid. \
                     My email is jane.doe@gmail.cmo, phone (254) 555-0150, ticket T-1021, paid $45.00.\n";
    let mut body = String::new();
    while body.len() < 1024 * 1024 {
        body.push_str(paragraph);
    }
    body.push_str(
        "On Nov 30, 2026, at 9:14 AM, Portal <no-reply@therapyappointment.com> wrote:\n> quoted 01/01/1980\n",
    );
    let ctx = MessageContext {
        today: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default(),
        own_addresses: &["no-reply@therapyappointment.com"],
    };
    let one_line = body.replace('\n', " ");
    let mut group = c.benchmark_group("read_message");
    group.sample_size(10);
    group.bench_function("1mb", |b| b.iter(|| message::read_message(black_box(&body), black_box(&ctx))));
    group.bench_function("1mb_one_line", |b| b.iter(|| message::read_message(black_box(&one_line), black_box(&ctx))));
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(50)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = dob_check, email_check, message_reader
}
criterion_main!(benches);
