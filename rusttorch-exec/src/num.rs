//! Element math for the block VM: the [`Num`] trait and whole-block loops for every op.
//!
//! Every loop here runs over a contiguous block with the op chosen once outside the loop, so
//! the simple ops compile to SIMD. Transcendentals go through [`crate::vmath`]. Integers are
//! computed as `Wrapping<i32>`/`Wrapping<i64>`, so arithmetic wraps in every build profile;
//! bools are computed as 0/1 in the kernel's type.

use crate::vmath;
use rusttorch_ir::op::{BinaryOp, GeluApprox, ReduceOp, UnaryOp};
use rusttorch_ir::Element;
use std::num::Wrapping;
use std::ops::{Add, Mul, Neg, Sub};

/// A type the executor computes in: `f32`, `f64`, `Wrapping<i32>`, `Wrapping<i64>`.
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
    ($t:ident, $exp:path, $tanh:path, $erf:path, $ln:path, $ln_1p:path, $gelu_erf:path) => {
        impl Num for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const NAN: Self = $t::NAN;
            const FLOAT: bool = true;
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
        }
    };
}
float_impl!(f32, vmath::exp_f32, vmath::tanh_f32, vmath::erf_f32, vmath::ln_f32, vmath::ln_1p_f32, vmath::gelu_erf_f32);
float_impl!(f64, vmath::exp_f64, vmath::tanh_f64, vmath::erf_f64, vmath::ln_f64, vmath::ln_1p_f64, vmath::gelu_erf_f64);

