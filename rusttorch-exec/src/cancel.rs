//! Stopping a running evaluation from another thread (Ctrl-C in Python).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A flag that stops an evaluation: set it from any thread ([`Cancel::cancel`]) and the
/// evaluation it was given to ([`crate::PreparedEval::run_cancellable`]) stops at the next
/// kernel or task boundary with [`rusttorch_ir::Error::Interrupted`]. Kernels look at it once
/// per task (a few milliseconds of work at most), never per block.
///
/// An interrupted evaluation leaves its tensors lazy (they can be evaluated again), every
/// other tensor as it was, and the engine, its plan cache and the buffer pool usable. One
/// exception keeps values intact: once a kernel has started writing into a donated input's
/// buffer (an in-place update `t += x` whose old value nobody can read), the evaluation runs
/// to its end, since the old value is gone.
#[derive(Clone, Debug, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A flag that is not set.
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Asks the evaluation to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether [`Cancel::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    pub(crate) fn flag(&self) -> &AtomicBool {
        &self.0
    }
}

/// Whether `flag` is present and set.
#[inline]
pub(crate) fn is_set(flag: Option<&AtomicBool>) -> bool {
    flag.is_some_and(|f| f.load(Ordering::Relaxed))
}
