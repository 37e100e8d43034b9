//! Large-buffer allocation: 2 MiB-aligned, huge-page-advised memory, recycled through a
//! process-wide size-class pool whose idle bytes are bounded.
//!
//! Writing into freshly mapped memory costs a page fault per 4 KiB page (about 4x slower than
//! writing into memory already mapped, measured on this machine kind: see DESIGN-NOTES). Large
//! result buffers are therefore returned to a pool when dropped and handed out again for the
//! next request of the same size class; fresh ones ask the kernel for transparent huge pages.
//! The pool keeps at most [`pool_limit`] bytes idle and gives the oldest buffers back to the
//! operating system beyond it, so a program evaluating tensors of ever-changing sizes holds its
//! live data plus the limit, never more. Small buffers are recycled per thread, so a small
//! evaluation neither calls the allocator nor zeroes its output.

use crate::{Element, Error, Result};
use std::alloc::Layout;
use std::collections::VecDeque;
use std::marker::PhantomData;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// Allocations of at least this many bytes are huge-page advised and pooled.
pub const LARGE: usize = 1 << 20;
/// The huge-page size: large allocations are aligned to it and sized in multiples of it.
const HUGE_ALIGN: usize = 2 << 20;
const SMALL_ALIGN: usize = 64;

/// Default bound on idle pooled bytes when the physical memory size is unknown, and its cap.
const DEFAULT_LIMIT_CAP: usize = 512 << 20;

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

/// The default bound on idle pooled bytes: `RUSTTORCH_POOL_LIMIT` (bytes) when set to a
/// number, else a thirty-second of physical memory, at most 512 MiB. That keeps the large
/// results of a loop over 64 MiB tensors (several per iteration) for reuse, while a program
/// never sits on more than about 3 % of the machine's memory it is not using.
fn default_limit() -> usize {
    if let Some(v) = std::env::var("RUSTTORCH_POOL_LIMIT").ok().and_then(|s| s.trim().parse::<usize>().ok()) {
        return v;
    }
    match crate::buffer::physical_memory_bytes() {
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

/// A raw allocation; large ones (of a size class) are mapped and unmapped directly, so freeing
/// one returns its memory to the operating system at once.
struct RawAlloc {
    ptr: NonNull<u8>,
    layout: Layout,
}

// SAFETY: a raw allocation is plain memory owned by whoever holds the `RawAlloc`.
unsafe impl Send for RawAlloc {}

impl RawAlloc {
    fn size(&self) -> usize {
        self.layout.size()
    }

    fn free(self) {
        if self.layout.size() >= LARGE {
            unmap_large(self.ptr, self.layout);
        } else {
            // SAFETY: `ptr` was returned by `std::alloc::alloc_zeroed` with exactly `layout`.
            unsafe { std::alloc::dealloc(self.ptr.as_ptr(), self.layout) }
        }
    }
}

/// Fresh, zeroed, `HUGE_ALIGN`-aligned memory of `layout.size()` bytes (a multiple of
/// `HUGE_ALIGN`), advised for transparent huge pages.
#[cfg(target_os = "linux")]
fn map_large(layout: Layout) -> Option<NonNull<u8>> {
    let bytes = layout.size();
    let len = bytes.checked_add(HUGE_ALIGN)?;
    // SAFETY: an anonymous private mapping has no preconditions; failure is MAP_FAILED.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return None;
    }
    let start = p as usize;
    let aligned = start.next_multiple_of(HUGE_ALIGN);
    let (head, tail) = (aligned - start, start + len - (aligned + bytes));
    // SAFETY: both ranges lie inside the mapping just made and outside the part we keep; the
    // advice only changes how the kernel backs the kept range and may fail harmlessly.
    unsafe {
        if head > 0 {
            libc::munmap(p, head);
        }
        if tail > 0 {
            libc::munmap((aligned + bytes) as *mut libc::c_void, tail);
        }
        libc::madvise(aligned as *mut libc::c_void, bytes, libc::MADV_HUGEPAGE);
    }
    NonNull::new(aligned as *mut u8)
}

#[cfg(target_os = "linux")]
fn unmap_large(ptr: NonNull<u8>, layout: Layout) {
    // SAFETY: `ptr..ptr + size` is exactly the range `map_large` kept, and nothing uses it any
    // more (its `RawAlloc` is being consumed).
    unsafe { libc::munmap(ptr.as_ptr() as *mut libc::c_void, layout.size()) };
}

#[cfg(not(target_os = "linux"))]
fn map_large(layout: Layout) -> Option<NonNull<u8>> {
    // SAFETY: the layout has non-zero size.
    NonNull::new(unsafe { std::alloc::alloc_zeroed(layout) })
}

#[cfg(not(target_os = "linux"))]
fn unmap_large(ptr: NonNull<u8>, layout: Layout) {
    // SAFETY: `ptr` was returned by `std::alloc::alloc_zeroed` with exactly `layout`.
    unsafe { std::alloc::dealloc(ptr.as_ptr(), layout) }
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

fn pool() -> std::sync::MutexGuard<'static, Pool> {
    POOL.lock().unwrap_or_else(|e| e.into_inner())
}

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
    static SMALL: std::cell::RefCell<SmallCache> = const { std::cell::RefCell::new(SmallCache(Vec::new())) };
}

