//! Element math for the block VM: the [`Num`] trait and whole-block loops for every op.
//!
//! Every loop here runs over a contiguous block with the op chosen once outside the loop, so
//! the simple ops compile to SIMD. Transcendentals go through [`crate::vmath`]. Integers are
//! computed as `Wrapping<i32>`/`Wrapping<i64>`, so arithmetic wraps in every build profile;
//! bools are computed as 0/1 in the kernel's type.
//!
//! `mod.rs` holds the trait and its four implementations, `elementwise.rs` the block loops of
//! the elementwise ops, `sums.rs` the block reductions.

mod elementwise;
mod int_bits;
mod sums;

use elementwise::map1;
pub use elementwise::{binary, select, unary, Src};
pub(crate) use elementwise::{nan_max, nan_min};
pub use sums::{block_max, block_min, block_prod, block_sum, block_sum_binary, block_sum_sq};

use crate::vmath;
use int_bits::IntBits;
use rusttorch_ir::op::{ReduceOp, UnaryOp};
use rusttorch_ir::Element;
use std::num::Wrapping;
use std::ops::{Add, Mul, Neg, Sub};

/// A type the executor computes in: `f32`, `f64`, `Wrapping<i32>`, `Wrapping<i64>`,
/// `Wrapping<u64>` (the other dtypes are stored only, [`rusttorch_ir::DType::compute`]).
///
/// Float-valued math (`exp`, `tanh`, ...) is only ever emitted for float kernels (the tensor
/// builders convert ints to float32 first); the integer versions exist so every kernel
/// compiles for every type, and go through f64.
pub trait Num:
    Element + PartialOrd + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Neg<Output = Self> + Default
{
    /// 0
    const ZERO: Self;
    /// 1
    const ONE: Self;
    /// NaN (0 for integers, which have none)
    const NAN: Self;
    /// Whether this is a float type (the only kind transcendental ops are computed in).
    const FLOAT: bool;
    /// What reductions accumulate partial results in: f64 for floats (so an f32 sum never
    /// adds more than a few values in f32), wrapping i64 for integers (exact).
    type Acc: Num;
    /// Widens to the accumulator type.
    fn to_acc(self) -> Self::Acc;
    /// Narrows an accumulated result.
    fn from_acc(a: Self::Acc) -> Self;
    /// Whether this is NaN.
    fn is_nan(self) -> bool;
    /// Bits of the key order ops sort by ([`Num::order_key`]): 32 for 4-byte types, else 64.
    const KEY_BITS: u32;
    /// An unsigned key of [`Num::KEY_BITS`] bits ordered as the order ops rank (NaN above
    /// everything, NaNs equal, `-0.0 == 0.0`), so sorts compare integers.
    fn order_key(self) -> u64;
    /// `e^x`
    fn exp(self) -> Self;
    /// natural log
    fn ln(self) -> Self;
    /// `e^x - 1`, accurate for small `x`
    fn exp_m1(self) -> Self;
    /// square root
    fn sqrt(self) -> Self;
    /// hyperbolic tangent
    fn tanh(self) -> Self;
    /// sine
    fn sin(self) -> Self;
    /// cosine
    fn cos(self) -> Self;
    /// `self^e` (integers: wrapping; a negative exponent gives `1/self^|e|` truncated)
    fn powf(self, e: Self) -> Self;
    /// `|x|` (integers: wrapping, so `|MIN| == MIN`)
    fn abs(self) -> Self;
    /// `a / b` (integers: truncating, 0 for `b == 0`; never emitted for integer kernels)
    fn div(self, b: Self) -> Self;
    /// Python's `a // b` (integers: 0 for `b == 0`, as NumPy)
    fn floor_div(self, b: Self) -> Self;
    /// Python's `a % b` (integers: 0 for `b == 0`, as NumPy)
    fn rem_py(self, b: Self) -> Self;
    /// Bitwise and (floats hold bools: logical and)
    fn bit_and(self, b: Self) -> Self;
    /// Bitwise or (floats hold bools: logical or)
    fn bit_or(self, b: Self) -> Self;
    /// Bitwise xor (floats hold bools: logical xor)
    fn bit_xor(self, b: Self) -> Self;
    /// Bitwise not (floats: logical not)
    fn bit_not(self) -> Self;
    /// `op` applied to rounding (`Floor`, `Ceil`, `Trunc`, `Round`); the identity on integers.
    fn round_with(self, op: UnaryOp) -> Self;
    /// Whole-block `exp`.
    fn exp_block(d: &mut [Self], a: &[Self]);
    /// Whole-block `tanh`.
    fn tanh_block(d: &mut [Self], a: &[Self]);
    /// Whole-block `erf`.
    fn erf_block(d: &mut [Self], a: &[Self]);
    /// Whole-block natural log.
    fn ln_block(d: &mut [Self], a: &[Self]);
    /// Whole-block `ln(1 + x)`.
    fn ln_1p_block(d: &mut [Self], a: &[Self]);
    /// Whole-block exact (erf) GELU.
    fn gelu_erf_block(d: &mut [Self], a: &[Self]);
    /// Whole-block `op` by the scalar libm routine, one call per element: the unary primitives
    /// without a vectorised kernel (`log2`, `log10`, `exp2`, `erfc`, `erfinv`, `atan`, `asin`,
    /// `acos`).
    fn scalar_block(op: UnaryOp, d: &mut [Self], a: &[Self]);
    /// C's `fmod` (the dividend's sign; integers: 0 for `b == 0`)
    fn fmod(self, b: Self) -> Self;
    /// `atan2(self, b)`
    fn atan2(self, b: Self) -> Self;
    /// `sqrt(self^2 + b^2)` without intermediate overflow
    fn hypot(self, b: Self) -> Self;
    /// `|self|` with the sign bit of `b`
    fn copysign(self, b: Self) -> Self;
    /// The next value of this type after `self` toward `b`
    fn next_after(self, b: Self) -> Self;
}

