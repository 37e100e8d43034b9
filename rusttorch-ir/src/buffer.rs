//! Immutable, shareable element storage: a Rust vector, an executor's allocation, or memory
//! borrowed from an external owner (a NumPy array), each kept alive as long as the buffer is.

use crate::{DType, Element, Error, Result};
use std::any::Any;
use std::fmt;
use std::ptr::NonNull;
use std::sync::Arc;

/// The shared part of a [`Buffer`]: where the elements are and what keeps them alive. `owner` is
/// unsized (`dyn Any`), so the owner lives inline in the one `Arc` allocation whatever its type.
struct Storage<O: ?Sized> {
    ptr: NonNull<u8>,
    len: usize,
    dtype: DType,
    /// Whether `owner` is an executor's allocation ([`Buffer::from_pooled`]) that it may take
    /// back, rather than user data.
    pooled: bool,
    owner: O,
}

// SAFETY: the storage is immutable once built and its owner is `Send + Sync`; the raw pointer
// is only ever read through shared slices.
unsafe impl<O: ?Sized + Send> Send for Storage<O> {}
// SAFETY: as above; no interior mutability.
unsafe impl<O: ?Sized + Sync> Sync for Storage<O> {}

/// A cheap-to-clone handle to immutable, contiguous elements of one dtype.
#[derive(Clone)]
pub struct Buffer(Arc<Storage<dyn Any + Send + Sync>>);

impl Buffer {
    /// Wraps a vector without copying.
    pub fn from_vec<T: Element>(v: Vec<T>) -> Buffer {
        // The elements stay where they are when the vector moves into the storage.
        let ptr = NonNull::new(v.as_ptr() as *mut u8).unwrap_or(NonNull::dangling());
        Buffer(Arc::new(Storage { ptr, len: v.len(), dtype: T::DTYPE, pooled: false, owner: v }))
    }

    /// Wraps memory an executor allocated and owns through `owner`: when the last handle is
    /// dropped, so is `owner` (which frees or recycles the memory), and while the buffer has a
    /// single handle the executor may take `owner` back ([`Buffer::try_into_owner`]) to write a
    /// new result into the memory (buffer donation).
    ///
    /// # Safety
    /// As [`Buffer::from_external`]: `ptr` must point to `len` initialised, properly aligned
    /// elements of `dtype` that stay valid and unmodified for as long as `owner` lives (and do
    /// not move when `owner` moves).
    pub unsafe fn from_pooled<O: Any + Send + Sync>(ptr: *const u8, len: usize, dtype: DType, owner: O) -> Buffer {
        let ptr = NonNull::new(ptr as *mut u8).unwrap_or(NonNull::dangling());
        Buffer(Arc::new(Storage { ptr, len, dtype, pooled: true, owner }))
    }

    /// Whether the memory is an executor's allocation ([`Buffer::from_pooled`]), which it can
    /// take over, not user data.
    pub fn is_pooled(&self) -> bool {
        self.0.pooled
    }

    /// Number of handles to this buffer.
    pub fn handle_count(&self) -> usize {
        Arc::strong_count(&self.0)
    }

    /// The owner given to [`Buffer::from_pooled`] when this is the buffer's only handle and the
    /// owner is an `O` (buffer donation: the executor writes a result into memory nobody else
    /// can see); the buffer back otherwise. The buffer's memory is then `O`'s alone.
    pub fn try_into_owner<O: Any + Default>(mut self) -> std::result::Result<O, Buffer> {
        if !self.0.pooled {
            return Err(self);
        }
        let Some(storage) = Arc::get_mut(&mut self.0) else { return Err(self) };
        let owner: &mut dyn Any = &mut storage.owner;
        match owner.downcast_mut::<O>() {
            // The storage, left with an empty owner, is dropped with `self`.
            Some(o) => Ok(std::mem::take(o)),
            None => Err(self),
        }
    }