/// A cached small allocation of exactly `layout`, if this thread has one.
fn take_small(layout: Layout) -> Option<RawAlloc> {
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
fn give_small(a: RawAlloc) {
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

/// Bytes currently idle in the pool (for tests and diagnostics).
pub fn pooled_bytes() -> usize {
    pool().bytes
}

/// Frees every idle pooled allocation.
pub fn release_pool() {
    let evicted = pool().trim(0);
    drop(evicted);
}

fn give(a: RawAlloc) {
    let limit = pool_limit();
    let evicted = pool().give(a, limit);
    drop(evicted);
}

fn allocate(layout: Layout) -> Result<RawAlloc> {
    let bytes = layout.size();
    if bytes as u64 > crate::buffer::physical_memory_bytes() {
        return Err(Error::OutOfMemory { bytes });
    }
    if bytes >= LARGE {
        if let Some(a) = pool().take(bytes) {
            return Ok(a);
        }
        let ptr = map_large(layout).ok_or(Error::OutOfMemory { bytes })?;
        return Ok(RawAlloc { ptr, layout });
    }
    if let Some(a) = take_small(layout) {
        return Ok(a);
    }
    // SAFETY: the layout has non-zero size (callers never allocate zero bytes).
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) };
    let ptr = NonNull::new(ptr).ok_or(Error::OutOfMemory { bytes })?;
    Ok(RawAlloc { ptr, layout })
}

/// A fixed-length vector whose memory comes from the allocator below (`allocate`) and goes back to the pool.
///
/// Its elements are always initialised: zeroed when fresh, the previous contents when recycled
/// (every bit pattern is a valid value of the numeric element types; `bool` is re-zeroed).
pub struct PooledVec<T> {
    alloc: Option<RawAlloc>,
    len: usize,
    _t: PhantomData<T>,
}

// SAFETY: owns its memory exclusively, like a `Vec<T>`.
unsafe impl<T: Send> Send for PooledVec<T> {}
// SAFETY: shared access only hands out `&[T]`.
unsafe impl<T: Sync> Sync for PooledVec<T> {}

impl<T: Element> PooledVec<T> {
    /// `len` elements (see the type docs for their initial values).
    pub fn new(len: usize) -> Result<PooledVec<T>> {
        let size = std::mem::size_of::<T>();
        if len == 0 || size == 0 {
            return Ok(PooledVec { alloc: None, len, _t: PhantomData });
        }
        let bytes = len.checked_mul(size).ok_or(Error::OutOfMemory { bytes: usize::MAX })?;
        // Large requests are served from their size class (the vector uses the first `bytes`).
        let (size, align) = match bytes >= LARGE {
            true => (size_class(bytes), HUGE_ALIGN),
            false => (bytes, SMALL_ALIGN.max(std::mem::align_of::<T>())),
        };
        let layout = Layout::from_size_align(size, align).map_err(|_| Error::OutOfMemory { bytes })?;
        let a = allocate(layout)?;
        if T::DTYPE == crate::DType::Bool {
            // SAFETY: the allocation holds `bytes` writable bytes.
            unsafe { std::ptr::write_bytes(a.ptr.as_ptr(), 0, bytes) };
        }
        Ok(PooledVec { alloc: Some(a), len, _t: PhantomData })
    }

