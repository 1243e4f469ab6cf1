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
}

/// Installs the size limit for the evaluation running on this thread.
pub(crate) fn set_size_limit(n: usize) {
    MAX_SIZE.with(|c| c.set(n));
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
