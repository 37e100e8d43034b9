//! The size classes large allocations are rounded to, so a freed buffer serves nearby sizes.

/// Allocations of at least this many bytes are huge-page advised and pooled.
pub const LARGE: usize = 1 << 20;

/// The huge-page size: large allocations are aligned to it and sized in multiples of it.
pub const HUGE_ALIGN: usize = 2 << 20;

/// The size class a large request of `bytes` is served from: `bytes` rounded up to a multiple
/// of `max(2 MiB, p / 4)`, where `p` is the largest power of two not above `bytes`. So there
/// are four classes per power of two from 8 MiB up (a freed 5.9 MiB buffer serves any request
/// of 4-6 MiB), and a request wastes less than `max(2 MiB, bytes / 4)`: at most 2 MiB below
/// 8 MiB, under 25 % above (12.5 % on average for sizes spread evenly).
pub fn size_class(bytes: usize) -> usize {
    if bytes <= HUGE_ALIGN {
        return HUGE_ALIGN;
    }
    let p = 1usize << (usize::BITS - 1 - bytes.leading_zeros());
    let step = (p / 4).max(HUGE_ALIGN);
    bytes.div_ceil(step).saturating_mul(step)
}
