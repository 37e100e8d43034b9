//! Element types.

use std::fmt;

/// The element type of a tensor.
///
/// Integers wrap on overflow (two's complement, in debug and release builds alike); bools are
/// stored as one byte and computed as 0/1 inside kernels. Narrow types are *storage* types:
/// kernels compute in [`DType::compute`] (int8/int16/uint8/uint16 in int32 and uint32 in int64,
/// wrapped back after every op, so results are exact; float16/bfloat16 in float32, rounded at
/// the store). Promotion follows PyTorch (see [`DType::promote`] and `docs/dtypes.md`).
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
    /// 8-bit signed integer.
    I8,
    /// 16-bit signed integer.
    I16,
    /// 8-bit unsigned integer.
    U8,
    /// 16-bit unsigned integer.
    U16,
    /// 32-bit unsigned integer.
    U32,
    /// 64-bit unsigned integer.
    U64,
    /// IEEE half precision (binary16), a storage type computed in float32.
    F16,
    /// bfloat16 (the top half of a float32), a storage type computed in float32.
    BF16,
}

impl DType {
    /// Every dtype, in the order the Python package lists them.
    pub const ALL: [DType; 13] = [
        DType::Bool,
        DType::I8,
        DType::I16,
        DType::I32,
        DType::I64,
        DType::U8,
        DType::U16,
        DType::U32,
        DType::U64,
        DType::F16,
        DType::BF16,
        DType::F32,
        DType::F64,
    ];

    /// Bytes per element.
    pub fn size_of(self) -> usize {
        use DType::*;
        match self {
            Bool | I8 | U8 => 1,
            I16 | U16 | F16 | BF16 => 2,
            F32 | I32 | U32 => 4,
            F64 | I64 | U64 => 8,
        }
    }

    /// Whether this is a floating-point type.
    pub fn is_float(self) -> bool {
        matches!(self, DType::F32 | DType::F64 | DType::F16 | DType::BF16)
    }

