//! `matches()`: Python `re.search` semantics on the linear-time `regex` crate.
//!
//! Patterns are parsed by the `pyre` module, which accepts and rejects exactly what Python
//! 3.13 does and translates the result with Python's meaning (`$` also before a final
//! newline, `[` literal inside a class, `{` literal unless it is a repeat, Python's `\s`/`\w`
//! character sets, ASCII mode, scoped flags). Patterns the linear engine cannot run
//! (look-around, backreferences, atomic groups, possessive repeats, conditionals) go to
//! `fancy-regex`, whose backtracking is bounded: past the limit the evaluation ends with a
//! budget error instead of hanging. The Kubernetes dialect uses the pattern as RE2 syntax
//! unchanged (linear engine only).

use std::cell::RefCell;
use std::collections::HashMap;

use regex::{Regex, RegexBuilder};

use crate::eval::Dialect;

/// A compiled pattern: linear-time when possible, bounded backtracking otherwise.
#[derive(Clone)]
enum Compiled {
    Linear(Regex),
    Backtracking(fancy_regex::Regex),
}

/// Why `matches()` could not answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SearchError {
    /// The pattern does not compile (the engine's `match error`).
    Pattern(String),
    /// Backtracking exceeded its limit (a regex bomb).
    Budget,
    /// Python raises `OverflowError` (a repeat count too large): a host exception.
    Overflow(String),
    /// Python raises `ValueError` (incompatible flags).
    Value(String),
}

/// Backtracking steps allowed for one match.
const BACKTRACK_LIMIT: usize = 1_000_000;

thread_local! {
    static CACHE: RefCell<HashMap<(String, bool), Result<Compiled, SearchError>>> = RefCell::new(HashMap::new());
}

/// Translates a Python `re` pattern into `regex` / `fancy-regex` syntax (see
/// the `pyre` module); a pattern Python rejects comes back unchanged.
pub fn translate_python(p: &str) -> String {
    match crate::pyre::parse(p) {
        Ok(parsed) => crate::pyre::translate(&parsed).pattern,
        Err(_) => p.to_string(),
    }
}

fn compile(pattern: &str, dialect: Dialect) -> Result<Compiled, SearchError> {
    let k8s = dialect == Dialect::Kubernetes;
    let key = (pattern.to_string(), k8s);
    if let Some(hit) = CACHE.with(|c| c.borrow().get(&key).cloned()) {
        return hit;
    }
    let compiled = if k8s {
        build_linear(pattern)
            .map(Compiled::Linear)
            .map_err(|e| SearchError::Pattern(first_line(&e)))
    } else {
        match crate::pyre::parse(pattern) {
            Err(crate::pyre::PatternError::Syntax(m)) => Err(SearchError::Pattern(m)),
            Err(crate::pyre::PatternError::Overflow(m)) => Err(SearchError::Overflow(m)),
            Err(crate::pyre::PatternError::Value(m)) => Err(SearchError::Value(m)),
            Ok(parsed) => {
                let t = crate::pyre::translate(&parsed);
                let linear = if t.fancy {
                    None
                } else {
                    Some(build_linear(&t.pattern))
                };
                match linear {
                    Some(Ok(re)) => Ok(Compiled::Linear(re)),
                    Some(Err(regex::Error::CompiledTooBig(_))) => {
                        Err(SearchError::Pattern("pattern too large".into()))
                    }
                    _ => fancy_regex::RegexBuilder::new(&t.pattern)
                        .backtrack_limit(BACKTRACK_LIMIT)
                        .delegate_size_limit(1 << 20)
                        .delegate_dfa_size_limit(1 << 20)
                        .build()
                        .map(Compiled::Backtracking)
                        // Python accepted it; only our engines' limits can refuse it.
                        .map_err(|e| SearchError::Pattern(first_line(&e.to_string()))),
                }
            }
        }
    };
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() > 256 {
            c.clear();
        }
        c.insert(key, compiled.clone());
    });
    compiled
}

fn build_linear(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .dfa_size_limit(1 << 20)
        .nest_limit(100)
        .build()
}

fn first_line(e: &impl ToString) -> String {
    e.to_string()
        .lines()
        .last()
        .unwrap_or("invalid pattern")
        .trim()
        .to_string()
}

/// `re.search(pattern, text) is not None`.
pub fn search(pattern: &str, text: &str, dialect: Dialect) -> Result<bool, SearchError> {
    match compile(pattern, dialect)? {
        Compiled::Linear(re) => Ok(re.is_match(text)),
        Compiled::Backtracking(re) => re.is_match(text).map_err(|e| match e {
            fancy_regex::Error::RuntimeError(_) => SearchError::Budget,
            other => SearchError::Pattern(other.to_string()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_syntax() {
        let py = |p, t| search(p, t, Dialect::Koreo).unwrap();
        assert!(py("b", "abc"));
        assert!(py("^a.c$", "abc\n"));
        assert!(!py("^a.c\\Z", "abc\n"));
        assert!(py("[[:alpha:]]", "a]"));
        assert!(!py("[[:alpha:]]", "b"));
        assert!(py("a{", "a{"));
        assert!(py("^a{,2}$", "aa"));
        assert!(search("(", "x", Dialect::Koreo).is_err());
        assert!(py("foo(?=bar)", "foobar"));
        assert!(!py("foo(?!bar)", "foobar"));
        assert!(py("(abc)\\1", "abcabc"));
        assert_eq!(
            search("(a|aa)+(?=b)c", &"a".repeat(40), Dialect::Koreo),
            Err(SearchError::Budget)
        );
        let k8s = |p, t| search(p, t, Dialect::Kubernetes).unwrap();
        assert!(k8s("^[[:word:]]+$", "abc_1"));
    }
}
