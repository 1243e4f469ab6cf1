//! Layer 2: the evaluator of Koreo's CEL dialect — cel-python 0.3.0 as Koreo uses it
//! (spec §2.6–§2.7, §3, §4, Appendices A–B).
//!
//! cel-python delegates most operators to Python, so this crate reproduces Python's object
//! model over cel-python's classes: `1.5 + 1` is `2.5` but `1 + 1.5` is an error,
//! `false || "x"` is `"x"`, `has(e)` means "`e` evaluates without error", map-literal values
//! are lazy error values, and some operators return "native" host values ([`Native`]) that
//! behave differently afterwards.
//!
//! # Using it (the layer above)
//!
//! Parse once, evaluate with bindings, walk the result for nested errors, convert to data:
//!
//! ```
//! use koreo_cel::{Activation, EvalOptions, Failure, Program, evaluate, find_nested_error, from_json, to_data};
//!
//! let program = Program::parse(r#"{"sum": inputs.a + inputs.b, "bad": inputs.missing}"#).unwrap();
//! let inputs = from_json(&serde_json::json!({"a": 1.5, "b": 1})).unwrap();
//! let act = Activation::new().with("inputs", inputs);
//! let value = evaluate(&program, &act, &EvalOptions::default()).unwrap();
//! // Map values are lazy: the error sits inside the map; Koreo fails the whole structure.
//! let err = find_nested_error(&value).expect("nested error");
//! assert_eq!(err.reason(), "no such member in mapping: 'missing'");
//! assert_eq!(
//!     err.permfail_message("fn:spec.return").unwrap(),
//!     "Error evaluating `fn:spec.return` (at inputs.missing) (\"no such member in mapping: 'missing'\", <class 'KeyError'>, None)"
//! );
//!
//! let ok = Program::parse("inputs.a + inputs.b").unwrap();
//! let v = evaluate(&ok, &act, &EvalOptions::default()).unwrap();
//! assert_eq!(to_data(&v).unwrap(), koreo_cel::Data::Float(2.5));
//!
//! // `1 + 1.5` fails the evaluation: the engine reports a PermFail built from this error.
//! let bad = Program::parse("1 + 1.5").unwrap();
//! match evaluate(&bad, &Activation::new(), &EvalOptions::default()) {
//!     Err(Failure::Error(e)) => assert!(e.reason().starts_with("found no matching overload for 'addition_add'")),
//!     other => panic!("{other:?}"),
//! }
//! ```
//!
//! * [`Failure::Error`] → `PermFail(EvalError::permfail_message(location))`; when that
//!   returns [`FormatterCrash`] the engine itself crashes (`pop from empty list`).
//! * [`Failure::Unknown`] → ``Unknown failure evaluating `{location}`.``.
//! * [`Failure::Budget`] is ours: the expression exceeded the [`Budget`].
//! * [`raw_from_json`] builds the raw mapping FunctionTest `overlayResource` binds as
//!   `resource`.
//! * [`extract_paths`] is the dependency extractor of §9.2.3.
//!
//! # Fidelity and known differences
//!
//! `tests/goldens/cel_goldens.json` holds 6.7k expressions evaluated by koreo-core's own CEL
//! environment (every Appendix A operator × operand pair including native operands and error
//! operands, every macro and function in both call styles, conversions, error paths and their
//! dumps, Python renderings); the test checks value, Python class, `repr()`, and for errors the
//! exact argument tuple and dump. `tests/goldens/batch_goldens.jsonl` holds 2k answers of
//! `koreo-ls eval --batch` from the reference (regressions of every class the differential
//! tester in `tests/difftest/` found, plus samples of its generators). Known differences:
//!
//! * `matches()` parses Python's pattern language exactly (what Python 3.13 accepts and
//!   rejects) and runs it on the linear-time `regex` crate, or `fancy-regex` with bounded
//!   backtracking for look-around, backreferences, atomic groups and possessive repeats (a
//!   regex bomb ends in a budget failure). `\b`/`\B` use the crate's word characters (which
//!   include combining marks and exclude `²`-like numerics, unlike Python); `\N{…}` knows a
//!   few common names only; repeat counts the crates' size limits refuse are `match error`.
//! * Time zones come from the IANA database bundled with `jiff` (the reference uses
//!   pendulum's copy; zone rules may differ between database releases). A time of day
//!   without a date (`timestamp("10:00")`) takes today's UTC date, where the engine takes the
//!   host's local date. An offset of 24 h is rejected when parsed; the engine fails only when
//!   the timestamp is used.
//! * `bool(2)` is `BoolType(2)` in Python (an int 2 that prints `True`); here it is `true`.
//! * Native ints are i128 (Python's are unbounded); beyond that a host failure is reported.
//! * Strings are Rust strings: a lone surrogate escape (`"\ud800"`) reads as U+FFFD, and an
//!   escaped surrogate pair as the one character it encodes (Python keeps two code points:
//!   `size()` differs, printing does not).
//! * Message construction `X{…}` calls `X` as cel-python does for plain values and the
//!   conversion types; the protobuf wrapper names (`google.protobuf.…`), `timestamp`,
//!   `duration`, built-in functions (`size{}`) and `type{}` are host failures here.
//!   `type(x)[i]` is a Python `GenericAlias`, here an error.
//! * Error texts that embed reprs of reprs (error values folded by `all`/`exists`) can double
//!   in size per element; past the size budget the evaluation fails with a budget error
//!   where Python keeps going.
//! * `to_json` sorts keys with CPython's comparison sequence for up to 64 keys (so the same
//!   incomparable pair fails first); with more keys the failing pair may differ.
//! * Two keys with equal hash but unequal Python equality (impossible for the key types CEL
//!   allows) keep only the first.

