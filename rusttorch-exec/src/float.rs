//! Element math for the block VM: the [`Float`] trait and whole-block loops for every op.
//!
//! Every loop here runs over a contiguous block with the op chosen once outside the loop, so
//! the simple ops compile to SIMD. Transcendentals go through [`crate::vmath`].

use crate::vmath;
use rusttorch_ir::op::{BinaryOp, GeluApprox, UnaryOp};
use rusttorch_ir::Element;
use std::ops::{Add, Div, Mul, Neg, Sub};

/// A float type the executor computes in (`f32`, `f64`).
pub trait Float:
    Element
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + Default
{
    /// 0
    const ZERO: Self;
    /// 1
    const ONE: Self;
    /// NaN
    const NAN: Self;
    /// Whether this is NaN.
    fn is_nan(self) -> bool;
    /// `e^x`
    fn exp(self) -> Self;
    /// natural log
    fn ln(self) -> Self;
    /// square root
    fn sqrt(self) -> Self;
    /// hyperbolic tangent
    fn tanh(self) -> Self;
    /// sine
    fn sin(self) -> Self;
    /// cosine
    fn cos(self) -> Self;
    /// `self^e`
    fn powf(self, e: Self) -> Self;
    /// `|x|`
    fn abs(self) -> Self;
    /// Whole-block `exp`.
    fn exp_block(d: &mut [Self], a: &[Self]);
    /// Whole-block `tanh`.
    fn tanh_block(d: &mut [Self], a: &[Self]);
    /// Whole-block `erf`.
    fn erf_block(d: &mut [Self], a: &[Self]);
    /// Whole-block natural log.
    fn ln_block(d: &mut [Self], a: &[Self]);
}

macro_rules! float_impl {
    ($t:ident, $exp:path, $tanh:path, $erf:path, $ln:path) => {
        impl Float for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const NAN: Self = $t::NAN;
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
        }
    };
}
float_impl!(f32, vmath::exp_f32, vmath::tanh_f32, vmath::erf_f32, vmath::ln_f32);
float_impl!(f64, vmath::exp_f64, vmath::tanh_f64, vmath::erf_f64, vmath::ln_f64);

#[inline(always)]
fn map1<T: Float>(d: &mut [T], a: &[T], f: impl Fn(T) -> T) {
    for (d, &a) in d.iter_mut().zip(a) {
        *d = f(a);
    }
}

#[inline(always)]
fn in_place<T: Float>(d: &mut [T], f: impl Fn(T) -> T) {
    for d in d.iter_mut() {
        *d = f(*d);
    }
}

/// `d = op(a)` over a block.
#[inline(always)]
pub fn unary<T: Float>(op: UnaryOp, d: &mut [T], a: &[T]) {
    use UnaryOp::*;
    match op {
        Neg => map1(d, a, |x| -x),
        Abs => map1(d, a, |x| x.abs()),
        Exp => T::exp_block(d, a),
        Log => T::ln_block(d, a),
        Sqrt => map1(d, a, |x| x.sqrt()),
        Rsqrt => map1(d, a, |x| T::ONE / x.sqrt()),
        Recip => map1(d, a, |x| T::ONE / x),
        Tanh => T::tanh_block(d, a),
        Sigmoid => {
            // 1 / (1 + e^-x): the negation, a block exp, then one divide.
            map1(d, a, |x| -x);
            in_place_block(d, T::exp_block);
            in_place(d, |e| T::ONE / (T::ONE + e));
        }
        Relu => map1(d, a, |x| if x > T::ZERO || x.is_nan() { x } else { T::ZERO }),
        LeakyRelu(s) => {
            let s = T::from_f64(s.get());
            map1(d, a, |x| if x >= T::ZERO || x.is_nan() { x } else { x * s })
        }
        Gelu(GeluApprox::Tanh) => {
            let c = T::from_f64(0.797_884_560_802_865_4);
            let k = T::from_f64(0.044715);
            let half = T::from_f64(0.5);
            map1(d, a, |x| c * (x + k * x * x * x));
            in_place_block(d, T::tanh_block);
            for (d, &x) in d.iter_mut().zip(a) {
                *d = half * x * (T::ONE + *d);
            }
        }
        Gelu(GeluApprox::Erf) => {
            let r = T::from_f64(std::f64::consts::FRAC_1_SQRT_2);
            let half = T::from_f64(0.5);
            map1(d, a, |x| x * r);
            in_place_block(d, T::erf_block);
            for (d, &x) in d.iter_mut().zip(a) {
                *d = half * x * (T::ONE + *d);
            }
        }
        Sin => map1(d, a, |x| x.sin()),
        Cos => map1(d, a, |x| x.cos()),
        Square => map1(d, a, |x| x * x),
        Copy => d.copy_from_slice(a),
    }
}

