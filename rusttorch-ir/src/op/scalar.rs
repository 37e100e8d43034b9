//! Constants: [`Scalar`], an exact `i64` or an `f64`, and the one cast rule for them.

use crate::{DType, Element};
use std::fmt;

/// The value of a constant: an exact `i64` for integers and bools, an `f64` for floats.
///
/// Integer constants are held exactly, never through an `f64`, so `int64_tensor // (2**60 + 1)`
/// divides by that value and not by the nearest double. [`Scalar::cast`] converts a value with
/// the one cast rule of [`crate::Tensor::cast`]; a constant node holds the value cast to its
/// dtype, so equal constants compare (and hash) equal and CSE is a hash lookup.
#[derive(Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Scalar(Value);

/// Floats by their bits (so `Scalar` can be `Eq + Hash`), integers as they are.
#[derive(Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
enum Value {
    Float(u64),
    Int(i64),
}

impl Scalar {
    /// A float; `-0.0` and `0.0` stay distinct, all NaNs are made one NaN.
    pub fn new(v: f64) -> Scalar {
        Scalar(Value::Float(if v.is_nan() { f64::NAN.to_bits() } else { v.to_bits() }))
    }
    /// An integer, held exactly.
    pub fn int(v: i64) -> Scalar {
        Scalar(Value::Int(v))
    }
    /// The value as an `f64` (an integer beyond 2^53 rounds to the nearest double).
    pub fn get(self) -> f64 {
        match self.0 {
            Value::Float(b) => f64::from_bits(b),
            Value::Int(i) => i as f64,
        }
    }
    /// The value if it is an integer (or a bool), exactly.
    pub fn as_int(self) -> Option<i64> {
        match self.0 {
            Value::Float(_) => None,
            Value::Int(i) => Some(i),
        }
    }
    /// The value converted to `T` by the cast rule ([`Element::from_f64`] for floats,
    /// [`Element::from_i64`] for integers): what a kernel of element type `T` computes with.
    #[inline]
    pub fn to<T: Element>(self) -> T {
        match self.0 {
            Value::Float(b) => T::from_f64(f64::from_bits(b)),
            Value::Int(i) => T::from_i64(i),
        }
    }
    /// The value converted to `dtype` by the cast rule: float to int truncates and saturates
    /// (NaN is 0), int to a narrower int wraps, int to float rounds to nearest, anything to bool
    /// is `!= 0`. Floats stay floats and ints (and bools) ints.
    pub fn cast(self, dtype: DType) -> Scalar {
        crate::with_element!(dtype, T => Scalar::of(self.to::<T>()))
    }
    /// `v` exactly: a float as f64, an integer or bool as i64 (uint64 by its bits).
    pub fn of<T: Element>(v: T) -> Scalar {
        if T::DTYPE.is_float() {
            Scalar::new(v.to_f64())
        } else {
            Scalar::int(v.to_i64())
        }
    }
}

impl From<f64> for Scalar {
    fn from(v: f64) -> Scalar {
        Scalar::new(v)
    }
}
impl From<f32> for Scalar {
    fn from(v: f32) -> Scalar {
        Scalar::new(f64::from(v))
    }
}
impl From<i64> for Scalar {
    fn from(v: i64) -> Scalar {
        Scalar::int(v)
    }
}
impl From<i32> for Scalar {
    fn from(v: i32) -> Scalar {
        Scalar::int(i64::from(v))
    }
}
impl From<bool> for Scalar {
    fn from(v: bool) -> Scalar {
        Scalar::int(i64::from(v))
    }
}

impl fmt::Debug for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Value::Float(b) => write!(f, "{}", f64::from_bits(b)),
            Value::Int(i) => write!(f, "{i}"),
        }
    }
}
