//! Element types.

use std::fmt;

/// The element type of a tensor.
///
/// Integers wrap on overflow (two's complement, in debug and release builds alike); bools are
/// stored as one byte and computed as 0/1 inside kernels. Promotion follows PyTorch (see
/// [`DType::promote`] and `docs/dtypes.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    /// 32-bit IEEE float.
    F32,
    /// 64-bit IEEE float.
    F64,
    /// 32-bit signed integer.
    I32,
    /// 64-bit signed integer.
    I64,
    /// Boolean, stored as one byte.
    Bool,
}

impl DType {
    /// Bytes per element.
    pub fn size_of(self) -> usize {
        match self {
            DType::F32 | DType::I32 => 4,
            DType::F64 | DType::I64 => 8,
            DType::Bool => 1,
        }
    }

    /// Whether this is a floating-point type.
    pub fn is_float(self) -> bool {
        matches!(self, DType::F32 | DType::F64)
    }

    /// The canonical lower-case name (`"float32"`, ...), as NumPy and PyTorch spell it.
    pub fn name(self) -> &'static str {
        match self {
            DType::F32 => "float32",
            DType::F64 => "float64",
            DType::I32 => "int32",
            DType::I64 => "int64",
            DType::Bool => "bool",
        }
    }

    /// Parses a NumPy-style name (`"float32"`, `"f4"`, `"float64"`, `"double"`, ...).
    pub fn from_name(name: &str) -> Option<DType> {
        Some(match name {
            "float32" | "f4" | "float" | "<f4" => DType::F32,
            "float64" | "f8" | "double" | "<f8" => DType::F64,
            "int32" | "i4" | "<i4" => DType::I32,
            "int64" | "i8" | "<i8" | "long" => DType::I64,
            "bool" | "?" | "b1" => DType::Bool,
            _ => return None,
        })
    }

    /// Whether this is a signed integer type.
    pub fn is_int(self) -> bool {
        matches!(self, DType::I32 | DType::I64)
    }

    /// The kind of value this dtype holds (bool < int < float).
    pub fn kind(self) -> ScalarKind {
        match self {
            DType::Bool => ScalarKind::Bool,
            DType::I32 | DType::I64 => ScalarKind::Int,
            DType::F32 | DType::F64 => ScalarKind::Float,
        }
    }

    /// The dtype of a binary op between a tensor of this dtype and a Python/Rust scalar of
    /// `kind`: the tensor's dtype, unless the scalar is of a higher kind, in which case the
    /// default dtype of that kind (`float32` for floats, `int64` for ints), as PyTorch does
    /// (`int32_tensor + 1` is int32, `int32_tensor + 1.5` is float32).
    pub fn promote_scalar(self, kind: ScalarKind) -> DType {
        if kind <= self.kind() {
            self
        } else {
            match kind {
                ScalarKind::Float => DType::F32,
                ScalarKind::Int => DType::I64,
                ScalarKind::Bool => DType::Bool,
            }
        }
    }

    /// Whether a value of this dtype may be written into a tensor of dtype `to` by an in-place
    /// op, as PyTorch's `can_cast`: only to the same or a higher kind (bool < int < float), so
    /// `float += int` and `int32 += int64` are allowed, `int += float` and `bool += int` are not.
    pub fn can_cast(self, to: DType) -> bool {
        self.kind() <= to.kind()
    }

    /// The dtype of a binary op between two tensors, as PyTorch: a higher kind wins
    /// (bool < int < float), and within a kind the wider type (`int64 + float32` is
    /// `float32`, `int32 + int64` is `int64`, `float32 + float64` is `float64`).
    pub fn promote(self, other: DType) -> DType {
        use DType::*;
        match (self, other) {
            (a, b) if a == b => a,
            (F64, _) | (_, F64) => F64,
            (F32, _) | (_, F32) => F32,
            (I64, _) | (_, I64) => I64,
            (I32, _) | (_, I32) => I32,
            _ => Bool,
        }
    }
}

/// The kind of a scalar operand, for promotion ([`DType::promote_scalar`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ScalarKind {
    /// `True`/`False`.
    Bool,
    /// An integer.
    Int,
    /// A float.
    Float,
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A Rust element type that can live in a [`crate::Buffer`]: it must have the size, alignment
/// and bit layout of its [`DType`] (buffers are reinterpreted by dtype). `Wrapping<i32>` and
/// `Wrapping<i64>` (`repr(transparent)`) share `int32`/`int64` with the plain integers.
pub trait Element: Copy + Send + Sync + 'static + fmt::Debug + PartialEq {
    /// The dtype tag of this element type.
    const DTYPE: DType;
    /// Converts to f64 (for reference computations and constants).
    fn to_f64(self) -> f64;
    /// Converts from f64 with Rust `as` semantics (saturating, NaN → 0 for ints). With
    /// [`Element::from_i64`] this is the one cast rule of RustTorch: kernels, constants and
    /// conversions of input data all convert through these two.
    fn from_f64(v: f64) -> Self;
    /// Converts from i64 with Rust `as` semantics: wraps to a narrower int, rounds to the
    /// nearest float, `!= 0` for bool.
    fn from_i64(v: i64) -> Self;
}

macro_rules! element {
    ($t:ty, $d:expr) => {
        impl Element for $t {
            const DTYPE: DType = $d;
            #[inline]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline]
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            #[inline]
            fn from_i64(v: i64) -> Self {
                v as $t
            }
        }
    };
}
element!(f32, DType::F32);
element!(f64, DType::F64);
element!(i32, DType::I32);
element!(i64, DType::I64);

macro_rules! wrapping_element {
    ($t:ty, $d:expr) => {
        impl Element for std::num::Wrapping<$t> {
            const DTYPE: DType = $d;
            #[inline]
            fn to_f64(self) -> f64 {
                self.0 as f64
            }
            #[inline]
            fn from_f64(v: f64) -> Self {
                std::num::Wrapping(v as $t)
            }
            #[inline]
            fn from_i64(v: i64) -> Self {
                std::num::Wrapping(v as $t)
            }
        }
    };
}
wrapping_element!(i32, DType::I32);
wrapping_element!(i64, DType::I64);

impl Element for bool {
    const DTYPE: DType = DType::Bool;
    fn to_f64(self) -> f64 {
        if self {
            1.0
        } else {
            0.0
        }
    }
    fn from_f64(v: f64) -> Self {
        v != 0.0
    }
    fn from_i64(v: i64) -> Self {
        v != 0
    }
}