macro_rules! int_impl {
    ($t:ident) => {
        impl Num for Wrapping<$t> {
            const ZERO: Self = Wrapping(0);
            const ONE: Self = Wrapping(1);
            const NAN: Self = Wrapping(0);
            const FLOAT: bool = false;
            type Acc = Wrapping<i64>;
            #[inline(always)]
            fn to_acc(self) -> Wrapping<i64> {
                Wrapping(self.0 as i64)
            }
            #[inline(always)]
            fn from_acc(a: Wrapping<i64>) -> Self {
                Wrapping(a.0 as $t)
            }
            #[inline(always)]
            fn is_nan(self) -> bool {
                false
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
                match e.0 {
                    e if e >= 0 => Wrapping(self.0.wrapping_pow(u32::try_from(e).unwrap_or(u32::MAX))),
                    e => match self.0 {
                        1 => Wrapping(1),
                        -1 => Wrapping(if e % 2 == 0 { 1 } else { -1 }),
                        _ => Wrapping(0),
                    },
                }
            }
            #[inline(always)]
            fn abs(self) -> Self {
                Wrapping(self.0.wrapping_abs())
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
                let q = self.0.wrapping_div(b.0);
                let r = self.0.wrapping_rem(b.0);
                Wrapping(if r != 0 && ((r < 0) != (b.0 < 0)) { q.wrapping_sub(1) } else { q })
            }
            #[inline(always)]
            fn rem_py(self, b: Self) -> Self {
                if b.0 == 0 {
                    return Wrapping(0);
                }
                let r = self.0.wrapping_rem(b.0);
                Wrapping(if r != 0 && ((r < 0) != (b.0 < 0)) { r.wrapping_add(b.0) } else { r })
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
        }
    };
}
int_impl!(i32);
int_impl!(i64);

/// Combines two partial results of `op` (NaN-propagating max/min).
#[inline(always)]
pub fn combine<A: Num>(op: ReduceOp, a: A, b: A) -> A {
    match op {
        ReduceOp::Sum => a + b,
        ReduceOp::Max => nan_max(a, b),
        ReduceOp::Min => nan_min(a, b),
    }
}

/// The identity of `op` in `A` (for integers, max/min start from the type's extremes).
#[inline(always)]
pub fn identity<A: Num>(op: ReduceOp) -> A {
    A::from_f64(op.identity())
}

#[inline(always)]
fn map1<T: Num>(d: &mut [T], a: &[T], f: impl Fn(T) -> T) {
    for (d, &a) in d.iter_mut().zip(a) {
        *d = f(a);
    }
}

/// `d = op(a)` over a block.
#[inline(always)]
pub fn unary<T: Num>(op: UnaryOp, d: &mut [T], a: &[T]) {
    use UnaryOp::*;
    match op {
        Neg => map1(d, a, |x| -x),
        Abs => map1(d, a, |x| x.abs()),
        Exp => T::exp_block(d, a),
        Log => T::ln_block(d, a),
        Sqrt => map1(d, a, |x| x.sqrt()),
        Rsqrt => map1(d, a, |x| T::ONE.div(x.sqrt())),
        Recip => map1(d, a, |x| T::ONE.div(x)),
        Tanh => T::tanh_block(d, a),
        Log1p => T::ln_1p_block(d, a),
        Expm1 => map1(d, a, |x| x.exp_m1()),
        Sigmoid => sigmoid(d, a, |x| x),
        Relu => map1(d, a, |x| if x > T::ZERO || x.is_nan() { x } else { T::ZERO }),
        LeakyRelu(s) => {
            let s = T::from_f64(s.get());
            map1(d, a, |x| if x >= T::ZERO || x.is_nan() { x } else { x * s })
        }
        Gelu(GeluApprox::Tanh) => {
            // 0.5 x (1 + tanh u) computed as the equal x sigmoid(2u) (see `op::gelu_tanh_f64`):
            // no cancellation for negative x, and one exp instead of tanh's exp and polynomial.
            let c = T::from_f64(2.0 * rusttorch_ir::op::GELU_TANH_C);
            let k = T::from_f64(0.044715);
            sigmoid(d, a, |x| c * (x + k * x * x * x));
            for (d, &x) in d.iter_mut().zip(a) {
                *d = x * *d;
            }
        }
        Gelu(GeluApprox::Erf) => T::gelu_erf_block(d, a),
        Sin => map1(d, a, |x| x.sin()),
        Cos => map1(d, a, |x| x.cos()),
        Square => map1(d, a, |x| x * x),
        Copy => d.copy_from_slice(a),
        Floor | Ceil | Trunc | Round => map1(d, a, |x| x.round_with(op)),
        LogicalNot => map1(d, a, |x| truth(x == T::ZERO)),
        BitNot => map1(d, a, |x| x.bit_not()),
    }
}

/// `d = sigmoid(f(a))` over a block. With `z = f(x)` and `e = e^-|z|` (never overflows),
/// `1/(1+e)` for `z >= 0` and `e/(1+e)` below, so results for very negative `z` keep their
/// relative accuracy down to the subnormals (`1/(1+e^-z)` turns them into `1/inf = 0`).
#[inline(always)]
fn sigmoid<T: Num>(d: &mut [T], a: &[T], f: impl Fn(T) -> T) {
    map1(d, a, |x| -f(x).abs());
    in_place_block(d, T::exp_block);
    for (d, &x) in d.iter_mut().zip(a) {
        let r = T::ONE.div(T::ONE + *d);
        *d = if f(x) >= T::ZERO { r } else { *d * r };
    }
}

/// Applies a block function in place, through a small stack buffer.
#[inline(always)]
fn in_place_block<T: Num>(d: &mut [T], f: fn(&mut [T], &[T])) {
    let mut buf = [T::ZERO; 256];
    let n = d.len();
    let mut i = 0;
    while i < n {
        let m = (n - i).min(256);
        buf[..m].copy_from_slice(&d[i..i + m]);
        f(&mut d[i..i + m], &buf[..m]);
        i += m;
    }
}

/// A binary operand resolved for one block: a slice or a broadcast scalar.
#[derive(Clone, Copy)]
pub enum Src<'a, T> {
    /// One value per element.
    Slice(&'a [T]),
    /// The same value everywhere.
    Scalar(T),
}

#[inline(always)]
fn map2<T: Num>(d: &mut [T], a: Src<'_, T>, b: Src<'_, T>, f: impl Fn(T, T) -> T) {
    match (a, b) {
        (Src::Slice(a), Src::Slice(b)) => {
            for ((d, &a), &b) in d.iter_mut().zip(a).zip(b) {
                *d = f(a, b);
            }
        }
        (Src::Slice(a), Src::Scalar(b)) => {
            for (d, &a) in d.iter_mut().zip(a) {
                *d = f(a, b);
            }
        }
        (Src::Scalar(a), Src::Slice(b)) => {
            for (d, &b) in d.iter_mut().zip(b) {
                *d = f(a, b);
            }
        }
        (Src::Scalar(a), Src::Scalar(b)) => {
            let v = f(a, b);
            d.fill(v);
        }
    }
}

#[inline(always)]
fn nan_max<T: Num>(a: T, b: T) -> T {
    if a.is_nan() || b.is_nan() {
        T::NAN
    } else if a > b {
        a
    } else {
        b
    }
}

#[inline(always)]
fn nan_min<T: Num>(a: T, b: T) -> T {
    if a.is_nan() || b.is_nan() {
        T::NAN
    } else if a < b {
        a
    } else {
        b
    }
}

/// `d = a op b` over a block.
#[inline(always)]
pub fn binary<T: Num>(op: BinaryOp, d: &mut [T], a: Src<'_, T>, b: Src<'_, T>) {
    use BinaryOp::*;
    match op {
        Add => map2(d, a, b, |x, y| x + y),
        Sub => map2(d, a, b, |x, y| x - y),
        Mul => map2(d, a, b, |x, y| x * y),
        Div => map2(d, a, b, |x, y| x.div(y)),
        Pow => map2(d, a, b, |x, y| x.powf(y)),
        Maximum => map2(d, a, b, nan_max),
        Minimum => map2(d, a, b, nan_min),
        FloorDiv => map2(d, a, b, |x, y| x.floor_div(y)),
        Rem => map2(d, a, b, |x, y| x.rem_py(y)),
        Lt => map2(d, a, b, |x, y| truth(x < y)),
        Le => map2(d, a, b, |x, y| truth(x <= y)),
        Gt => map2(d, a, b, |x, y| truth(x > y)),
        Ge => map2(d, a, b, |x, y| truth(x >= y)),
        Eq => map2(d, a, b, |x, y| truth(x == y)),
        Ne => map2(d, a, b, |x, y| truth(x != y)),
        And => map2(d, a, b, |x, y| x.bit_and(y)),
        Or => map2(d, a, b, |x, y| x.bit_or(y)),
        Xor => map2(d, a, b, |x, y| x.bit_xor(y)),
    }
}

/// `d = cond != 0 ? a : b` over a block.
#[inline(always)]
pub fn select<T: Num>(d: &mut [T], cond: Src<'_, T>, a: Src<'_, T>, b: Src<'_, T>) {
    let at = |s: &Src<'_, T>, i: usize| match *s {
        Src::Slice(v) => v[i],
        Src::Scalar(v) => v,
    };
    match cond {
        Src::Scalar(c) => {
            let pick = if c != T::ZERO { a } else { b };
            match pick {
                Src::Slice(v) => d.copy_from_slice(&v[..d.len()]),
                Src::Scalar(v) => d.fill(v),
            }
        }
        Src::Slice(c) => {
            for (i, (d, &c)) in d.iter_mut().zip(c).enumerate() {
                *d = if c != T::ZERO { at(&a, i) } else { at(&b, i) };
            }
        }
    }
}