#[inline(always)]
fn truth<T: Num>(b: bool) -> T {
    if b {
        T::ONE
    } else {
        T::ZERO
    }
}

macro_rules! float_impl {
    ($t:ident, $exp:path, $tanh:path, $erf:path, $ln:path, $ln_1p:path, $gelu_erf:path, $next:path) => {
        impl Num for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const NAN: Self = $t::NAN;
            const FLOAT: bool = true;
            const KEY_BITS: u32 = 8 * std::mem::size_of::<$t>() as u32;
            type Acc = f64;
            #[inline(always)]
            fn to_acc(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn from_acc(a: f64) -> Self {
                a as $t
            }
            #[inline(always)]
            fn is_nan(self) -> bool {
                self.is_nan()
            }
            #[inline(always)]
            fn order_key(self) -> u64 {
                let all = u64::MAX >> (64 - Self::KEY_BITS);
                if self.is_nan() {
                    return all;
                }
                // IEEE bits ordered as integers: negatives reversed below, positives above.
                let b = (if self == 0.0 { 0.0 } else { self }).to_bits() as u64;
                let top = 1u64 << (Self::KEY_BITS - 1);
                if b & top != 0 {
                    !b & all
                } else {
                    b | top
                }
            }
            #[inline(always)]
            fn exp(self) -> Self {
                self.exp()
            }
            #[inline(always)]
            fn ln(self) -> Self {
                self.ln()
            }
            #[inline(always)]
            fn exp_m1(self) -> Self {
                self.exp_m1()
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                self.sqrt()
            }
            #[inline(always)]
            fn tanh(self) -> Self {
                self.tanh()
            }
            #[inline(always)]
            fn sin(self) -> Self {
                self.sin()
            }
            #[inline(always)]
            fn cos(self) -> Self {
                self.cos()
            }
            #[inline(always)]
            fn powf(self, e: Self) -> Self {
                self.powf(e)
            }
            #[inline(always)]
            fn abs(self) -> Self {
                self.abs()
            }
            #[inline(always)]
            fn div(self, b: Self) -> Self {
                self / b
            }
            #[inline(always)]
            fn floor_div(self, b: Self) -> Self {
                rusttorch_ir::op::py_divmod(self as f64, b as f64).0 as $t
            }
            #[inline(always)]
            fn rem_py(self, b: Self) -> Self {
                // The remainder is exact in f64 (`fmod` of two values of this type, moved into
                // the divisor's sign), so one rounding back gives the value computed here.
                rusttorch_ir::op::py_divmod(self as f64, b as f64).1 as $t
            }
            #[inline(always)]
            fn bit_and(self, b: Self) -> Self {
                truth(self != 0.0 && b != 0.0)
            }
            #[inline(always)]
            fn bit_or(self, b: Self) -> Self {
                truth(self != 0.0 || b != 0.0)
            }
            #[inline(always)]
            fn bit_xor(self, b: Self) -> Self {
                truth((self != 0.0) != (b != 0.0))
            }
            #[inline(always)]
            fn bit_not(self) -> Self {
                truth(self == 0.0)
            }
            #[inline(always)]
            fn round_with(self, op: UnaryOp) -> Self {
                match op {
                    UnaryOp::Floor => self.floor(),
                    UnaryOp::Ceil => self.ceil(),
                    UnaryOp::Trunc => self.trunc(),
                    _ => self.round_ties_even(),
                }
            }
            #[inline(always)]
            fn exp_block(d: &mut [Self], a: &[Self]) {
                $exp(d, a)
            }
            #[inline(always)]
            fn tanh_block(d: &mut [Self], a: &[Self]) {
                $tanh(d, a)
            }
            #[inline(always)]
            fn erf_block(d: &mut [Self], a: &[Self]) {
                $erf(d, a)
            }
            #[inline(always)]
            fn ln_block(d: &mut [Self], a: &[Self]) {
                $ln(d, a)
            }
            #[inline(always)]
            fn ln_1p_block(d: &mut [Self], a: &[Self]) {
                $ln_1p(d, a)
            }
            #[inline(always)]
            fn gelu_erf_block(d: &mut [Self], a: &[Self]) {
                $gelu_erf(d, a)
            }
            fn scalar_block(op: UnaryOp, d: &mut [Self], a: &[Self]) {
                use rusttorch_ir::op::{erfc_f64, erfinv_f64};
                match op {
                    UnaryOp::Log2 => map1(d, a, $t::log2),
                    // glibc's `log10f` is off by up to 2 ulp; through f64 it rounds once.
                    UnaryOp::Log10 => map1(d, a, |x| (x as f64).log10() as $t),
                    UnaryOp::Exp2 => map1(d, a, $t::exp2),
                    UnaryOp::Atan => map1(d, a, $t::atan),
                    UnaryOp::Asin => map1(d, a, $t::asin),
                    UnaryOp::Acos => map1(d, a, $t::acos),
                    // In f64 for float32 too: one rounding of a result good to a few f64 ulp.
                    UnaryOp::Erfc => map1(d, a, |x| erfc_f64(x as f64) as $t),
                    UnaryOp::Erfinv => map1(d, a, |x| erfinv_f64(x as f64) as $t),
                    op => map1(d, a, |x| op.apply_f64(x as f64) as $t),
                }
            }
            #[inline(always)]
            fn fmod(self, b: Self) -> Self {
                self % b
            }
            #[inline(always)]
            fn atan2(self, b: Self) -> Self {
                self.atan2(b)
            }
            #[inline(always)]
            fn hypot(self, b: Self) -> Self {
                self.hypot(b)
            }
            #[inline(always)]
            fn copysign(self, b: Self) -> Self {
                self.copysign(b)
            }
            #[inline(always)]
            fn next_after(self, b: Self) -> Self {
                $next(self, b)
            }
        }
    };
}
float_impl!(
    f32,
    vmath::exp_f32,
    vmath::tanh_f32,
    vmath::erf_f32,
    vmath::ln_f32,
    vmath::ln_1p_f32,
    vmath::gelu_erf_f32,
    rusttorch_ir::op::nextafter_f32
);
float_impl!(
    f64,
    vmath::exp_f64,
    vmath::tanh_f64,
    vmath::erf_f64,
    vmath::ln_f64,
    vmath::ln_1p_f64,
    vmath::gelu_erf_f64,
    rusttorch_ir::op::nextafter_f64
);