    /// A vector holding a copy of `data`.
    pub fn from_slice(data: &[T]) -> Result<PooledVec<T>> {
        let mut v = PooledVec::new(data.len())?;
        v.copy_from_slice(data);
        Ok(v)
    }
}

impl<T> PooledVec<T> {
    /// The allocation with its element type erased (a [`crate::Buffer`] keeps it, with the
    /// dtype beside it); [`ErasedPooled::into_typed`] gives the vector back.
    pub(crate) fn erase(mut self) -> ErasedPooled {
        ErasedPooled { alloc: self.alloc.take(), len: self.len }
    }
}

/// A [`PooledVec`] whose element type is erased; its memory goes back to the pool on drop.
pub(crate) struct ErasedPooled {
    alloc: Option<RawAlloc>,
    len: usize,
}

impl ErasedPooled {
    /// The vector back as `T`s. The caller checks that `T` is the erased element type (or one
    /// of the same layout, such as `i32` for `Wrapping<i32>`).
    pub(crate) fn into_typed<T>(mut self) -> PooledVec<T> {
        PooledVec { alloc: self.alloc.take(), len: self.len, _t: PhantomData }
    }
}

impl Drop for ErasedPooled {
    fn drop(&mut self) {
        drop(PooledVec::<u8> { alloc: self.alloc.take(), len: 0, _t: PhantomData });
    }
}

impl<T> std::ops::Deref for PooledVec<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        match &self.alloc {
            // SAFETY: the allocation holds `len` initialised, aligned `T`s (see type docs).
            Some(a) => unsafe { std::slice::from_raw_parts(a.ptr.as_ptr() as *const T, self.len) },
            None => &[],
        }
    }
}

impl<T> std::ops::DerefMut for PooledVec<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        match &self.alloc {
            // SAFETY: as above, and `&mut self` makes this the only reference.
            Some(a) => unsafe { std::slice::from_raw_parts_mut(a.ptr.as_ptr() as *mut T, self.len) },
            None => &mut [],
        }
    }
}