/// Sum of a block: 256-element pieces are summed in 32 independent lanes of `T` (8 adds per
/// lane; four vector accumulators, so the adds are not one dependency chain), the pieces' lane
/// partials are accumulated per lane in the accumulator type (f64 for floats), and the 32 lanes
/// are added pairwise at the end, so no f32 partial ever adds more than 8 values.
#[inline(always)]
pub fn block_sum<T: Num>(x: &[T]) -> T::Acc {
    block_sum_of(x, |v| v)
}

/// Sum of the squares of a block, in the same order and precision as squaring the block into a
/// register and then [`block_sum`] (each square rounded to `T`, no fused multiply-add), without
/// the register.
#[inline(always)]
pub fn block_sum_sq<T: Num>(x: &[T]) -> T::Acc {
    block_sum_of(x, |v| v * v)
}

/// The sum (of squares when `square`) of `op(a, b)` over `len` elements, in the same order and
/// precision as computing `op(a, b)` into a block register and then [`block_sum`] or
/// [`block_sum_sq`] of it, without the register. `None` for ops it does not cover.
#[inline(always)]
pub fn block_sum_binary<T: Num>(
    op: BinaryOp,
    square: bool,
    a: Src<'_, T>,
    b: Src<'_, T>,
    len: usize,
) -> Option<T::Acc> {
    macro_rules! forms {
        ($f:expr) => {{
            let f = $f;
            match (a, b, square) {
                (Src::Slice(a), Src::Slice(b), false) => pair_sum(&a[..len], &b[..len], |x, y| f(x, y)),
                (Src::Slice(a), Src::Slice(b), true) => pair_sum(&a[..len], &b[..len], |x, y| sq(f(x, y))),
                (Src::Slice(a), Src::Scalar(y), false) => block_sum_of(&a[..len], |x| f(x, y)),
                (Src::Slice(a), Src::Scalar(y), true) => block_sum_of(&a[..len], |x| sq(f(x, y))),
                (Src::Scalar(x), Src::Slice(b), false) => block_sum_of(&b[..len], |y| f(x, y)),
                (Src::Scalar(x), Src::Slice(b), true) => block_sum_of(&b[..len], |y| sq(f(x, y))),
                (Src::Scalar(_), Src::Scalar(_), _) => return None,
            }
        }};
    }
    #[inline(always)]
    fn sq<T: Num>(v: T) -> T {
        v * v
    }
    Some(match op {
        BinaryOp::Add => forms!(|x: T, y: T| x + y),
        BinaryOp::Sub => forms!(|x: T, y: T| x - y),
        BinaryOp::Mul => forms!(|x: T, y: T| x * y),
        _ => return None,
    })
}

