//! `matches()`: Python `re.search` semantics on the linear-time `regex` crate.
//!
//! Python pattern syntax is translated where the two differ in ways Koreo users hit:
//! `[` inside a class is literal in Python (so `[[:alpha:]]` is not a POSIX class there),
//! `$` also matches before a final newline, `\Z` is end of text, a `{` that does not start a
//! repetition is literal, `{,n}` means `{0,n}`. Patterns the linear engine cannot run
//! (look-around, backreferences) go to `fancy-regex`, whose backtracking is bounded: past the
//! limit the evaluation ends with a budget error instead of hanging. Conditional groups are
//! not supported (`match error`). The Kubernetes dialect uses the pattern as RE2 syntax
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
}

/// Backtracking steps allowed for one match.
const BACKTRACK_LIMIT: usize = 1_000_000;

thread_local! {
    static CACHE: RefCell<HashMap<(String, bool), Result<Compiled, String>>> = RefCell::new(HashMap::new());
}

/// Translates a Python `re` pattern into `regex` syntax.
pub fn translate_python(p: &str) -> String {
    let cs: Vec<char> = p.chars().collect();
    let mut out = String::with_capacity(p.len() + 8);
    let mut i = 0;
    let mut in_class = false;
    while i < cs.len() {
        let c = cs[i];
        if c == '\\' {
            match cs.get(i + 1) {
                Some('Z') if !in_class => out.push_str("\\z"),
                Some(&n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            }
            i += 2;
            continue;
        }
        if in_class {
            match c {
                ']' => {
                    // `[]…]` and `[^]…]` keep a leading `]` literal, as in Python.
                    let prev = out.chars().last();
                    if prev == Some('[') || (prev == Some('^') && out.ends_with("[^")) {
                        out.push_str("\\]");
                    } else {
                        out.push(']');
                        in_class = false;
                    }
                }
                '[' => out.push_str("\\["),
                '&' | '~' | '-' if cs.get(i + 1) == Some(&c) => {
                    out.push('\\');
                    out.push(c);
                }
                _ => out.push(c),
            }
            i += 1;
            continue;
        }
        // Python's named backreference `(?P=name)` is `\k<name>` for the backtracking engine.
        if c == '(' && cs[i..].starts_with(&['(', '?', 'P', '=']) {
            let name: String = cs[i + 4..].iter().take_while(|c| **c != ')').collect();
            if cs.len() > i + 4 + name.len() {
                out.push_str(&format!("\\k<{name}>"));
                i += name.chars().count() + 5;
                continue;
            }
        }
        match c {
            '[' => {
                in_class = true;
                out.push('[');
                if cs.get(i + 1) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
            }
            '$' => out.push_str("(?:\\n?\\z)"),
            '{' => {
                // A repetition is `{n}`, `{n,}`, `{,m}` or `{n,m}`; anything else is literal.
                let rest: String = cs[i + 1..].iter().take_while(|c| **c != '}').collect();
                let closed = cs.len() > i + 1 + rest.len();
                let valid = closed && {
                    let (a, b) = rest.split_once(',').unwrap_or((&rest, ""));
                    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
                    digits(a)
                        && digits(b)
                        && !(a.is_empty() && b.is_empty() && !rest.contains(','))
                        && (!a.is_empty() || rest.contains(','))
                };
                if valid
                    && out.chars().last().is_some_and(|p| p != '(' && p != '|')
                    && !out.is_empty()
                {
                    if rest.starts_with(',') {
                        out.push_str("{0");
                        out.push_str(&rest);
                        out.push('}');
                    } else {
                        out.push('{');
                        out.push_str(&rest);
                        out.push('}');
                    }
                    i += rest.chars().count() + 2;
                    continue;
                }
                out.push_str("\\{");
            }
            '}' => out.push_str("\\}"),
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

fn compile(pattern: &str, dialect: Dialect) -> Result<Compiled, String> {
    let k8s = dialect == Dialect::Kubernetes;
    let key = (pattern.to_string(), k8s);
    if let Some(hit) = CACHE.with(|c| c.borrow().get(&key).cloned()) {
        return hit;
    }
    let translated = if k8s {
        pattern.to_string()
    } else {
        translate_python(pattern)
    };
    let linear = RegexBuilder::new(&translated)
        .size_limit(1 << 20)
        .dfa_size_limit(1 << 20)
        .nest_limit(100)
        .build();
    let compiled = match linear {
        Ok(re) => Ok(Compiled::Linear(re)),
        Err(regex::Error::CompiledTooBig(_)) => Err("pattern too large".to_string()),
        Err(e) if k8s => Err(e
            .to_string()
            .lines()
            .last()
            .unwrap_or("invalid pattern")
            .trim()
            .to_string()),
        Err(e) => fancy_regex::RegexBuilder::new(&translated)
            .backtrack_limit(BACKTRACK_LIMIT)
            .delegate_size_limit(1 << 20)
            .delegate_dfa_size_limit(1 << 20)
            .build()
            .map(Compiled::Backtracking)
            .map_err(|_| {
                e.to_string()
                    .lines()
                    .last()
                    .unwrap_or("invalid pattern")
                    .trim()
                    .to_string()
            }),
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

/// `re.search(pattern, text) is not None`.
pub fn search(pattern: &str, text: &str, dialect: Dialect) -> Result<bool, SearchError> {
    match compile(pattern, dialect).map_err(SearchError::Pattern)? {
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