impl<T> Drop for PooledVec<T> {
    fn drop(&mut self) {
        if let Some(a) = self.alloc.take() {
            if a.layout.size() >= LARGE {
                give(a);
            } else {
                give_small(a);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tests that change the process-wide limit or count pooled bytes run one at a time.
    static GLOBAL: Mutex<()> = Mutex::new(());

    fn raw(size: usize) -> RawAlloc {
        let layout = Layout::from_size_align(size, HUGE_ALIGN).unwrap();
        RawAlloc { ptr: map_large(layout).unwrap(), layout }
    }

    const MIB: usize = 1 << 20;

    #[test]
    fn size_classes_round_to_huge_pages_and_quarter_powers_of_two() {
        assert_eq!(size_class(LARGE), 2 * MIB);
        assert_eq!(size_class(2 * MIB + 1), 4 * MIB);
        assert_eq!(size_class(7 * MIB), 8 * MIB);
        assert_eq!(size_class(9 * MIB), 10 * MIB);
        assert_eq!(size_class(17 * MIB), 20 * MIB);
        assert_eq!(size_class(64 * MIB), 64 * MIB);
        assert_eq!(size_class(64 * MIB + 1), 80 * MIB);
        for bytes in (LARGE..1 << 32).step_by(999_983) {
            let c = size_class(bytes);
            assert!(c >= bytes && c.is_multiple_of(HUGE_ALIGN), "{bytes} -> {c}");
            assert!(c - bytes < (bytes / 4).max(HUGE_ALIGN), "{bytes} wastes {}", c - bytes);
        }
    }

    #[test]
    fn the_pool_keeps_within_its_limit_and_evicts_the_oldest() {
        let mut p = Pool::new();
        let (a, b, c) = (raw(4 * MIB), raw(6 * MIB), raw(8 * MIB));
        let (pa, pc) = (a.ptr, c.ptr);
        assert!(p.give(a, 16 * MIB).0.is_empty());
        assert!(p.give(b, 16 * MIB).0.is_empty());
        assert_eq!(p.bytes, 10 * MIB);
        // 18 MiB would exceed 16: the oldest (the 4 MiB one) goes.
        let out = p.give(c, 16 * MIB);
        assert_eq!(out.0.iter().map(|a| a.ptr).collect::<Vec<_>>(), [pa]);
        assert_eq!((p.bytes, p.free.len()), (14 * MIB, 2));
        // A buffer larger than the limit is never kept.
        let big = p.give(raw(32 * MIB), 16 * MIB);
        assert_eq!((big.0.len(), p.bytes), (1, 14 * MIB));
        // Lowering the limit frees the oldest until the rest fits.
        let out = p.trim(9 * MIB);
        assert_eq!((out.0.len(), p.bytes), (1, 8 * MIB));
        assert_eq!(p.take(8 * MIB).map(|a| a.ptr), Some(pc));
        assert_eq!(p.bytes, 0);
        // A zero limit keeps nothing.
        assert_eq!(p.give(raw(2 * MIB), 0).0.len(), 1);
        assert!(p.free.is_empty());
    }

    #[test]
    fn a_freed_buffer_serves_nearby_sizes_and_the_global_limit_holds() {
        let _g = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
        let old = pool_limit();
        set_pool_limit(64 * MIB);
        release_pool();
        // 5.0 and 5.9 MiB of f32 share the 6 MiB class.
        let v = PooledVec::<f32>::new(5 * MIB / 4).unwrap();
        let p = v.as_ptr();
        drop(v);
        assert_eq!(pooled_bytes(), 6 * MIB);
        let w = PooledVec::<f32>::new(59 * MIB / 40).unwrap();
        assert_eq!(w.as_ptr(), p, "a nearby size reuses the freed buffer");
        assert_eq!(pooled_bytes(), 0);
        drop(w);
        // Varying sizes never hold more than the limit idle.
        for i in 0..40usize {
            let n = (MIB + i * 997_001 % (7 * MIB)) / 4;
            drop(PooledVec::<f32>::new(n).unwrap());
            assert!(pooled_bytes() <= 64 * MIB);
        }
        set_pool_limit(10 * MIB);
        assert!(pooled_bytes() <= 10 * MIB, "lowering the limit frees idle buffers");
        set_pool_limit(0);
        assert_eq!(pooled_bytes(), 0);
        drop(PooledVec::<f32>::new(MIB).unwrap());
        assert_eq!(pooled_bytes(), 0, "a zero limit disables pooling");
        set_pool_limit(old);
    }

    #[test]
    fn large_buffers_are_recycled() {
        let _g = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
        let n = (LARGE / 4) * 3 + 5;
        let v = PooledVec::<f32>::new(n).unwrap();
        let p = v.as_ptr();
        drop(v);
        let w = PooledVec::<f32>::new(n).unwrap();
        assert_eq!(w.as_ptr(), p, "same-size request reuses the pooled allocation");
        assert_eq!(w.len(), n);
    }

    #[test]
    fn the_most_recently_freed_buffer_comes_back_first() {
        // Its lines are the likeliest to be cached: a loop whose result is dropped before the
        // next call keeps writing into the same memory.
        let _g = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
        let n = (LARGE / 4) * 5 + 3;
        let (a, b) = (PooledVec::<f32>::new(n).unwrap(), PooledVec::<f32>::new(n).unwrap());
        let (pa, pb) = (a.as_ptr(), b.as_ptr());
        drop(a);
        drop(b);
        for _ in 0..3 {
            let v = PooledVec::<f32>::new(n).unwrap();
            assert_eq!(v.as_ptr(), pb);
            drop(v);
        }
        let (v, w) = (PooledVec::<f32>::new(n).unwrap(), PooledVec::<f32>::new(n).unwrap());
        assert_eq!((v.as_ptr(), w.as_ptr()), (pb, pa));
    }

    #[test]
    fn small_buffers_are_recycled_per_thread_and_bools_rezeroed() {
        let v = PooledVec::<f32>::from_slice(&[1.0; 1000]).unwrap();
        let p = v.as_ptr();
        drop(v);
        let w = PooledVec::<f32>::new(1000).unwrap();
        assert_eq!(w.as_ptr(), p, "same-size request on the same thread reuses the allocation");
        drop(w);
        let b = PooledVec::<bool>::new(4000).unwrap();
        assert!(b.iter().all(|&x| !x), "a recycled allocation is zeroed again for bools");
    }

    #[test]
    fn absurd_requests_fail_cleanly() {
        assert!(matches!(PooledVec::<f32>::new(usize::MAX / 2), Err(Error::OutOfMemory { .. })));
        assert!(matches!(PooledVec::<f64>::new(1 << 50), Err(Error::OutOfMemory { .. })));
    }
}