/// The sum of `f(a[i], b[i])`: [`block_sum`]'s pieces and lanes over two slices.
///
/// Each 256-element piece is summed in 32 lanes of `T` (at most 8 adds per lane); each lane's
/// piece partial is added to the same lane of 32 accumulators of type `T::Acc`, and the 32
/// accumulators are added pairwise at the end. (The lanes were once added to one accumulator
/// per piece, 32 dependent adds per 256 elements: 63 against 77 GB/s for `sum((a-b)**2)` from
/// L2 on one thread.)
#[inline(always)]
fn pair_sum<T: Num>(a: &[T], b: &[T], f: impl Fn(T, T) -> T) -> T::Acc {
    const LANES: usize = 32;
    let mut acc = [T::Acc::ZERO; LANES];
    for (pa, pb) in a.chunks(256).zip(b.chunks(256)) {
        let mut lanes = [T::ZERO; LANES];
        let (ca, cb) = (pa.chunks_exact(LANES), pb.chunks_exact(LANES));
        let (ra, rb) = (ca.remainder(), cb.remainder());
        for (x, y) in ca.zip(cb) {
            for i in 0..LANES {
                lanes[i] = lanes[i] + f(x[i], y[i]);
            }
        }
        // A barrier between the lane loop and the flush: without it LLVM's SLP vectoriser builds
        // both as one tree at the flush's width (4 f32 lanes per f64 vector), which halved the
        // lane loop's vectors (xmm instead of ymm): 71 against 77 GB/s from L2 on one thread.
        let lanes = std::hint::black_box(lanes);
        for i in 0..LANES {
            acc[i] = acc[i] + lanes[i].to_acc();
        }
        for (i, (&x, &y)) in ra.iter().zip(rb).enumerate() {
            acc[i] = acc[i] + f(x, y).to_acc();
        }
    }
    let mut w = LANES / 2;
    while w > 0 {
        for i in 0..w {
            acc[i] = acc[i] + acc[i + w];
        }
        w /= 2;
    }
    acc[0]
}

/// [`block_sum`] of `f` applied to each element: [`pair_sum`] with `x` as both slices (the
/// second one's loads are unused, so the compiler drops them).
#[inline(always)]
fn block_sum_of<T: Num>(x: &[T], f: impl Fn(T) -> T) -> T::Acc {
    pair_sum(x, x, |v, _| f(v))
}

/// NaN-propagating max of a block (`-inf` for an empty block), in 8 lanes.
#[inline(always)]
pub fn block_max<T: Num>(x: &[T]) -> T::Acc {
    lanes_fold(x, T::from_f64(f64::NEG_INFINITY), |m, v| if v > m || v.is_nan() { v } else { m }).to_acc()
}

/// NaN-propagating min of a block (`+inf` for an empty block), in 8 lanes.
#[inline(always)]
pub fn block_min<T: Num>(x: &[T]) -> T::Acc {
    lanes_fold(x, T::from_f64(f64::INFINITY), |m, v| if v < m || v.is_nan() { v } else { m }).to_acc()
}

/// Folds a block in 8 independent lanes, then folds the lanes. `f(acc, v)` must keep NaN
/// once it is in `acc` (the comparisons above do: `v > NaN` is false).
#[inline(always)]
fn lanes_fold<T: Num>(x: &[T], init: T, f: impl Fn(T, T) -> T) -> T {
    let mut lanes = [init; 8];
    let chunks = x.chunks_exact(8);
    let rem = chunks.remainder();
    for c in chunks {
        for i in 0..8 {
            lanes[i] = f(lanes[i], c[i]);
        }
    }
    let mut m = init;
    for l in lanes {
        m = f(m, l);
    }
    for &r in rem {
        m = f(m, r);
    }
    m
}
