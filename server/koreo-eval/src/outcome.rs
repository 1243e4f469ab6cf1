//! Outcomes (§5): the result of evaluating anything in Koreo.

use crate::cel::Origin;
use std::fmt;

/// The result of a Function, step, Workflow or prepare. `Ok` carries the engine's bare
/// value; the other variants carry a message and a location (the engine's `location`
/// attribute, which is an expression dump for CEL errors, see §3.8).
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome<T> {
    /// Success with the bare value.
    Ok(T),
    /// Intentionally not run.
    Skip(Failure),
    /// Not run because a dependency is not ready.
    DepSkip(Failure),
    /// Not ready yet; try again after the delay.
    Retry(Retry),
    /// Unrecoverable until the configuration changes.
    PermFail(Failure),
}

/// Message and location of a non-Ok outcome.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Failure {
    /// The message, if any.
    pub message: Option<String>,
    /// The engine's `location` (for CEL errors: the re-rendered failing sub-expression).
    pub location: Option<String>,
    /// Ours: the YAML node that produced the outcome, when known (not part of the engine's
    /// outcome; for diagnostics).
    pub origin: Option<Origin>,
}

/// A Retry: message, location and delay in seconds (engine default 60).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Retry {
    /// The message, if any.
    pub message: Option<String>,
    /// The engine's location, if any.
    pub location: Option<String>,
    /// Seconds until the next attempt.
    pub delay: i64,
    /// Ours: the YAML node that produced the outcome, when known.
    pub origin: Option<Origin>,
}

/// The outcome type without its payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OutcomeKind {
    /// Success.
    Ok,
    /// Skip.
    Skip,
    /// Dependency skip.
    DepSkip,
    /// Retry.
    Retry,
    /// Permanent failure.
    PermFail,
}

impl OutcomeKind {
    /// The engine's class name (`Ok`, `Skip`, `DepSkip`, `Retry`, `PermFail`).
    pub fn name(self) -> &'static str {
        match self {
            OutcomeKind::Ok => "Ok",
            OutcomeKind::Skip => "Skip",
            OutcomeKind::DepSkip => "DepSkip",
            OutcomeKind::Retry => "Retry",
            OutcomeKind::PermFail => "PermFail",
        }
    }
}

impl fmt::Display for OutcomeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

fn opt(s: impl Into<String>) -> Option<String> {
    Some(s.into())
}

impl Failure {
    /// A failure with a message and no location.
    pub fn msg(message: impl Into<String>) -> Failure {
        Failure {
            message: opt(message),
            location: None,
            origin: None,
        }
    }

    /// A failure with message and location.
    pub fn at(message: impl Into<String>, location: impl Into<String>) -> Failure {
        Failure {
            message: opt(message),
            location: opt(location),
            origin: None,
        }
    }
}

impl<T> Outcome<T> {
    /// `PermFail(message)`.
    pub fn perm_fail(message: impl Into<String>) -> Self {
        Outcome::PermFail(Failure::msg(message))
    }

    /// `PermFail(message, location)`.
    pub fn perm_fail_at(message: impl Into<String>, location: impl Into<String>) -> Self {
        Outcome::PermFail(Failure::at(message, location))
    }

    /// `Retry(delay, message, location?)`.
    pub fn retry(delay: i64, message: impl Into<String>, location: Option<String>) -> Self {
        Outcome::Retry(Retry {
            message: opt(message),
            location,
            delay,
            origin: None,
        })
    }

    /// `Skip(message, location?)`.
    pub fn skip(message: impl Into<String>, location: Option<String>) -> Self {
        Outcome::Skip(Failure {
            message: opt(message),
            location,
            origin: None,
        })
    }

    /// `DepSkip(message, location?)`.
    pub fn dep_skip(message: impl Into<String>, location: Option<String>) -> Self {
        Outcome::DepSkip(Failure {
            message: opt(message),
            location,
            origin: None,
        })
    }

    /// The outcome type.
    pub fn kind(&self) -> OutcomeKind {
        match self {
            Outcome::Ok(_) => OutcomeKind::Ok,
            Outcome::Skip(_) => OutcomeKind::Skip,
            Outcome::DepSkip(_) => OutcomeKind::DepSkip,
            Outcome::Retry(_) => OutcomeKind::Retry,
            Outcome::PermFail(_) => OutcomeKind::PermFail,
        }
    }

    /// Whether the outcome is Ok.
    pub fn is_ok(&self) -> bool {
        matches!(self, Outcome::Ok(_))
    }

    /// Retry or PermFail.
    pub fn is_error(&self) -> bool {
        matches!(self, Outcome::Retry(_) | Outcome::PermFail(_))
    }

    /// Skip or DepSkip.
    pub fn is_skip(&self) -> bool {
        matches!(self, Outcome::Skip(_) | Outcome::DepSkip(_))
    }