    /// The canonical lower-case name (`"float32"`, ...), as NumPy and PyTorch spell it.
    pub fn name(self) -> &'static str {
        use DType::*;
        match self {
            F32 => "float32",
            F64 => "float64",
            I32 => "int32",
            I64 => "int64",
            Bool => "bool",
            I8 => "int8",
            I16 => "int16",
            U8 => "uint8",
            U16 => "uint16",
            U32 => "uint32",
            U64 => "uint64",
            F16 => "float16",
            BF16 => "bfloat16",
        }
    }

    /// Parses a NumPy- or PyTorch-style name (`"float32"`, `"f4"`, `"double"`, `"half"`, ...).
    pub fn from_name(name: &str) -> Option<DType> {
        use DType::*;
        Some(match name {
            "float32" | "f4" | "float" | "<f4" => F32,
            "float64" | "f8" | "double" | "<f8" => F64,
            "float16" | "f2" | "half" | "<f2" | "e" => F16,
            "bfloat16" => BF16,
            "int8" | "i1" | "|i1" | "b" => I8,
            "int16" | "i2" | "<i2" | "short" => I16,
            "int32" | "i4" | "<i4" => I32,
            "int64" | "i8" | "<i8" | "long" => I64,
            "uint8" | "u1" | "|u1" | "B" => U8,
            "uint16" | "u2" | "<u2" => U16,
            "uint32" | "u4" | "<u4" => U32,
            "uint64" | "u8" | "<u8" => U64,
            "bool" | "?" | "b1" | "|b1" => Bool,
            _ => return None,
        })
    }

    /// Whether this is an integer type (signed or unsigned; not bool).
    pub fn is_int(self) -> bool {
        self.kind() == ScalarKind::Int
    }

    /// Whether this is an unsigned integer type.
    pub fn is_unsigned(self) -> bool {
        matches!(self, DType::U8 | DType::U16 | DType::U32 | DType::U64)
    }

    /// The dtype kernels compute this dtype in: itself for the five compute types, else the
    /// narrowest compute type holding every value exactly (float32 for the 16-bit floats, int32
    /// for 8- and 16-bit ints, int64 for uint32). uint64 computes in itself.
    pub fn compute(self) -> DType {
        use DType::*;
        match self {
            F16 | BF16 => F32,
            I8 | I16 | U8 | U16 => I32,
            U32 => I64,
            d => d,
        }
    }

    /// Whether this is a storage-only dtype ([`DType::compute`] differs from it; bool, which is
    /// computed as 0/1 in its kernel's type, is not counted).
    pub fn is_storage_only(self) -> bool {
        self != DType::Bool && self.compute() != self
    }

    /// The smallest and largest value of an integer dtype (`None` for floats and bool).
    pub fn int_range(self) -> Option<(i128, i128)> {
        use DType::*;
        Some(match self {
            I8 => (i8::MIN.into(), i8::MAX.into()),
            I16 => (i16::MIN.into(), i16::MAX.into()),
            I32 => (i32::MIN.into(), i32::MAX.into()),
            I64 => (i64::MIN.into(), i64::MAX.into()),
            U8 => (0, u8::MAX.into()),
            U16 => (0, u16::MAX.into()),
            U32 => (0, u32::MAX.into()),
            U64 => (0, u64::MAX.into()),
            _ => return None,
        })
    }

    /// The kind of value this dtype holds (bool < int < float).
    pub fn kind(self) -> ScalarKind {
        use DType::*;
        match self {
            Bool => ScalarKind::Bool,
            I8 | I16 | I32 | I64 | U8 | U16 | U32 | U64 => ScalarKind::Int,
            F32 | F64 | F16 | BF16 => ScalarKind::Float,
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
    /// `float32`, `int32 + int64` is `int64`, `float32 + float64` is `float64`). float16 with
    /// bfloat16 is float32; a signed with an unsigned int is the signed type wide enough for
    /// both (`int8 + uint8` is int16), and `uint64` with a signed int is float64, as NumPy.
    pub fn promote(self, other: DType) -> DType {
        use DType::*;
        if self == other {
            return self;
        }
        match (self.kind(), other.kind()) {
            (a, b) if a > b => self,
            (a, b) if a < b => other,
            (ScalarKind::Float, _) => match (self, other) {
                (F16, BF16) | (BF16, F16) => F32,
                _ if self.size_of() >= other.size_of() => self,
                _ => other,
            },
            (ScalarKind::Int, _) => {
                let (s, u) = match (self.is_unsigned(), other.is_unsigned()) {
                    (false, false) | (true, true) => {
                        return if self.size_of() >= other.size_of() { self } else { other };
                    }
                    (false, true) => (self, other),
                    (true, false) => (other, self),
                };
                match u {
                    _ if s.size_of() > u.size_of() => s,
                    U8 => I16,
                    U16 => I32,
                    U32 => I64,
                    _ => F64,
                }
            }
            (ScalarKind::Bool, _) => Bool,
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
    /// Converts to i64 with Rust `as` semantics (uint64 keeps its bits; used for exact integer
    /// constants, [`crate::Scalar::of`]).
    fn to_i64(self) -> i64;
}

/// `from_f64` converts through `$via`, the compute type: narrow ints saturate to int32 (int64
/// for uint32) and then wrap, as the kernels do (`300.0` as int8 is 44, as NumPy and PyTorch
/// give on x86).
macro_rules! element {
    ($t:ty, $d:expr, $via:ty) => {
        impl Element for $t {
            const DTYPE: DType = $d;
            #[inline]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline]
            fn from_f64(v: f64) -> Self {
                v as $via as $t
            }
            #[inline]
            fn from_i64(v: i64) -> Self {
                v as $t
            }
            #[inline]
            fn to_i64(self) -> i64 {
                self as i64
            }
        }
    };
}
element!(f32, DType::F32, f32);
element!(f64, DType::F64, f64);
element!(i32, DType::I32, i32);
element!(i64, DType::I64, i64);
element!(u64, DType::U64, u64);
element!(i8, DType::I8, i32);
element!(i16, DType::I16, i32);
element!(u8, DType::U8, i32);
element!(u16, DType::U16, i32);
element!(u32, DType::U32, i64);

macro_rules! half_element {
    ($t:ty, $d:expr) => {
        impl Element for $t {
            const DTYPE: DType = $d;
            #[inline]
            fn to_f64(self) -> f64 {
                self.to_f64()
            }
            /// Rounds once, to nearest even (through float32 would round twice).
            #[inline]
            fn from_f64(v: f64) -> Self {
                <$t>::from_f64(v)
            }
            #[inline]
            fn from_i64(v: i64) -> Self {
                <$t>::from_f64(v as f64)
            }
            #[inline]
            fn to_i64(self) -> i64 {
                self.to_f64() as i64
            }
        }
    };
}
half_element!(half::f16, DType::F16);
half_element!(half::bf16, DType::BF16);

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
            #[inline]
            fn to_i64(self) -> i64 {
                self.0 as i64
            }
        }
    };
}
wrapping_element!(i32, DType::I32);
wrapping_element!(i64, DType::I64);
wrapping_element!(u64, DType::U64);

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
    fn to_i64(self) -> i64 {
        i64::from(self)
    }
}

/// Runs `$body` with `$T` bound to the storage element type of `$dtype` (`f32`, `half::f16`,
/// `u8`, `bool`, ...): one match over every dtype, so code generic over [`Element`] needs no
/// dtype list of its own.
#[macro_export]
macro_rules! with_element {
    ($dtype:expr, $T:ident => $body:expr) => {
        match $dtype {
            $crate::DType::F32 => {
                type $T = f32;
                $body
            }
            $crate::DType::F64 => {
                type $T = f64;
                $body
            }
            $crate::DType::I32 => {
                type $T = i32;
                $body
            }
            $crate::DType::I64 => {
                type $T = i64;
                $body
            }
            $crate::DType::Bool => {
                type $T = bool;
                $body
            }
            $crate::DType::I8 => {
                type $T = i8;
                $body
            }
            $crate::DType::I16 => {
                type $T = i16;
                $body
            }
            $crate::DType::U8 => {
                type $T = u8;
                $body
            }
            $crate::DType::U16 => {
                type $T = u16;
                $body
            }
            $crate::DType::U32 => {
                type $T = u32;
                $body
            }
            $crate::DType::U64 => {
                type $T = u64;
                $body
            }
            $crate::DType::F16 => {
                type $T = $crate::half::f16;
                $body
            }
            $crate::DType::BF16 => {
                type $T = $crate::half::bf16;
                $body
            }
        }
    };
}