macro_rules! int_impl {
    ($t:ident, $acc:ident) => {
        impl Num for Wrapping<$t> {
            const ZERO: Self = Wrapping(0);
            const ONE: Self = Wrapping(1);
            const NAN: Self = Wrapping(0);
            const FLOAT: bool = false;
            const KEY_BITS: u32 = 8 * std::mem::size_of::<$t>() as u32;
            type Acc = Wrapping<$acc>;
            #[inline(always)]
            fn to_acc(self) -> Wrapping<$acc> {
                Wrapping(self.0 as $acc)
            }
            #[inline(always)]
            fn from_acc(a: Wrapping<$acc>) -> Self {
                Wrapping(a.0 as $t)
            }
            #[inline(always)]
            fn is_nan(self) -> bool {
                false
            }
            #[inline(always)]
            fn order_key(self) -> u64 {
                self.0.order_bits(Self::KEY_BITS)
            }
            fn exp(self) -> Self {
                Self::from_f64((self.0 as f64).exp())
            }
            fn ln(self) -> Self {
                Self::from_f64((self.0 as f64).ln())
            }
            fn exp_m1(self) -> Self {
                Self::from_f64((self.0 as f64).exp_m1())
            }
            fn sqrt(self) -> Self {
                Self::from_f64((self.0 as f64).sqrt())
            }
            fn tanh(self) -> Self {
                Self::from_f64((self.0 as f64).tanh())
            }
            fn sin(self) -> Self {
                Self::from_f64((self.0 as f64).sin())
            }
            fn cos(self) -> Self {
                Self::from_f64((self.0 as f64).cos())
            }
            #[inline(always)]
            fn powf(self, e: Self) -> Self {
                Wrapping(self.0.int_pow(e.0))
            }
            #[inline(always)]
            fn abs(self) -> Self {
                Wrapping(self.0.wrapping_abs_any())
            }
            #[inline(always)]
            fn div(self, b: Self) -> Self {
                if b.0 == 0 {
                    Wrapping(0)
                } else {
                    Wrapping(self.0.wrapping_div(b.0))
                }
            }
            #[inline(always)]
            fn floor_div(self, b: Self) -> Self {
                if b.0 == 0 {
                    return Wrapping(0);
                }
                Wrapping(self.0.py_floor_div(b.0))
            }
            #[inline(always)]
            fn rem_py(self, b: Self) -> Self {
                if b.0 == 0 {
                    return Wrapping(0);
                }
                Wrapping(self.0.py_rem(b.0))
            }
            #[inline(always)]
            fn bit_and(self, b: Self) -> Self {
                self & b
            }
            #[inline(always)]
            fn bit_or(self, b: Self) -> Self {
                self | b
            }
            #[inline(always)]
            fn bit_xor(self, b: Self) -> Self {
                self ^ b
            }
            #[inline(always)]
            fn bit_not(self) -> Self {
                !self
            }
            #[inline(always)]
            fn round_with(self, _: UnaryOp) -> Self {
                self
            }
            fn exp_block(d: &mut [Self], a: &[Self]) {
                map1(d, a, |x| x.exp())
            }
            fn tanh_block(d: &mut [Self], a: &[Self]) {
                map1(d, a, |x| x.tanh())
            }
            fn erf_block(d: &mut [Self], a: &[Self]) {
                map1(d, a, |x| Self::from_f64(rusttorch_ir::op::erf_f64(x.0 as f64)))
            }
            fn ln_block(d: &mut [Self], a: &[Self]) {
                map1(d, a, |x| x.ln())
            }
            fn ln_1p_block(d: &mut [Self], a: &[Self]) {
                map1(d, a, |x| Self::from_f64((x.0 as f64).ln_1p()))
            }
            fn gelu_erf_block(d: &mut [Self], a: &[Self]) {
                map1(d, a, |x| Self::from_f64(rusttorch_ir::op::gelu_erf_f64(x.0 as f64)))
            }
            fn scalar_block(op: UnaryOp, d: &mut [Self], a: &[Self]) {
                map1(d, a, |x| Self::from_f64(op.apply_f64(x.0 as f64)))
            }
            #[inline(always)]
            fn fmod(self, b: Self) -> Self {
                if b.0 == 0 {
                    Wrapping(0)
                } else {
                    Wrapping(self.0.wrapping_rem(b.0))
                }
            }
            fn atan2(self, b: Self) -> Self {
                Self::from_f64((self.0 as f64).atan2(b.0 as f64))
            }
            fn hypot(self, b: Self) -> Self {
                Self::from_f64((self.0 as f64).hypot(b.0 as f64))
            }
            fn copysign(self, b: Self) -> Self {
                Self::from_f64((self.0 as f64).copysign(b.0 as f64))
            }
            fn next_after(self, b: Self) -> Self {
                Self::from_f64(rusttorch_ir::op::nextafter_f64(self.0 as f64, b.0 as f64))
            }
        }
    };
}
int_impl!(i32, i64);
int_impl!(i64, i64);
int_impl!(u64, u64);

/// Combines two partial results of `op` (NaN-propagating max/min).
#[inline(always)]
pub fn combine<A: Num>(op: ReduceOp, a: A, b: A) -> A {
    match op {
        ReduceOp::Sum => a + b,
        ReduceOp::Max => nan_max(a, b),
        ReduceOp::Min => nan_min(a, b),
        ReduceOp::Prod => a * b,
    }
}

/// The identity of `op` in `A` (for integers, max/min start from the type's extremes).
#[inline(always)]
pub fn identity<A: Num>(op: ReduceOp) -> A {
    A::from_f64(op.identity())
}
