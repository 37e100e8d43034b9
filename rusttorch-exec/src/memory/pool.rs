//! The process-wide pool of idle large allocations, by size, and the bound on its idle bytes.

use super::mapping::RawAlloc;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};

/// Default bound on idle pooled bytes when the physical memory size is unknown, and its cap.
const DEFAULT_LIMIT_CAP: usize = 512 << 20;

/// The default bound on idle pooled bytes: `RUSTTORCH_POOL_LIMIT` (bytes) when set to a
/// number, else a thirty-second of physical memory, at most 512 MiB. That keeps the large
/// results of a loop over 64 MiB tensors (several per iteration) for reuse, while a program
/// never sits on more than about 3 % of the machine's memory it is not using.
fn default_limit() -> usize {
    if let Some(v) = std::env::var("RUSTTORCH_POOL_LIMIT").ok().and_then(|s| s.trim().parse::<usize>().ok()) {
        return v;
    }
    match rusttorch_ir::buffer::physical_memory_bytes() {
        u64::MAX => DEFAULT_LIMIT_CAP,
        phys => usize::try_from(phys / 32).unwrap_or(usize::MAX).min(DEFAULT_LIMIT_CAP),
    }
}

fn limit_cell() -> &'static AtomicUsize {
    static LIMIT: OnceLock<AtomicUsize> = OnceLock::new();
    LIMIT.get_or_init(|| AtomicUsize::new(default_limit()))
}

/// The most bytes the pool keeps idle (see [`set_pool_limit`]; the default is read once from
/// `RUSTTORCH_POOL_LIMIT`, else derived from physical memory).
pub fn pool_limit() -> usize {
    limit_cell().load(Ordering::Relaxed)
}

/// Sets the most bytes the pool keeps idle; idle buffers beyond it are freed now, the oldest
/// first. `0` disables pooling: every large buffer goes back to the operating system when
/// dropped.
pub fn set_pool_limit(bytes: usize) {
    limit_cell().store(bytes, Ordering::Relaxed);
    let evicted = pool().trim(bytes);
    drop(evicted);
}

/// Bytes currently idle in the pool (for tests and diagnostics).
pub fn pooled_bytes() -> usize {
    pool().bytes
}

/// The most recently freed idle allocation of exactly `size` bytes, if any.
pub(super) fn take(size: usize) -> Option<RawAlloc> {
    pool().take(size)
}

/// Keeps `a` idle for a later [`take`], within [`pool_limit`] (or frees it).
pub(super) fn give(a: RawAlloc) {
    let limit = pool_limit();
    let evicted = pool().give(a, limit);
    drop(evicted);
}

/// Idle large allocations, oldest first, and their total size.
struct Pool {
    free: VecDeque<RawAlloc>,
    bytes: usize,
}

impl Pool {
    const fn new() -> Pool {
        Pool { free: VecDeque::new(), bytes: 0 }
    }

    /// The most recently freed allocation of `size` bytes (its lines are the likeliest to be
    /// still cached).
    fn take(&mut self, size: usize) -> Option<RawAlloc> {
        let i = self.free.iter().rposition(|a| a.size() == size)?;
        let a = self.free.remove(i)?;
        self.bytes -= a.size();
        Some(a)
    }

    /// Keeps `a` as the newest idle allocation, evicting the oldest ones so the pool stays
    /// within `limit`; returns what the caller must free (outside the lock).
    fn give(&mut self, a: RawAlloc, limit: usize) -> Evicted {
        if a.size() > limit {
            return Evicted(vec![a]);
        }
        let evicted = self.trim(limit - a.size());
        self.bytes += a.size();
        self.free.push_back(a);
        evicted
    }

    /// Removes the oldest allocations until at most `limit` bytes stay idle.
    fn trim(&mut self, limit: usize) -> Evicted {
        let mut out = Vec::new();
        while self.bytes > limit {
            let Some(a) = self.free.pop_front() else { break };
            self.bytes -= a.size();
            out.push(a);
        }
        Evicted(out)
    }
}

/// Allocations taken out of the pool, freed when this is dropped (after the pool's lock).
struct Evicted(Vec<RawAlloc>);

impl Drop for Evicted {
    fn drop(&mut self) {
        for a in self.0.drain(..) {
            a.free();
        }
    }
}

static POOL: Mutex<Pool> = Mutex::new(Pool::new());

fn pool() -> MutexGuard<'static, Pool> {
    POOL.lock().unwrap_or_else(|e| e.into_inner())
}
