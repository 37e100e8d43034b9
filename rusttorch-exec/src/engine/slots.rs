//! Where a plan's values live while it runs: shared buffers or owned, typed vectors.

use crate::memory::PooledVec;
use crate::num::Num;
use rusttorch_ir::{Buffer, DType, Element, Error, Result};
use std::num::Wrapping;

/// A value's storage while a plan runs.
pub(super) enum Slot {
    Empty,
    Shared(Buffer),
    Owned(AnyVec),
}

/// A typed, owned vector.
pub(super) enum AnyVec {
    F32(PooledVec<f32>),
    F64(PooledVec<f64>),
    I32(PooledVec<Wrapping<i32>>),
    I64(PooledVec<Wrapping<i64>>),
    U64(PooledVec<Wrapping<u64>>),
    Bool(PooledVec<bool>),
}

macro_rules! each_vec {
    ($v:expr, $x:ident => $e:expr) => {
        match $v {
            AnyVec::F32($x) => $e,
            AnyVec::F64($x) => $e,
            AnyVec::I32($x) => $e,
            AnyVec::I64($x) => $e,
            AnyVec::U64($x) => $e,
            AnyVec::Bool($x) => $e,
        }
    };
}

impl AnyVec {
    pub(super) fn len(&self) -> usize {
        each_vec!(self, v => v.len())
    }
    pub(super) fn dtype(&self) -> DType {
        match self {
            AnyVec::F32(_) => DType::F32,
            AnyVec::F64(_) => DType::F64,
            AnyVec::I32(_) => DType::I32,
            AnyVec::I64(_) => DType::I64,
            AnyVec::U64(_) => DType::U64,
            AnyVec::Bool(_) => DType::Bool,
        }
    }
    pub(super) fn into_buffer(self) -> Buffer {
        each_vec!(self, v => v.into_buffer())
    }
}

/// A stored value's elements, typed.
pub(super) enum AnySlice<'a> {
    F32(&'a [f32]),
    F64(&'a [f64]),
    I32(&'a [Wrapping<i32>]),
    I64(&'a [Wrapping<i64>]),
    U64(&'a [Wrapping<u64>]),
    /// Bool bytes (any non-zero byte reads as true).
    Bool(&'a [u8]),
    /// A buffer of a storage-only dtype (`float16`, `int8`, ...), read element by element.
    Narrow(&'a Buffer),
}

impl<'a> AnySlice<'a> {
    pub(super) fn of(slot: &'a Slot) -> Result<AnySlice<'a>> {
        Ok(match slot {
            Slot::Shared(b) => match b.dtype() {
                DType::F32 => AnySlice::F32(b.as_slice()?),
                DType::F64 => AnySlice::F64(b.as_slice()?),
                DType::I32 => AnySlice::I32(b.as_slice()?),
                DType::I64 => AnySlice::I64(b.as_slice()?),
                DType::U64 => AnySlice::U64(b.as_slice()?),
                // SAFETY: a bool buffer holds `len` initialised bytes that live as long as `b`.
                DType::Bool => AnySlice::Bool(unsafe { std::slice::from_raw_parts(b.as_ptr(), b.len()) }),
                _ => AnySlice::Narrow(b),
            },
            Slot::Owned(AnyVec::F32(v)) => AnySlice::F32(v),
            Slot::Owned(AnyVec::F64(v)) => AnySlice::F64(v),
            Slot::Owned(AnyVec::I32(v)) => AnySlice::I32(v),
            Slot::Owned(AnyVec::I64(v)) => AnySlice::I64(v),
            Slot::Owned(AnyVec::U64(v)) => AnySlice::U64(v),
            // SAFETY: `bool` is one byte holding 0 or 1, a valid `u8`; the borrow keeps `v` alive.
            Slot::Owned(AnyVec::Bool(v)) => {
                AnySlice::Bool(unsafe { std::slice::from_raw_parts(v.as_ptr() as *const u8, v.len()) })
            }
            Slot::Empty => return Err(Error::Internal("kernel input is missing".into())),
        })
    }

    /// The elements converted to `T` with cast semantics (float to int saturates, NaN is 0,
    /// int64 to int32 wraps, bools are 0/1).
    pub(super) fn convert<T: Num>(&self) -> Vec<T> {
        match *self {
            AnySlice::F32(v) => v.iter().map(|&x| T::from_f64(x as f64)).collect(),
            AnySlice::F64(v) => v.iter().map(|&x| T::from_f64(x)).collect(),
            AnySlice::I32(v) => v.iter().map(|&x| T::from_i64(x.0 as i64)).collect(),
            AnySlice::I64(v) => v.iter().map(|&x| T::from_i64(x.0)).collect(),
            AnySlice::U64(v) => v.iter().map(|&x| from_u64(x.0)).collect(),
            AnySlice::Bool(v) => v.iter().map(|&x| if x != 0 { T::ONE } else { T::ZERO }).collect(),
            AnySlice::Narrow(b) => rusttorch_ir::with_element!(b.dtype(), S => {
                let v = b.as_slice::<S>().expect("dtype checked");
                if S::DTYPE.is_float() {
                    v.iter().map(|&x| T::from_f64(x.to_f64())).collect()
                } else {
                    v.iter().map(|&x| T::from_i64(x.to_i64())).collect()
                }
            }),
        }
    }
}

/// A uint64 value converted to `T`: by value to floats (rounded once), by bits to ints (wraps).
fn from_u64<T: Num>(x: u64) -> T {
    if T::FLOAT {
        T::from_f64(x as f64)
    } else {
        T::from_i64(x as i64)
    }
}

/// `v`, computed in `T`, stored as `dtype` (a storage-only dtype such as `float16` or `int8`
/// computed in float32 or int32): floats rounded once to nearest even, ints wrapped.
pub(super) fn narrow_to<T: Num>(v: &[T], dtype: DType) -> Buffer {
    rusttorch_ir::with_element!(dtype, S => {
        let out: Vec<S> = if T::FLOAT {
            v.iter().map(|&x| S::from_f64(x.to_f64())).collect()
        } else {
            v.iter().map(|&x| S::from_i64(x.to_i64())).collect()
        };
        Buffer::from_vec(out)
    })
}

/// Typed access to slots.
pub(super) trait SlotType: Num {
    fn slice(slot: &Slot) -> Result<&[Self]>;
    fn wrap(v: PooledVec<Self>) -> AnyVec;
    fn unwrap(v: AnyVec) -> Option<PooledVec<Self>>;
}

macro_rules! slot_type {
    ($t:ty, $var:ident) => {
        impl SlotType for $t {
            fn slice(slot: &Slot) -> Result<&[Self]> {
                match slot {
                    Slot::Shared(b) => b.as_slice::<$t>(),
                    Slot::Owned(AnyVec::$var(v)) => Ok(v),
                    _ => Err(Error::Internal("kernel input is missing or of another dtype".into())),
                }
            }
            fn wrap(v: PooledVec<Self>) -> AnyVec {
                AnyVec::$var(v)
            }
            fn unwrap(v: AnyVec) -> Option<PooledVec<Self>> {
                match v {
                    AnyVec::$var(v) => Some(v),
                    _ => None,
                }
            }
        }
    };
}
slot_type!(f32, F32);
slot_type!(f64, F64);
slot_type!(Wrapping<i32>, I32);
slot_type!(Wrapping<i64>, I64);
slot_type!(Wrapping<u64>, U64);
