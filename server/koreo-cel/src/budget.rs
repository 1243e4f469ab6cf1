//! The cost budget: evaluation steps, nesting depth and the size of any single value built.
//! A hostile expression ends with `Failure::Budget`, never a hang or an OOM.

use std::cell::Cell;

use crate::error::{BudgetExceeded, PyErr};

/// Limits for one evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Maximum evaluation steps (AST nodes visited, macro iterations, elements copied).
    pub max_steps: u64,
    /// Maximum length of any single string, bytes or list built (elements or bytes).
    pub max_size: usize,
    /// Maximum nesting depth of evaluation.
    pub max_depth: u32,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            max_steps: 10_000_000,
            max_size: 16 * 1024 * 1024,
            // Above the parser's tree-height limit, so every parsed tree can be evaluated.
            max_depth: 1000,
        }
    }
}

thread_local! {
    static MAX_SIZE: Cell<usize> = const { Cell::new(16 * 1024 * 1024) };
    /// A repr/str grew past the size limit (error texts can nest reprs of reprs and double
    /// in size at each level); the formatter gave up with a `FormatterCrash` that is really
    /// a budget failure.
    static REPR_OVERFLOW: Cell<bool> = const { Cell::new(false) };
}

/// Installs the size limit for the evaluation running on this thread.
pub(crate) fn set_size_limit(n: usize) {
    MAX_SIZE.with(|c| c.set(n));
    REPR_OVERFLOW.with(|c| c.set(false));
}

/// Whether text of `len` bytes exceeds the size limit; records it for [`take_repr_overflow`].
pub(crate) fn repr_too_big(len: usize) -> bool {
    let big = len > MAX_SIZE.with(Cell::get);
    if big {
        REPR_OVERFLOW.with(|c| c.set(true));
    }
    big
}

/// Whether the last formatter failure was a size overflow (and clears the mark).
pub(crate) fn take_repr_overflow() -> bool {
    REPR_OVERFLOW.with(|c| c.replace(false))
}

/// The size limit in force.
pub(crate) fn size_limit() -> usize {
    MAX_SIZE.with(Cell::get)
}

/// Fails when a value of `n` elements/bytes would exceed the size limit.
pub(crate) fn check_size(n: usize) -> Result<(), PyErr> {
    let max = MAX_SIZE.with(Cell::get);
    if n > max {
        Err(PyErr::Budget(BudgetExceeded {
            what: "value size",
            limit: max as u64,
        }))
    } else {
        Ok(())
    }
}
