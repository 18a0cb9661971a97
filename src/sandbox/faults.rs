//! Fault injection for resilience tests (`--faults`): latency, 5xx answers,
//! dropped connections, lost answers to changes, malformed JSON and slow
//! bodies, applied to the API routes only. An event stream (`text/event-stream`) is cut instead: each
//! frame is dropped mid-way, with the connection, at `drop_rate`.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::stream;

use super::problem::ApiError;
use super::rng::Rng;

/// What faults to inject, parsed from `latency=300ms,error_rate=0.2,...`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// Added before every answer.
    pub latency: Duration,
    /// Share of requests answered 503 without being handled.
    pub error_rate: f64,
    /// Share of requests whose connection is dropped: half before the
    /// request is handled, half after (the change is made, the answer lost).
    pub drop_rate: f64,
    /// Share of changes (any method but GET and HEAD) that are made and
    /// whose answer is then lost (the connection dropped): the outcome a
    /// client can only learn by reading again. `lost_answer_rate=1` makes
    /// every change so, for tests of what a console says then.
    pub lost_answer_rate: f64,
    /// The first this many changes are made and their answers then lost;
    /// the changes after them are not (`lost_answers=1`: a lost answer the
    /// client's retry with its key gets past, every time; `lost_answers=3`:
    /// one that outlasts the retries).
    pub lost_answers: u32,
    /// Share of successful answers whose JSON body is cut short.
    pub malformed_rate: f64,
    /// When set, bodies are sent in small chunks spread over this long.
    pub slow_body: Option<Duration>,
}

impl Faults {
    /// Parses the `--faults` text. Errors name the part that is wrong.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut faults = Faults::default();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) =
                part.split_once('=').ok_or_else(|| format!("fault `{part}` needs the form key=value"))?;
            let rate = |v: &str| -> Result<f64, String> {
                v.parse::<f64>()
                    .ok()
                    .filter(|r| (0.0..=1.0).contains(r))
                    .ok_or_else(|| format!("fault `{key}` needs a rate between 0 and 1"))
            };
            match key.trim() {
                "latency" => faults.latency = parse_duration(value)?,
                "error_rate" => faults.error_rate = rate(value)?,
                "drop_rate" => faults.drop_rate = rate(value)?,
                "lost_answer_rate" => faults.lost_answer_rate = rate(value)?,
                "lost_answers" => {
                    faults.lost_answers =
                        value.trim().parse().map_err(|_| format!("fault `{key}` needs a count (0, 1, 2, ...)"))?;
                }
                "malformed_rate" => faults.malformed_rate = rate(value)?,
                "slow_body" => faults.slow_body = Some(parse_duration(value)?),
                other => {
                    return Err(format!(
                        "unknown fault `{other}` (known: latency, error_rate, drop_rate, lost_answer_rate, \
                         lost_answers, malformed_rate, slow_body)"
                    ));
                }
            }
        }
        Ok(faults)
    }

    /// Whether any fault is configured.
    pub fn is_active(&self) -> bool {
        *self != Faults::default()
    }
}

/// Parses `300ms`, `2s` or `1.5s`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let bad = || format!("`{text}` is not a duration such as 300ms or 2s");
    let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1.0)
    } else {
        return Err(bad());
    };
    let value: f64 = number.trim().parse().map_err(|_| bad())?;
    if !(0.0..=600.0).contains(&(value * scale)) {
        return Err(bad());
    }
    Ok(Duration::from_secs_f64(value * scale))
}

/// The state of the fault middleware.
#[derive(Clone)]
pub struct FaultInjector {
    pub faults: Arc<Faults>,
    pub dice: Arc<Mutex<Rng>>,
    /// How many changes have had their answers lost by `lost_answers`.
    pub lost: Arc<AtomicU32>,
}

enum Plan {
    Pass,
    Error,
    DropBefore,
    DropAfter,
    Malformed,
}

impl FaultInjector {
    fn plan(&self, change: bool) -> Plan {
        let mut dice = match self.dice.lock() {
            Ok(dice) => dice,
            Err(poisoned) => poisoned.into_inner(),
        };
        if change && self.lose_one() {
            return Plan::DropAfter;
        }
        if change && self.faults.lost_answer_rate > 0.0 && dice.chance(self.faults.lost_answer_rate) {
            Plan::DropAfter
        } else if dice.chance(self.faults.error_rate) {
            Plan::Error
        } else if dice.chance(self.faults.drop_rate) {
            if dice.chance(0.5) { Plan::DropBefore } else { Plan::DropAfter }
        } else if dice.chance(self.faults.malformed_rate) {
            Plan::Malformed
        } else {
            Plan::Pass
        }
    }
}

impl FaultInjector {
    /// Whether this change is one of the first `lost_answers` (counted).
    fn lose_one(&self) -> bool {
        let limit = self.faults.lost_answers;
        self.lost.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| (n < limit).then_some(n + 1)).is_ok()
    }
}