    /// The message, for non-Ok outcomes.
    pub fn message(&self) -> Option<&str> {
        match self {
            Outcome::Ok(_) => None,
            Outcome::Skip(f) | Outcome::DepSkip(f) | Outcome::PermFail(f) => f.message.as_deref(),
            Outcome::Retry(r) => r.message.as_deref(),
        }
    }

    /// The location, for non-Ok outcomes.
    pub fn location(&self) -> Option<&str> {
        match self {
            Outcome::Ok(_) => None,
            Outcome::Skip(f) | Outcome::DepSkip(f) | Outcome::PermFail(f) => f.location.as_deref(),
            Outcome::Retry(r) => r.location.as_deref(),
        }
    }

    /// Replaces the location of a non-Ok outcome.
    pub fn set_location(&mut self, location: Option<String>) {
        match self {
            Outcome::Ok(_) => {}
            Outcome::Skip(f) | Outcome::DepSkip(f) | Outcome::PermFail(f) => f.location = location,
            Outcome::Retry(r) => r.location = location,
        }
    }

    /// Ours: the YAML node that produced a non-Ok outcome.
    pub fn origin(&self) -> Option<&Origin> {
        match self {
            Outcome::Ok(_) => None,
            Outcome::Skip(f) | Outcome::DepSkip(f) | Outcome::PermFail(f) => f.origin.as_ref(),
            Outcome::Retry(r) => r.origin.as_ref(),
        }
    }

    /// Sets the origin of a non-Ok outcome when it has none yet.
    pub fn set_origin(&mut self, origin: Option<Origin>) {
        match self {
            Outcome::Ok(_) => {}
            Outcome::Skip(f) | Outcome::DepSkip(f) | Outcome::PermFail(f) => {
                if f.origin.is_none() {
                    f.origin = origin
                }
            }
            Outcome::Retry(r) => {
                if r.origin.is_none() {
                    r.origin = origin
                }
            }
        }
    }

    /// The delay of a Retry.
    pub fn delay(&self) -> Option<i64> {
        match self {
            Outcome::Retry(r) => Some(r.delay),
            _ => None,
        }
    }

    /// Maps the Ok value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Outcome<U> {
        match self {
            Outcome::Ok(v) => Outcome::Ok(f(v)),
            Outcome::Skip(x) => Outcome::Skip(x),
            Outcome::DepSkip(x) => Outcome::DepSkip(x),
            Outcome::Retry(x) => Outcome::Retry(x),
            Outcome::PermFail(x) => Outcome::PermFail(x),
        }
    }

    /// Converts a non-Ok outcome to another payload type; `None` for Ok.
    pub fn cast<U>(&self) -> Option<Outcome<U>> {
        Some(match self {
            Outcome::Ok(_) => return None,
            Outcome::Skip(x) => Outcome::Skip(x.clone()),
            Outcome::DepSkip(x) => Outcome::DepSkip(x.clone()),
            Outcome::Retry(x) => Outcome::Retry(x.clone()),
            Outcome::PermFail(x) => Outcome::PermFail(x.clone()),
        })
    }

    /// Python `str()` of a non-Ok outcome (§5.1); an Ok renders with `ok_repr`.
    pub fn py_str_with(&self, ok_repr: impl FnOnce(&T) -> String) -> String {
        match self {
            Outcome::Ok(v) => format!("Ok(data={})", ok_repr(v)),
            Outcome::Skip(f) => match non_empty(&f.message) {
                Some(m) => format!("Skip (message={m})"),
                None => "User Skip".into(),
            },
            Outcome::DepSkip(f) => match non_empty(&f.message) {
                Some(m) => format!("Dependency Skip (message={m})"),
                None => "Dependency Violation Skip".into(),
            },
            Outcome::Retry(r) => format!(
                "Retry(delay={}, message={})",
                r.delay,
                r.message.as_deref().unwrap_or("None")
            ),
            Outcome::PermFail(f) => format!(
                "Permanent Failure (message={})",
                f.message.as_deref().unwrap_or("None")
            ),
        }
    }
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|m| !m.is_empty())
}

fn join_non_empty(a: &Option<String>, b: &Option<String>) -> Option<String> {
    let parts: Vec<&str> = [a, b]
        .into_iter()
        .filter_map(|s| s.as_deref())
        .filter(|s| !s.is_empty())
        .collect();
    Some(parts.join(", "))
}

/// The accumulator of §5.2.
enum Acc<T> {
    DepSkip(Failure),
    Skip(Failure),
    Ok(Vec<T>),
    Retry(Retry),
    PermFail(Failure),
}

