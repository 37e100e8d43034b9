//! Block loops of the elementwise ops: `d = op(a)`, `d = a op b`, `d = cond ? a : b`.

use super::{truth, Num};
use rusttorch_ir::op::{BinaryOp, GeluApprox, UnaryOp};

/// `d[i] = f(a[i])` over a block.
#[inline(always)]
pub(super) fn map1<T: Num>(d: &mut [T], a: &[T], f: impl Fn(T) -> T) {
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
        Erf => T::erf_block(d, a),
        Log2 | Log10 | Exp2 | Erfc | Erfinv | Atan | Asin | Acos => T::scalar_block(op, d, a),
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

/// Max that propagates NaN from either side.
#[inline(always)]
pub(crate) fn nan_max<T: Num>(a: T, b: T) -> T {
    if a.is_nan() || b.is_nan() {
        T::NAN
    } else if a > b {
        a
    } else {
        b
    }
}

/// Min that propagates NaN from either side.
#[inline(always)]
pub(crate) fn nan_min<T: Num>(a: T, b: T) -> T {
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
        Fmod => map2(d, a, b, |x, y| x.fmod(y)),
        Atan2 => map2(d, a, b, |x, y| x.atan2(y)),
        Hypot => map2(d, a, b, |x, y| x.hypot(y)),
        Copysign => map2(d, a, b, |x, y| x.copysign(y)),
        NextAfter => map2(d, a, b, |x, y| x.next_after(y)),
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