/// Applies a block function in place, through a small stack buffer.
#[inline(always)]
fn in_place_block<T: Float>(d: &mut [T], f: fn(&mut [T], &[T])) {
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
fn map2<T: Float>(d: &mut [T], a: Src<'_, T>, b: Src<'_, T>, f: impl Fn(T, T) -> T) {
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
fn nan_max<T: Float>(a: T, b: T) -> T {
    if a.is_nan() || b.is_nan() {
        T::NAN
    } else if a > b {
        a
    } else {
        b
    }
}

#[inline(always)]
fn nan_min<T: Float>(a: T, b: T) -> T {
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
pub fn binary<T: Float>(op: BinaryOp, d: &mut [T], a: Src<'_, T>, b: Src<'_, T>) {
    use BinaryOp::*;
    match op {
        Add => map2(d, a, b, |x, y| x + y),
        Sub => map2(d, a, b, |x, y| x - y),
        Mul => map2(d, a, b, |x, y| x * y),
        Div => map2(d, a, b, |x, y| x / y),
        Pow => map2(d, a, b, |x, y| x.powf(y)),
        Maximum => map2(d, a, b, nan_max),
        Minimum => map2(d, a, b, nan_min),
    }
}

/// Sum of a block: 256-element pieces are summed in 8 independent lanes of `T` (32 adds per
/// lane), and the pieces are combined in f64, so no f32 partial ever adds more than 32 values.
#[inline(always)]
pub fn block_sum<T: Float>(x: &[T]) -> f64 {
    let mut s = 0.0f64;
    for piece in x.chunks(256) {
        let mut lanes = [T::ZERO; 8];
        let chunks = piece.chunks_exact(8);
        let rem = chunks.remainder();
        for c in chunks {
            for i in 0..8 {
                lanes[i] = lanes[i] + c[i];
            }
        }
        let mut p = 0.0f64;
        for l in lanes {
            p += l.to_f64();
        }
        for &r in rem {
            p += r.to_f64();
        }
        s += p;
    }
    s
}

/// NaN-propagating max of a block (`-inf` for an empty block), in 8 lanes.
#[inline(always)]
pub fn block_max<T: Float>(x: &[T]) -> f64 {
    lanes_fold(x, T::from_f64(f64::NEG_INFINITY), |m, v| if v > m || v.is_nan() { v } else { m }).to_f64()
}

/// NaN-propagating min of a block (`+inf` for an empty block), in 8 lanes.
#[inline(always)]
pub fn block_min<T: Float>(x: &[T]) -> f64 {
    lanes_fold(x, T::from_f64(f64::INFINITY), |m, v| if v < m || v.is_nan() { v } else { m }).to_f64()
}

/// Folds a block in 8 independent lanes, then folds the lanes. `f(acc, v)` must keep NaN
/// once it is in `acc` (the comparisons above do: `v > NaN` is false).
#[inline(always)]
fn lanes_fold<T: Float>(x: &[T], init: T, f: impl Fn(T, T) -> T) -> T {
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