/// Combines outcomes (§5.2): PermFail > Retry > Ok > Skip > DepSkip, merging messages of
/// equal-priority errors and collecting Ok values (in order, skips dropped) into a list.
/// An empty input gives `Skip` without a message.
pub fn combine<T>(outcomes: impl IntoIterator<Item = Outcome<T>>) -> Outcome<Vec<T>> {
    let mut acc: Acc<T> = Acc::DepSkip(Failure::default());
    let mut any = false;
    for next in outcomes {
        any = true;
        acc = match (acc, next) {
            (Acc::DepSkip(_), n) => from_outcome(n),
            (Acc::Skip(s), Outcome::DepSkip(_)) => Acc::Skip(s),
            (Acc::Skip(_), n) => from_outcome(n),
            (Acc::Ok(v), Outcome::Skip(_) | Outcome::DepSkip(_)) => Acc::Ok(v),
            (Acc::Ok(mut v), Outcome::Ok(x)) => {
                v.push(x);
                Acc::Ok(v)
            }
            (Acc::Ok(_), n) => from_outcome(n),
            (Acc::Retry(r), Outcome::Ok(_) | Outcome::Skip(_) | Outcome::DepSkip(_)) => {
                Acc::Retry(r)
            }
            (Acc::Retry(r), Outcome::Retry(n)) => Acc::Retry(Retry {
                message: join_non_empty(&r.message, &n.message),
                location: join_non_empty(&r.location, &n.location),
                delay: r.delay.max(n.delay),
                origin: r.origin.or(n.origin),
            }),
            (Acc::Retry(_), n @ Outcome::PermFail(_)) => from_outcome(n),
            (Acc::PermFail(p), Outcome::PermFail(n)) => Acc::PermFail(Failure {
                message: join_non_empty(&p.message, &n.message),
                location: join_non_empty(&p.location, &n.location),
                origin: p.origin.or(n.origin),
            }),
            (Acc::PermFail(p), _) => Acc::PermFail(p),
        };
    }
    if !any {
        return Outcome::Skip(Failure::default());
    }
    match acc {
        Acc::DepSkip(f) => Outcome::DepSkip(f),
        Acc::Skip(f) => Outcome::Skip(f),
        Acc::Ok(v) => Outcome::Ok(v),
        Acc::Retry(r) => Outcome::Retry(r),
        Acc::PermFail(f) => Outcome::PermFail(f),
    }
}

fn from_outcome<T>(o: Outcome<T>) -> Acc<T> {
    match o {
        Outcome::Ok(v) => Acc::Ok(vec![v]),
        Outcome::Skip(f) => Acc::Skip(f),
        Outcome::DepSkip(f) => Acc::DepSkip(f),
        Outcome::Retry(r) => Acc::Retry(r),
        Outcome::PermFail(f) => Acc::PermFail(f),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(v: i32) -> Outcome<i32> {
        Outcome::Ok(v)
    }

    #[test]
    fn ok_values_collect_and_skips_drop() {
        let r = combine(vec![ok(1), Outcome::skip("s", None), ok(2)]);
        assert_eq!(r, Outcome::Ok(vec![1, 2]));
        assert_eq!(
            combine(Vec::<Outcome<i32>>::new()),
            Outcome::Skip(Failure::default())
        );
    }

    #[test]
    fn retries_merge_and_permfail_wins() {
        let r = combine(vec![
            Outcome::<i32>::retry(15, "a", Some("l1".into())),
            ok(1),
            Outcome::retry(7, "b", None),
        ]);
        assert_eq!(
            r,
            Outcome::Retry(Retry {
                message: Some("a, b".into()),
                location: Some("l1".into()),
                delay: 15,
                origin: None,
            })
        );
        let r = combine(vec![
            Outcome::<i32>::retry(15, "a", None),
            Outcome::perm_fail("p"),
        ]);
        assert_eq!(r.kind(), OutcomeKind::PermFail);
        assert_eq!(r.message(), Some("p"));
        // The PermFail replaces the Retry as is: nothing is merged across kinds.
        assert_eq!(r.location(), None);
    }

    #[test]
    fn skip_keeps_later_skip_over_depskip() {
        let r = combine(vec![
            Outcome::<i32>::skip("a", None),
            Outcome::dep_skip("d", None),
        ]);
        assert_eq!(r.message(), Some("a"));
        let r = combine(vec![
            Outcome::<i32>::skip("a", None),
            Outcome::skip("b", None),
        ]);
        assert_eq!(r.message(), Some("b"));
    }

    #[test]
    fn str_forms() {
        assert_eq!(
            Outcome::<()>::skip("", None).py_str_with(|_| String::new()),
            "User Skip"
        );
        assert_eq!(
            Outcome::<()>::retry(30, "x", None).py_str_with(|_| String::new()),
            "Retry(delay=30, message=x)"
        );
        assert_eq!(
            Outcome::<()>::PermFail(Failure::default()).py_str_with(|_| String::new()),
            "Permanent Failure (message=None)"
        );
    }
}
