//! What all preparers share: the error type and the dependency-extraction step.

use crate::cel::CelProgram;
use crate::outcome::{Failure, Outcome};
use crate::resource::Kind;
use crate::structure::PrepFail;
use koreo_cel::extract_paths;
use text_size::TextRange;

/// Why a resource did not prepare (or prepared into a failed state).
#[derive(Clone, Debug, PartialEq)]
pub struct PrepareError {
    /// What the engine caches for the resource: a PermFail, Retry or DepSkip with the
    /// engine's message and location. For crashes (`crashed`), a PermFail with the message
    /// the reference LS shows.
    pub outcome: Outcome<()>,
    /// The engine raised instead of preparing: the resource is not cached at all.
    pub crashed: bool,
    /// The offending node.
    pub range: Option<TextRange>,
    /// Stable kebab-case code for diagnostics.
    pub code: &'static str,
    /// Our explanation, when it adds something to the engine's message.
    pub detail: Option<String>,
}

impl PrepareError {
    /// A PermFail with the given location.
    pub fn perm_fail(
        code: &'static str,
        message: impl Into<String>,
        location: Option<String>,
        range: Option<TextRange>,
    ) -> PrepareError {
        PrepareError {
            outcome: Outcome::PermFail(Failure {
                message: Some(message.into()),
                location,
                origin: None,
            }),
            crashed: false,
            range,
            code,
            detail: None,
        }
    }

    /// The engine's message.
    pub fn message(&self) -> &str {
        self.outcome.message().unwrap_or("")
    }

    /// Converts a structure failure; parse errors get the `cel-parse-error` code.
    pub fn from_structure(
        kind: Kind,
        name: &str,
        fail: PrepFail,
        location: Option<String>,
    ) -> PrepareError {
        match fail {
            PrepFail::PermFail {
                message,
                range,
                detail,
            } => {
                let code = if message.starts_with("Parsing error") {
                    "cel-parse-error"
                } else {
                    "malformed-structure"
                };
                PrepareError {
                    detail,
                    ..PrepareError::perm_fail(code, message, location, range)
                }
            }
            PrepFail::Crash { message, range } => PrepareError::crash(kind, name, &message, range),
        }
    }

    /// The engine raised while preparing: the reference LS reports
    /// ``FAILED TO Extract ('{kind}.koreo.dev/v1beta1') from {name} ({exception})``.
    pub fn crash(
        kind: Kind,
        name: &str,
        exception: &str,
        range: Option<TextRange>,
    ) -> PrepareError {
        PrepareError {
            outcome: Outcome::perm_fail(format!(
                "FAILED TO Extract ('{kind}.koreo.dev/v1beta1') from {name} ({exception})"
            )),
            crashed: true,
            range,
            code: "prepare-crash",
            detail: None,
        }
    }
}

/// Runs the dependency extractor over a compiled program, adding its paths to `used`.
pub fn extract_into(
    kind: Kind,
    name: &str,
    program: &CelProgram,
    used: &mut Vec<String>,
) -> Result<(), PrepareError> {
    match extract_paths(program.expr(), program.source()) {
        Ok(paths) => {
            for p in paths {
                if !used.contains(&p) {
                    used.push(p);
                }
            }
            used.sort();
            Ok(())
        }
        Err(e) => {
            let mut err =
                PrepareError::crash(kind, name, &e.message, program.encoded.file_range(e.span));
            err.code = "member-access-crash";
            err.detail = Some(
                "The engine's dependency extractor cannot handle a field selection or index on \
                 anything but a plain name chain (a call, parentheses, a literal, or an index \
                 starting with `-`/`!`); the whole resource fails to prepare. Bind the value in \
                 `locals` first and select from `locals.<name>`."
                    .into(),
            );
            Err(err)
        }
    }
}