#![warn(missing_docs)]
mod budget;
pub mod cli;
mod convert;
mod deps;
mod dump;
mod error;
mod eval;
mod functions;
mod ops;
mod program;
mod pyformat;
mod pyjson;
mod pyre;
pub mod python;
mod regex_compat;
pub mod time;
mod value;

pub use budget::Budget;
pub use convert::{ConvertError, Data, from_data, from_json, raw_from_json, to_data};
pub use deps::{ExtractError, extract_paths, step_labels};
pub use dump::dump;
pub use error::{BudgetExceeded, ErrorKind, EvalError, Failure, FormatterCrash, PyObj};
pub use eval::{Activation, Dialect, EvalOptions, evaluate};
pub use functions::{function_names, is_koreo_function};
pub use program::Program;
pub use regex_compat::translate_python as translate_python_regex;
pub use value::{HashKey, Map, Native, PyType, Value};

use std::sync::Arc;

/// The first error value nested in a result, in the engine's walk order (§2.6): the value
/// itself, then map entries in insertion order (key before value), list items in order.
pub fn find_nested_error(v: &Value) -> Option<&Arc<EvalError>> {
    match v {
        Value::Error(e) => Some(e),
        Value::Map(m) | Value::Native(Native::Dict(m)) => m
            .iter()
            .find_map(|(k, x)| find_nested_error(k).or_else(|| find_nested_error(x))),
        Value::List(l) | Value::Native(Native::List(l)) => l.iter().find_map(find_nested_error),
        _ => None,
    }
}

/// Parses and evaluates `source` in one go (convenience for tools and tests).
pub fn eval_str(source: &str, activation: &Activation) -> Result<Value, Failure> {
    match Program::parse(source) {
        Ok(p) => evaluate(&p, activation, &EvalOptions::default()),
        Err(errors) => Err(Failure::Unknown {
            class: "CELParseError".into(),
            message: errors
                .first()
                .map(|e| e.message.clone())
                .unwrap_or_default(),
        }),
    }
}
