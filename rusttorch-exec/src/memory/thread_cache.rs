//! Small allocations kept per thread for the thread's next request of the same layout.

use super::mapping::RawAlloc;
use std::alloc::Layout;
use std::cell::RefCell;

/// Small allocations kept per thread for reuse, at most this many.
const SMALL_CACHED: usize = 16;

/// A thread's recently freed small allocations (their contents stay initialised).
struct SmallCache(Vec<RawAlloc>);

impl Drop for SmallCache {
    fn drop(&mut self) {
        for a in self.0.drain(..) {
            a.free();
        }
    }
}

thread_local! {
    static SMALL: RefCell<SmallCache> = const { RefCell::new(SmallCache(Vec::new())) };
}

/// A cached small allocation of exactly `layout`, if this thread has one.
pub(super) fn take(layout: Layout) -> Option<RawAlloc> {
    SMALL
        .try_with(|c| {
            let mut c = c.try_borrow_mut().ok()?;
            let i = c.0.iter().position(|a| a.layout == layout)?;
            Some(c.0.swap_remove(i))
        })
        .ok()
        .flatten()
}

/// Keeps a small allocation for this thread's next request of its size, or frees it.
pub(super) fn give(a: RawAlloc) {
    let mut a = Some(a);
    let _ = SMALL.try_with(|c| {
        if let Ok(mut c) = c.try_borrow_mut() {
            if c.0.len() < SMALL_CACHED {
                c.0.extend(a.take());
            }
        }
    });
    if let Some(a) = a {
        a.free();
    }
}
