//! Raw allocations: large ones mapped directly and huge-page advised, small ones from the heap.

use super::size_class::{HUGE_ALIGN, LARGE};
use std::alloc::Layout;
use std::ptr::NonNull;

/// A raw allocation; large ones (of a size class) are mapped and unmapped directly, so freeing
/// one returns its memory to the operating system at once.
pub(super) struct RawAlloc {
    pub(super) ptr: NonNull<u8>,
    pub(super) layout: Layout,
}

// SAFETY: a raw allocation is plain memory owned by whoever holds the `RawAlloc`.
unsafe impl Send for RawAlloc {}

impl RawAlloc {
    /// Fresh, zeroed memory of `layout` (non-zero size; large layouts are `HUGE_ALIGN`-aligned
    /// multiples of it), or `None` when the system has none.
    pub(super) fn fresh(layout: Layout) -> Option<RawAlloc> {
        let ptr = if layout.size() >= LARGE {
            map_large(layout)?
        } else {
            // SAFETY: the layout has non-zero size (callers never allocate zero bytes).
            NonNull::new(unsafe { std::alloc::alloc_zeroed(layout) })?
        };
        Some(RawAlloc { ptr, layout })
    }

    pub(super) fn size(&self) -> usize {
        self.layout.size()
    }

    pub(super) fn free(self) {
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