/// The middleware: rolls the dice once per request.
pub async fn inject(State(injector): State<FaultInjector>, request: Request, next: Next) -> Response {
    if !injector.faults.latency.is_zero() {
        tokio::time::sleep(injector.faults.latency).await;
    }
    let change = !matches!(*request.method(), axum::http::Method::GET | axum::http::Method::HEAD);
    match injector.plan(change) {
        Plan::Error => ApiError::unavailable("injected fault").into_response(),
        Plan::DropBefore => dropped(),
        Plan::DropAfter => {
            let _ = next.run(request).await;
            dropped()
        }
        Plan::Malformed => {
            let response = next.run(request).await;
            if is_stream(&response) {
                cut_streams(response, injector)
            } else if response.status().is_success() {
                malformed(response)
            } else {
                response
            }
        }
        Plan::Pass => {
            let response = next.run(request).await;
            if is_stream(&response) {
                return cut_streams(response, injector);
            }
            match injector.faults.slow_body {
                Some(spread) => slow(response, spread).await,
                None => response,
            }
        }
    }
}

/// An answer whose body fails at once: hyper aborts the connection, so the
/// client sees it dropped.
fn dropped() -> Response {
    let failing = stream::once(async { Err::<Bytes, std::io::Error>(std::io::Error::other("injected drop")) });
    Response::new(Body::from_stream(failing))
}

fn is_stream(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"))
}

/// An event stream whose connection drops, at `drop_rate` per frame, after
/// half of the frame: the client sees a cut event, then the end.
fn cut_streams(response: Response, injector: FaultInjector) -> Response {
    if injector.faults.drop_rate <= 0.0 {
        return response;
    }
    let (parts, body) = response.into_parts();
    let frames = body.into_data_stream();
    let cut = stream::unfold(Some((frames, injector)), |state| async move {
        use futures::StreamExt;
        let (mut frames, injector) = state?;
        let frame = match frames.next().await? {
            Ok(frame) => frame,
            Err(error) => return Some((Err(std::io::Error::other(error)), None)),
        };
        let drop_now = {
            let mut dice = injector.dice.lock().unwrap_or_else(|p| p.into_inner());
            dice.chance(injector.faults.drop_rate)
        };
        if drop_now {
            let half = frame.slice(..frame.len() / 2);
            let fail = stream::iter([Ok(half), Err(std::io::Error::other("injected drop"))]);
            return Some((Ok(fail.boxed()), None));
        }
        Some((Ok(stream::iter([Ok(frame)]).boxed()), Some((frames, injector))))
    });
    let flat = futures::TryStreamExt::try_flatten(cut);
    Response::from_parts(parts, Body::from_stream(flat))
}

fn malformed(response: Response) -> Response {
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    parts.status = StatusCode::OK;
    Response::from_parts(parts, Body::from("{\"items\": [{\"id\": "))
}

async fn slow(response: Response, spread: Duration) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return dropped();
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    const CHUNKS: usize = 8;
    let step = spread / CHUNKS as u32;
    let size = bytes.len().div_ceil(CHUNKS).max(1);
    let chunks: Vec<Bytes> = bytes.chunks(size).map(Bytes::copy_from_slice).collect();
    let body = stream::unfold(chunks.into_iter(), move |mut rest| async move {
        let chunk = rest.next()?;
        tokio::time::sleep(step).await;
        Some((Ok::<_, std::io::Error>(chunk), rest))
    });
    Response::from_parts(parts, Body::from_stream(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_form() {
        let f = Faults::parse("latency=300ms,error_rate=0.2,drop_rate=0.05").unwrap();
        assert_eq!(f.latency, Duration::from_millis(300));
        assert_eq!(f.error_rate, 0.2);
        assert_eq!(f.drop_rate, 0.05);
        assert!(f.is_active());
        let f = Faults::parse("slow_body=1.5s, malformed_rate=1").unwrap();
        assert_eq!(f.slow_body, Some(Duration::from_millis(1500)));
        assert_eq!(f.malformed_rate, 1.0);
        assert!(!Faults::parse("").unwrap().is_active());
        assert_eq!(Faults::parse("lost_answer_rate=1").unwrap().lost_answer_rate, 1.0);
        assert_eq!(Faults::parse("lost_answers=3").unwrap().lost_answers, 3);
        assert!(Faults::parse("lost_answers=1").unwrap().is_active());
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        assert!(Faults::parse("latency").unwrap_err().contains("key=value"));
        assert!(Faults::parse("error_rate=2").unwrap_err().contains("between 0 and 1"));
        assert!(Faults::parse("latency=fast").unwrap_err().contains("duration"));
        assert!(Faults::parse("chaos=1").unwrap_err().contains("unknown fault"));
        assert!(Faults::parse("latency=-1s").is_err());
        assert!(Faults::parse("lost_answers=-1").unwrap_err().contains("count"));
    }
}
