//! [`PooledVec`], the executor's result vector, and its hand-over to the IR as a [`Buffer`].

use super::mapping::RawAlloc;
use super::size_class::{size_class, HUGE_ALIGN, LARGE};
use super::{pool, thread_cache};
use rusttorch_ir::{Buffer, DType, Element, Error, Result};
use std::alloc::Layout;
use std::marker::PhantomData;

/// Alignment of small allocations: a cache line.
const SMALL_ALIGN: usize = 64;

/// Memory of `layout` (non-zero size): an idle allocation of the same size when there is one,
/// else a fresh, zeroed one.
fn allocate(layout: Layout) -> Result<RawAlloc> {
    let bytes = layout.size();
    if bytes as u64 > rusttorch_ir::buffer::physical_memory_bytes() {
        return Err(Error::OutOfMemory { bytes });
    }
    let reused = if bytes >= LARGE { pool::take(bytes) } else { thread_cache::take(layout) };
    match reused {
        Some(a) => Ok(a),
        None => RawAlloc::fresh(layout).ok_or(Error::OutOfMemory { bytes }),
    }
}

/// Gives `a` back for reuse: large allocations to the pool, small ones to this thread's cache.
fn release(a: RawAlloc) {
    if a.size() >= LARGE {
        pool::give(a);
    } else {
        thread_cache::give(a);
    }
}

/// A fixed-length vector whose memory comes from the pool (large) or this thread's cache
/// (small) and goes back there when dropped.
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
        if T::DTYPE == DType::Bool {
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

    /// The vector as a [`Buffer`], without copying; its memory comes back for reuse when the
    /// last handle is dropped, or through [`PooledVec::try_from_buffer`].
    pub fn into_buffer(mut self) -> Buffer {
        let (ptr, len) = (self.as_ptr() as *const u8, self.len);
        let owner = ErasedPooled { alloc: self.alloc.take(), len };
        // SAFETY: `ptr` points at the `len` initialised, aligned `T`s of `owner`'s allocation
        // (see the type docs), which lives, unmoved and unwritten while shared, as long as
        // `owner` does; `T::DTYPE` is their dtype.
        unsafe { Buffer::from_pooled(ptr, len, T::DTYPE, owner) }
    }

    /// The vector behind `b` when `b` came from [`PooledVec::into_buffer`] with elements of
    /// `T`'s dtype and is its only handle (buffer donation: the executor writes a result into
    /// memory nobody else can see); `b` back otherwise.
    pub fn try_from_buffer(b: Buffer) -> std::result::Result<PooledVec<T>, Buffer> {
        if b.dtype() != T::DTYPE {
            return Err(b);
        }
        // Same dtype, so the same element layout.
        let mut owner = b.try_into_owner::<ErasedPooled>()?;
        Ok(PooledVec { alloc: owner.alloc.take(), len: owner.len, _t: PhantomData })
    }
}

/// The owner a [`Buffer`] holds for a [`PooledVec`]: the allocation with its element type
/// erased (the buffer keeps the dtype), going back for reuse on drop. The default is empty.
#[derive(Default)]
struct ErasedPooled {
    alloc: Option<RawAlloc>,
    len: usize,
}

// SAFETY: shared access to an `ErasedPooled` reads no memory; the buffer holding it only hands
// out shared slices of the elements.
unsafe impl Sync for ErasedPooled {}

impl Drop for ErasedPooled {
    fn drop(&mut self) {
        if let Some(a) = self.alloc.take() {
            release(a);
        }
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

impl<T: std::fmt::Debug> std::fmt::Debug for PooledVec<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T> Drop for PooledVec<T> {
    fn drop(&mut self) {
        if let Some(a) = self.alloc.take() {
            release(a);
        }
    }
}
