//! Writing kernel outputs: the shared output pointer, streaming stores and their fence.

use super::isa::has_avx2_fma;

/// A raw output pointer shared by tasks that write disjoint ranges.
#[derive(Clone, Copy)]
pub(crate) struct OutPtr<T> {
    ptr: *mut T,
    len: usize,
}

// SAFETY: tasks write disjoint index ranges of the output (each block/row/tile is owned by one
// task), and the buffer outlives the parallel loop that writes it.
unsafe impl<T: Send> Send for OutPtr<T> {}
// SAFETY: as above: no two tasks touch the same element.
unsafe impl<T: Send> Sync for OutPtr<T> {}

impl<T: Copy> OutPtr<T> {
    pub(crate) fn new(v: &mut [T]) -> OutPtr<T> {
        OutPtr { ptr: v.as_mut_ptr(), len: v.len() }
    }

    /// The first element's address, for compiled code writing the whole output.
    pub(crate) fn as_ptr(&self) -> *mut T {
        self.ptr
    }

    #[inline(always)]
    pub(super) fn write(&self, start: usize, src: &[T]) {
        assert!(start + src.len() <= self.len, "store out of bounds");
        // SAFETY: in bounds (checked above); the range belongs to the calling task only. `copy`
        // (memmove) because a register may alias the same memory (an in-place epilogue).
        unsafe { std::ptr::copy(src.as_ptr(), self.ptr.add(start), src.len()) }
    }

    /// The `len` elements from `start`, for a task to compute its own range in place.
    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    pub(super) fn slice_mut(&self, start: usize, len: usize) -> &mut [T] {
        assert!(start + len <= self.len, "store out of bounds");
        // SAFETY: in bounds (checked above); the range belongs to the calling task only, and
        // nothing else reads or writes it while the returned slice lives (one block's program).
        unsafe { std::slice::from_raw_parts_mut(self.ptr.add(start), len) }
    }

    /// Element `at`, for a task that owns it (a scatter reading what it combines with).
    #[inline(always)]
    pub(super) fn get(&self, at: usize) -> T {
        assert!(at < self.len, "read out of bounds");
        // SAFETY: in bounds (checked above); the element belongs to the calling task only.
        unsafe { *self.ptr.add(at) }
    }

    /// Sets element `at`, which the calling task owns (a scatter's write).
    #[inline(always)]
    pub(super) fn set(&self, at: usize, v: T) {
        assert!(at < self.len, "store out of bounds");
        // SAFETY: in bounds (checked above); the element belongs to the calling task only.
        unsafe { *self.ptr.add(at) = v }
    }

    /// A pointer to `len` elements from `start`, for reading a range this task owns before it
    /// writes it (a donated input).
    #[inline(always)]
    pub(super) fn read_ptr(&self, start: usize, len: usize) -> *const T {
        assert!(start + len <= self.len, "read out of bounds");
        // SAFETY: in bounds (checked above).
        unsafe { self.ptr.add(start) }
    }

    /// Writes `N` elements (a fixed-size copy the compiler inlines: a full tile row).
    #[inline(always)]
    pub(super) fn write_n<const N: usize>(&self, start: usize, src: &[T; N]) {
        assert!(start + N <= self.len, "store out of bounds");
        // SAFETY: in bounds (checked above); the range belongs to the calling task only.
        unsafe { (self.ptr.add(start) as *mut [T; N]).write_unaligned(*src) }
    }

    /// Writes `src` from `start` with non-temporal stores for its 32-byte aligned middle and
    /// plain stores for the unaligned ends (plain stores throughout without AVX2). The writing
    /// task must end with [`store_fence`].
    #[inline(always)]
    pub(super) fn stream(&self, start: usize, src: &[T]) {
        assert!(start + src.len() <= self.len, "store out of bounds");
        let size = std::mem::size_of::<T>();
        let dst = self.ptr.wrapping_add(start);
        if size == 0 || 32 % size != 0 || !has_avx2_fma() {
            return self.write(start, src);
        }
        // Elements before the first 32-byte boundary, then whole 32-byte chunks.
        let head = ((32 - dst as usize % 32) % 32 / size).min(src.len());
        let body = (src.len() - head) / (32 / size) * (32 / size);
        self.write(start, &src[..head]);
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `head..head + body` is in bounds (checked above) and starts 32-byte aligned
        // (`dst` is `size`-aligned, so `head` elements reach the boundary exactly); `body * size` is
        // a multiple of 32; the range belongs to the calling task only; the CPU has AVX2
        // (checked). Source and destination do not overlap: the source is a register or an input
        // other than the output (callers do not stream into a donated input).
        unsafe {
            stream_bytes(src.as_ptr().add(head) as *const u8, dst.add(head) as *mut u8, body * size)
        };
        self.write(start + head + body, &src[head + body..]);
    }

    #[inline(always)]
    pub(super) fn fill(&self, start: usize, len: usize, v: T) {
        assert!(start + len <= self.len, "store out of bounds");
        // SAFETY: in bounds (checked above); the range belongs to the calling task only.
        let s = unsafe { std::slice::from_raw_parts_mut(self.ptr.add(start), len) };
        s.fill(v);
    }
}

/// Copies `bytes` (a multiple of 32) from `src` to the 32-byte aligned `dst` with non-temporal
/// stores.
///
/// # Safety
/// The CPU has AVX2; both ranges are valid; `dst` is 32-byte aligned.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn stream_bytes(src: *const u8, dst: *mut u8, bytes: usize) {
    use std::arch::x86_64::*;
    for i in (0..bytes).step_by(32) {
        _mm256_stream_si256(dst.add(i) as *mut __m256i, _mm256_loadu_si256(src.add(i) as *const __m256i));
    }
}

/// Orders this thread's earlier non-temporal stores before its later stores (so whoever syncs
/// with the task afterwards sees them).
#[inline(always)]
pub(crate) fn store_fence() {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `sfence` only orders stores; SSE is baseline on x86_64.
    unsafe {
        std::arch::x86_64::_mm_sfence()
    }
}

/// Copies `src` into `dst[start..]` with the streamed (non-temporal) stores wide outputs use,
/// fenced: exposed for the tests of their alignment edge cases.
#[doc(hidden)]
pub fn stream_copy<T: Copy>(dst: &mut [T], start: usize, src: &[T]) {
    OutPtr::new(dst).stream(start, src);
    store_fence();
}
