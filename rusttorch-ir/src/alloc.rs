//! Large-buffer allocation: 2 MiB-aligned, huge-page-advised memory, recycled through a
//! process-wide size-class pool.
//!
//! Writing into freshly mapped memory costs a page fault per 4 KiB page (about 4x slower than
//! writing into memory already mapped, measured on this machine kind: see DESIGN-NOTES). Large
//! result buffers are therefore returned to a pool when dropped and handed out again for the
//! next request of the same size; fresh ones ask the kernel for transparent huge pages. Small
//! buffers are recycled per thread, so a small evaluation neither calls the allocator nor zeroes
//! its output.

use crate::{Element, Error, Result};
use std::alloc::Layout;
use std::marker::PhantomData;
use std::ptr::NonNull;
use std::sync::Mutex;

/// Allocations of at least this many bytes are huge-page advised and pooled.
pub const LARGE: usize = 1 << 20;
const HUGE_ALIGN: usize = 2 << 20;
const SMALL_ALIGN: usize = 64;

/// Bytes the pool may keep idle.
fn pool_capacity() -> usize {
    (crate::buffer::physical_memory_bytes() / 8).min(4 << 30) as usize
}

struct RawAlloc {
    ptr: NonNull<u8>,
    layout: Layout,
}

// SAFETY: a raw allocation is plain memory owned by whoever holds the `RawAlloc`.
unsafe impl Send for RawAlloc {}

impl RawAlloc {
    fn free(self) {
        // SAFETY: `ptr` was returned by `std::alloc::alloc_zeroed` with exactly `layout`.
        unsafe { std::alloc::dealloc(self.ptr.as_ptr(), self.layout) }
    }
}

struct Pool {
    free: Vec<RawAlloc>,
    bytes: usize,
}

static POOL: Mutex<Pool> = Mutex::new(Pool { free: Vec::new(), bytes: 0 });

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
    let mut p = pool();
    p.bytes = 0;
    for a in p.free.drain(..) {
        a.free();
    }
}

fn take(layout: Layout) -> Option<RawAlloc> {
    let mut p = pool();
    // The most recently freed first: its lines are the likeliest to be still cached.
    let i = p.free.iter().rposition(|a| a.layout == layout)?;
    let a = p.free.remove(i);
    p.bytes -= a.layout.size();
    Some(a)
}

fn give(a: RawAlloc) {
    let cap = pool_capacity();
    let mut p = pool();
    if p.bytes + a.layout.size() > cap {
        drop(p);
        a.free();
        return;
    }
    p.bytes += a.layout.size();
    p.free.push(a);
}

fn allocate(layout: Layout) -> Result<RawAlloc> {
    let bytes = layout.size();
    if bytes as u64 > crate::buffer::physical_memory_bytes() {
        return Err(Error::OutOfMemory { bytes });
    }
    if bytes >= LARGE {
        if let Some(a) = take(layout) {
            return Ok(a);
        }
    } else if let Some(a) = take_small(layout) {
        return Ok(a);
    }
    // SAFETY: the layout has non-zero size (callers never allocate zero bytes).
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) };
    let ptr = NonNull::new(ptr).ok_or(Error::OutOfMemory { bytes })?;
    #[cfg(target_os = "linux")]
    if bytes >= LARGE {
        // SAFETY: the range is a live allocation we own, 2 MiB aligned; the advice only
        // changes how the kernel backs it (huge pages where available) and may fail harmlessly.
        unsafe {
            libc::madvise(ptr.as_ptr() as *mut libc::c_void, bytes, libc::MADV_HUGEPAGE);
        }
    }
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
        let align = if bytes >= LARGE { HUGE_ALIGN } else { SMALL_ALIGN.max(std::mem::align_of::<T>()) };
        let layout = Layout::from_size_align(bytes, align).map_err(|_| Error::OutOfMemory { bytes })?;
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

    #[test]
    fn large_buffers_are_recycled() {
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
