//! The typed inputs and outputs a kernel runs on.

use super::access::Access;
use super::indexed::BadIndex;
use super::stores::OutPtr;
use crate::memory::PooledVec;
use crate::num::{Num, Src};
use half::slice::HalfFloatSliceExt;
use half::{bf16, f16};
use rusttorch_ir::half;
use rusttorch_ir::plan::{Donor, KernelInput};
use rusttorch_ir::{Buffer, DType, Element, Result};
use smallvec::SmallVec;
use std::num::Wrapping;

/// Everything a kernel reads and writes, typed.
pub(crate) struct KernelIo<'a, T> {
    pub inputs: SmallVec<[&'a [T]; 4]>,
    pub access: &'a [Access],
    pub outputs: SmallVec<[OutPtr<T>; 2]>,
    /// The kernel's inputs (their layouts).
    pub layouts: &'a [KernelInput],
    /// The inputs whose buffers are outputs (buffer donation, at most one per output): their
    /// `inputs` entries are empty and they are read through the outputs' pointers,
    /// contiguously, each block before it is written.
    pub donors: SmallVec<[Donor; 1]>,
    /// Per input, the int indices of a gather's index input as int64 (empty for the others,
    /// whose `inputs` entry is empty instead).
    pub indices: SmallVec<[&'a [Wrapping<i64>]; 4]>,
    /// The first out-of-range index a gather of the kernel met.
    pub bad_index: BadIndex,
    /// Per input, a storage-dtype buffer converted block by block as it is loaded (its
    /// `inputs` entry is empty): only for contiguous inputs of elementwise (`Map`) kernels.
    pub narrow: SmallVec<[Option<NarrowIn<'a>>; 4]>,
    /// Per output, a storage-dtype output written block by block in its own width (its
    /// `outputs` entry is empty): only for elementwise (`Map`) kernels.
    pub narrow_out: SmallVec<[Option<NarrowOut>; 2]>,
}

impl<T> KernelIo<'_, T> {
    /// The output whose buffer input `input` was donated to, if it was.
    #[inline]
    pub(crate) fn donated_to(&self, input: u16) -> Option<usize> {
        self.donors.iter().find(|d| d.input == input).map(|d| d.output as usize)
    }
}

/// A storage-dtype output (int8 ... float16) that the VM converts into at each store.
#[derive(Clone, Copy)]
pub(crate) enum NarrowOut {
    I8(OutPtr<i8>),
    I16(OutPtr<i16>),
    U8(OutPtr<u8>),
    U16(OutPtr<u16>),
    U32(OutPtr<u32>),
    F16(OutPtr<f16>),
    BF16(OutPtr<bf16>),
}

impl NarrowOut {
    /// Stores `len` values of `v` at `start`, converted by the cast rule (floats rounded once
    /// to nearest even, ints wrapped).
    #[inline]
    pub(crate) fn store<T: Num>(self, start: usize, len: usize, v: Src<'_, T>) {
        fn conv<T: Num, S: Element>(out: OutPtr<S>, start: usize, len: usize, v: Src<'_, T>) {
            let d = out.slice_mut(start, len);
            let one = |x: T| if T::FLOAT { S::from_f64(x.to_f64()) } else { S::from_i64(x.to_i64()) };
            match v {
                Src::Slice(v) => d.iter_mut().zip(v).for_each(|(d, &x)| *d = one(x)),
                Src::Scalar(x) => d.fill(one(x)),
            }
        }
        match (self, v) {
            (NarrowOut::F16(o), Src::Slice(v)) if T::DTYPE == DType::F32 => {
                o.slice_mut(start, len).convert_from_f32_slice(same::<T, f32>(v).expect("float32"))
            }
            (NarrowOut::BF16(o), Src::Slice(v)) if T::DTYPE == DType::F32 => {
                o.slice_mut(start, len).convert_from_f32_slice(same::<T, f32>(v).expect("float32"))
            }
            (NarrowOut::I8(o), v) => conv(o, start, len, v),
            (NarrowOut::I16(o), v) => conv(o, start, len, v),
            (NarrowOut::U8(o), v) => conv(o, start, len, v),
            (NarrowOut::U16(o), v) => conv(o, start, len, v),
            (NarrowOut::U32(o), v) => conv(o, start, len, v),
            (NarrowOut::F16(o), v) => conv(o, start, len, v),
            (NarrowOut::BF16(o), v) => conv(o, start, len, v),
        }
    }
}

/// The memory of a storage-dtype output while its kernel runs.
pub(crate) enum NarrowVec {
    I8(PooledVec<i8>),
    I16(PooledVec<i16>),
    U8(PooledVec<u8>),
    U16(PooledVec<u16>),
    U32(PooledVec<u32>),
    F16(PooledVec<f16>),
    BF16(PooledVec<bf16>),
}

impl NarrowVec {
    /// `len` elements of `dtype`, when it is a storage dtype.
    pub(crate) fn new(dtype: DType, len: usize) -> Result<Option<NarrowVec>> {
        Ok(Some(match dtype {
            DType::I8 => NarrowVec::I8(PooledVec::new(len)?),
            DType::I16 => NarrowVec::I16(PooledVec::new(len)?),
            DType::U8 => NarrowVec::U8(PooledVec::new(len)?),
            DType::U16 => NarrowVec::U16(PooledVec::new(len)?),
            DType::U32 => NarrowVec::U32(PooledVec::new(len)?),
            DType::F16 => NarrowVec::F16(PooledVec::new(len)?),
            DType::BF16 => NarrowVec::BF16(PooledVec::new(len)?),
            _ => return Ok(None),
        }))
    }

    /// The pointer tasks store through.
    pub(crate) fn out(&mut self) -> NarrowOut {
        match self {
            NarrowVec::I8(v) => NarrowOut::I8(OutPtr::new(v)),
            NarrowVec::I16(v) => NarrowOut::I16(OutPtr::new(v)),
            NarrowVec::U8(v) => NarrowOut::U8(OutPtr::new(v)),
            NarrowVec::U16(v) => NarrowOut::U16(OutPtr::new(v)),
            NarrowVec::U32(v) => NarrowOut::U32(OutPtr::new(v)),
            NarrowVec::F16(v) => NarrowOut::F16(OutPtr::new(v)),
            NarrowVec::BF16(v) => NarrowOut::BF16(OutPtr::new(v)),
        }
    }

    /// The finished output as a buffer.
    pub(crate) fn into_buffer(self) -> Buffer {
        match self {
            NarrowVec::I8(v) => v.into_buffer(),
            NarrowVec::I16(v) => v.into_buffer(),
            NarrowVec::U8(v) => v.into_buffer(),
            NarrowVec::U16(v) => v.into_buffer(),
            NarrowVec::U32(v) => v.into_buffer(),
            NarrowVec::F16(v) => v.into_buffer(),
            NarrowVec::BF16(v) => v.into_buffer(),
        }
    }
}

/// A stored input of a storage dtype (int8 ... float16), read in its own width and converted
/// into the kernel's compute type per block, so it is never widened in memory.
#[derive(Clone, Copy)]
pub(crate) enum NarrowIn<'a> {
    I8(&'a [i8]),
    I16(&'a [i16]),
    U8(&'a [u8]),
    U16(&'a [u16]),
    U32(&'a [u32]),
    F16(&'a [f16]),
    BF16(&'a [bf16]),
}

impl<'a> NarrowIn<'a> {
    /// The buffer's elements, when its dtype is a storage dtype.
    pub(crate) fn of(b: &'a Buffer) -> Option<NarrowIn<'a>> {
        Some(match b.dtype() {
            DType::I8 => NarrowIn::I8(b.as_slice().ok()?),
            DType::I16 => NarrowIn::I16(b.as_slice().ok()?),
            DType::U8 => NarrowIn::U8(b.as_slice().ok()?),
            DType::U16 => NarrowIn::U16(b.as_slice().ok()?),
            DType::U32 => NarrowIn::U32(b.as_slice().ok()?),
            DType::F16 => NarrowIn::F16(b.as_slice().ok()?),
            DType::BF16 => NarrowIn::BF16(b.as_slice().ok()?),
            _ => return None,
        })
    }

    /// Elements `start..start + dst.len()` converted into `dst` by the cast rule.
    #[inline]
    pub(crate) fn load<T: Num>(self, start: usize, dst: &mut [T]) {
        let r = start..start + dst.len();
        fn ints<S: Element, T: Num>(src: &[S], dst: &mut [T]) {
            dst.iter_mut().zip(src).for_each(|(d, &s)| *d = T::from_i64(s.to_i64()));
        }
        match self {
            NarrowIn::I8(v) => ints(&v[r], dst),
            NarrowIn::I16(v) => ints(&v[r], dst),
            NarrowIn::U8(v) => ints(&v[r], dst),
            NarrowIn::U16(v) => ints(&v[r], dst),
            NarrowIn::U32(v) => ints(&v[r], dst),
            NarrowIn::F16(v) => match same_mut::<T, f32>(dst) {
                Some(d) => v[r].convert_to_f32_slice(d),
                None => dst.iter_mut().zip(&v[r]).for_each(|(d, s)| *d = T::from_f64(s.to_f64())),
            },
            NarrowIn::BF16(v) => match same_mut::<T, f32>(dst) {
                Some(d) => v[r].convert_to_f32_slice(d),
                None => dst.iter_mut().zip(&v[r]).for_each(|(d, s)| *d = T::from_f64(s.to_f64())),
            },
        }
    }
}

/// `v` reinterpreted as `[U]`, when `T` is `U` (checked by dtype: each dtype has one element type).
pub(crate) fn same<T: Element, U: Element>(v: &[T]) -> Option<&[U]> {
    // SAFETY: equal dtypes mean equal element types (`Element` is implemented once per dtype),
    // so the slice is a valid `[U]` of the same length.
    (T::DTYPE == U::DTYPE).then(|| unsafe { std::slice::from_raw_parts(v.as_ptr() as *const U, v.len()) })
}

/// Mutable [`same`].
pub(crate) fn same_mut<T: Element, U: Element>(v: &mut [T]) -> Option<&mut [U]> {
    // SAFETY: as in `same`; the borrow of `v` is handed on.
    (T::DTYPE == U::DTYPE).then(|| unsafe { std::slice::from_raw_parts_mut(v.as_mut_ptr() as *mut U, v.len()) })
}
