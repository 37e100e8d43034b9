//! Per-task scratch (register files, partials) kept per thread between kernels.

use crate::num::Num;
use rusttorch_ir::plan::FusedKernel;
use std::any::Any;
use std::cell::RefCell;

/// Per-task scratch: register files and accumulators.
pub(super) struct Scratch<T: Num> {
    /// The full-space register file.
    pub(super) full: Vec<T>,
    /// The row-space register file.
    pub(super) rows: Vec<T>,
    /// Accumulators (column partials).
    pub(super) acc: Vec<T::Acc>,
    /// The kept box the files came from, to put them back without a new allocation.
    slot: Option<Box<(Vec<T>, Vec<T>)>>,
}

thread_local! {
    /// Buffers kept per thread between kernels, at most one per type: register files
    /// `(Vec<T>, Vec<T>)`, so a small eval does not allocate and zero them every time, and
    /// column-reduction partials `Vec<A>`, which for a 4096² column sum were otherwise 2 MiB of
    /// fresh pages faulted in on every call.
    static KEPT: RefCell<Vec<Box<dyn Any>>> = const { RefCell::new(Vec::new()) };
}

/// This thread's kept `V`, if any (see [`keep`]).
fn take_kept<V: 'static>() -> Option<Box<V>> {
    KEPT.with(|c| {
        let mut c = c.borrow_mut();
        let i = c.iter().position(|b| b.is::<V>())?;
        c.swap_remove(i).downcast::<V>().ok()
    })
}

/// Keeps `b` for this thread's next [`take_kept`] (dropped when the thread is exiting or the
/// list is in use).
fn keep(b: Box<dyn Any>) {
    let _ = KEPT.try_with(|c| {
        if let Ok(mut c) = c.try_borrow_mut() {
            c.push(b);
        }
    });
}

impl<T: Num> Scratch<T> {
    /// Register files for `k` at `block`, reusing this thread's kept ones.
    pub(super) fn new(k: &FusedKernel, block: usize) -> Scratch<T> {
        let mut slot = take_kept::<(Vec<T>, Vec<T>)>();
        let (full, rows) = slot.as_mut().map(|files| std::mem::take(&mut **files)).unwrap_or_default();
        let mut s = Scratch { full, rows, acc: Vec::new(), slot };
        let (nf, nr) = (k.num_full_regs.max(1) * block, k.num_row_regs.max(1) * block);
        // Exactly this kernel's registers (a cached file may be longer): the VM derives the
        // register count from the file's length, and a longer file would make it allocate an
        // alias table per block.
        s.full.resize(nf, T::ZERO);
        s.rows.resize(nr, T::ZERO);
        s
    }
}

impl<T: Num> Drop for Scratch<T> {
    fn drop(&mut self) {
        // Keep at most a few MiB per thread.
        let bytes = (self.full.len() + self.rows.len()) * std::mem::size_of::<T>();
        if bytes == 0 || bytes > 4 << 20 {
            return;
        }
        let files = (std::mem::take(&mut self.full), std::mem::take(&mut self.rows));
        let slot = match self.slot.take() {
            Some(mut b) => {
                *b = files;
                b
            }
            None => Box::new(files),
        };
        keep(slot);
    }
}

/// A buffer of `len` partials: this thread's kept one when there is one (its old values stay:
/// callers overwrite every element before reading it), otherwise a new one.
pub(super) fn reused_partials<A: Num>(len: usize) -> Vec<A> {
    let mut v = take_kept::<Vec<A>>().map(|b| *b).unwrap_or_default();
    v.resize(len, A::ZERO);
    v
}

/// Keeps `v` for this thread's next [`reused_partials`] (up to 16 MiB).
pub(super) fn keep_partials<A: Num>(v: Vec<A>) {
    if v.len() * std::mem::size_of::<A>() <= 16 << 20 {
        keep(Box::new(v));
    }
}
