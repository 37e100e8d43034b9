//! The typed inputs and outputs a kernel runs on.

use super::access::Access;
use super::indexed::BadIndex;
use super::stores::OutPtr;
use crate::num::Num;
use half::slice::HalfFloatSliceExt;
use half::{bf16, f16};
use rusttorch_ir::half;
use rusttorch_ir::plan::KernelInput;
use rusttorch_ir::{Buffer, DType, Element};
use smallvec::SmallVec;
use std::num::Wrapping;

/// Everything a kernel reads and writes, typed.
pub(crate) struct KernelIo<'a, T> {
    pub inputs: SmallVec<[&'a [T]; 4]>,
    pub access: &'a [Access],
    pub outputs: SmallVec<[OutPtr<T>; 2]>,
    /// The kernel's inputs (their layouts).
    pub layouts: &'a [KernelInput],
    /// The input whose buffer is output 0 (buffer donation): its `inputs` entry is empty and it
    /// is read through the output's pointer, contiguously, each block before it is written.
    pub donor: Option<u16>,
    /// Per input, the int indices of a gather's index input as int64 (empty for the others,
    /// whose `inputs` entry is empty instead).
    pub indices: SmallVec<[&'a [Wrapping<i64>]; 4]>,
    /// The first out-of-range index a gather of the kernel met.
    pub bad_index: BadIndex,
    /// Per input, a storage-dtype buffer converted block by block as it is loaded (its
    /// `inputs` entry is empty): only for contiguous inputs of elementwise (`Map`) kernels.
    pub narrow: SmallVec<[Option<NarrowIn<'a>>; 4]>,
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