    /// Wraps memory owned by `owner`.
    ///
    /// # Safety
    /// `ptr` must point to `len` initialised, properly aligned elements of `dtype` that stay
    /// valid and unmodified for as long as `owner` lives.
    pub unsafe fn from_external(ptr: *const u8, len: usize, dtype: DType, owner: Box<dyn Any + Send + Sync>) -> Buffer {
        let ptr = NonNull::new(ptr as *mut u8).unwrap_or(NonNull::dangling());
        Buffer(Arc::new(Storage { ptr, len, dtype, pooled: false, owner }))
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.0.len
    }

    /// Whether the buffer holds no elements.
    pub fn is_empty(&self) -> bool {
        self.0.len == 0
    }

    /// The element type.
    pub fn dtype(&self) -> DType {
        self.0.dtype
    }

    /// Address of the first element (for zero-copy checks and foreign views).
    pub fn as_ptr(&self) -> *const u8 {
        self.0.ptr.as_ptr()
    }

    /// Typed view of the elements.
    pub fn as_slice<T: Element>(&self) -> Result<&[T]> {
        if T::DTYPE != self.0.dtype {
            return Err(Error::DTypeMismatch { op: "as_slice", lhs: self.0.dtype, rhs: T::DTYPE });
        }
        if self.0.len == 0 {
            return Ok(&[]);
        }
        // SAFETY: dtype checked above; the constructor guarantees `len` valid, aligned,
        // immutable elements that live as long as the storage (owned by `self`).
        Ok(unsafe { std::slice::from_raw_parts(self.0.ptr.as_ptr() as *const T, self.0.len) })
    }

    /// Copies the elements out, converted to f64 (tests and reference evaluation).
    pub fn to_f64_vec(&self) -> Vec<f64> {
        crate::with_element!(self.dtype(), T => self.as_slice::<T>().unwrap().iter().map(|&x| x.to_f64()).collect())
    }

    /// Whether two handles share storage.
    pub fn ptr_eq(a: &Buffer, b: &Buffer) -> bool {
        Arc::ptr_eq(&a.0, &b.0)
    }
}

/// `Vec::with_capacity` that reports failure as [`Error::OutOfMemory`] instead of aborting.
pub fn try_vec_with_capacity<T>(len: usize) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| Error::OutOfMemory { bytes: len.saturating_mul(std::mem::size_of::<T>()) })?;
    Ok(v)
}

impl fmt::Debug for Buffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Buffer({} x {})", self.len(), self.dtype())
    }
}

/// A zero-filled vector of `len` elements, or an out-of-memory error.
///
/// Large allocations come straight from the zeroed-page allocator, so no pass is spent writing
/// zeros that a kernel will overwrite anyway.
pub fn try_zeroed_vec<T: Element>(len: usize) -> Result<Vec<T>> {
    let bytes = len.saturating_mul(std::mem::size_of::<T>());
    if len == 0 || std::mem::size_of::<T>() == 0 {
        return Ok(Vec::new());
    }
    let layout = std::alloc::Layout::array::<T>(len).map_err(|_| Error::OutOfMemory { bytes })?;
    if layout.size() > isize::MAX as usize / 2 || layout.size() as u64 > physical_memory_bytes() {
        return Err(Error::OutOfMemory { bytes });
    }
    // SAFETY: the layout has non-zero size (checked above).
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) } as *mut T;
    if ptr.is_null() {
        return Err(Error::OutOfMemory { bytes });
    }
    // SAFETY: `ptr` was allocated by the global allocator with the layout of `[T; len]`, and all
    // `Element` types (floats, ints, bool) are valid when all their bytes are zero.
    Ok(unsafe { Vec::from_raw_parts(ptr, len, len) })
}

/// Total physical memory (from `/proc/meminfo`; unlimited where it cannot be read). Requests
/// beyond it fail at once with [`Error::OutOfMemory`] instead of being overcommitted and
/// killing the process when touched.
pub fn physical_memory_bytes() -> u64 {
    static MEM: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *MEM.get_or_init(|| {
        std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|s| {
                let line = s.lines().find(|l| l.starts_with("MemTotal:"))?;
                let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
                Some(kb * 1024)
            })
            .unwrap_or(u64::MAX)
    })
}
