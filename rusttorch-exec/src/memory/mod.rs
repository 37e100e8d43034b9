//! Result memory of the executor: large buffers 2 MiB-aligned, huge-page advised and recycled
//! through a process-wide size-class pool whose idle bytes are bounded; small ones per thread.
//!
//! Writing into freshly mapped memory costs a page fault per 4 KiB page, which halved W1's speed
//! before the pool (docs/architecture.md, "Memory"). Large result buffers therefore go back to a
//! pool when dropped and are handed out again for the next request of the same size class;
//! fresh ones ask the kernel for transparent huge pages. The pool keeps at most [`pool_limit`]
//! bytes idle and gives the oldest buffers back to the operating system beyond it, so a program
//! evaluating tensors of ever-changing sizes holds its live data plus the limit, never more.
//! Small buffers are recycled per thread, so a small evaluation neither calls the allocator nor
//! zeroes its output.
//!
//! Imports run one way: [`PooledVec`] (`pooled_vec`) routes requests to the pool (`pool`) or the
//! thread cache (`thread_cache`), both of which hold `mapping`'s raw allocations.

mod mapping;
mod pool;
mod pooled_vec;
mod size_class;
mod thread_cache;

pub use pool::{pool_limit, pooled_bytes, set_pool_limit};
pub use pooled_vec::PooledVec;
pub use size_class::{size_class, HUGE_ALIGN, LARGE};
