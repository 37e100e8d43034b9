//! Vectorisable transcendental functions over blocks.
//!
//! The f32 `exp`, `tanh`, `erf`, `ln` and `ln_1p` are branch-free polynomial kernels
//! (Cephes-style range reduction) written as plain loops so they compile to SIMD. Their error
//! against the f64 reference, measured over every float32 (`crate::accuracy_tests`, where the
//! asserted bounds live; docs/numerics.md):
//! - `exp_f32`: 1 ulp (fused multiply-adds; without FMA hardware `mul_add` is libm's `fmaf`:
//!   the same result, slower); results down to the subnormals (`exp(-100) = 3.7e-44`), 0 below
//!   -103.97, +inf above 88.72; NaN propagates.
//! - `tanh_f32`: 1.5 ulp (fused multiply-adds); exactly ±1.0 where tanh rounds to it,
//!   `tanh(-0.0) = -0.0`.
//! - `erf_f32`: 1.5e-7 absolute (series near 0, `1 - erfc` with a Chebyshev erfc beyond); exact
//!   GELU uses the `erfc` directly ([`gelu_erf_f32`]).
//! - `ln_f32`: 1 ulp, subnormals included; `ln_1p_f32`: 3 ulp.
//!
//! f64 versions use the standard library's (libm's) scalar functions.

// Polynomial coefficients are kept exactly as published (Cephes), digits beyond f32 included.
#![allow(clippy::excessive_precision)]

/// `d[i] = exp(a[i])` for f32.
#[inline(always)]
pub fn exp_f32(d: &mut [f32], a: &[f32]) {
    for (d, &x) in d.iter_mut().zip(a) {
        *d = exp1_f32(x);
    }
}

#[inline(always)]
fn exp1_f32(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const C1: f32 = 0.693_359_4;
    const C2: f32 = -2.121_944_4e-4;
    const MAGIC: f32 = 12_582_912.0; // 1.5 * 2^23: adding it rounds to an integer
                                     // Past both ends the result over- or underflows by itself: e^89 > f32::MAX, and e^-104 <
                                     // 2^-150 (half the smallest subnormal) rounds to 0.
    let xc = x.clamp(-104.0, 89.0);
    // Every polynomial step is a fused multiply-add: one rounding each (1 ulp where unfused
    // steps gave 2) and half the instructions.
    let t = xc.mul_add(LOG2E, MAGIC);
    let n = t - MAGIC;
    // The integer n sits in the low mantissa bits of `t`: read it with integer ops (a float to
    // int `as` cast saturates, which compiles to scalar code per lane).
    let ni = (t.to_bits() as i32).wrapping_sub(MAGIC.to_bits() as i32);
    let r = n.mul_add(-C2, n.mul_add(-C1, xc));
    let mut p = 1.987_569_1e-4f32;
    for k in [1.398_199_9e-3, 8.333_452e-3, 4.166_579_6e-2, 1.666_666_5e-1, 5.000_000_1e-1] {
        p = p.mul_add(r, k);
    }
    let y = (p * r).mul_add(r, r) + 1.0;
    // 2^n for n in [-150, 129] as two normal factors 2^h * 2^(n-h), h = n/2: the first product
    // is exact, the second rounds once, into the subnormals (e^-100 = 3.7e-44) or to inf.
    let h = ni >> 1;
    let s1 = f32::from_bits(((h + 127) as u32) << 23);
    let s2 = f32::from_bits(((ni - h + 127) as u32) << 23);
    let v = y * s1 * s2;
    if x.is_nan() {
        x
    } else {
        v
    }
}

/// `d[i] = tanh(a[i])` for f32.
#[inline(always)]
pub fn tanh_f32(d: &mut [f32], a: &[f32]) {
    for (d, &x) in d.iter_mut().zip(a) {
        *d = tanh1_f32(x);
    }
}

/// `tanh` on `|x|` with the sign put back at the end (tanh is odd, and `tanh(-0.0)` is -0.0).
/// Large `|x|`: `1 - 2/(e^{2|x|} + 1)`, no cancellation there; small `|x| < 0.625`: the odd
/// polynomial of Cephes `tanhf`, avoiding `1 - (1 - small)`. Every polynomial step is a fused
/// multiply-add (one rounding: 1.3 ulp where unfused steps gave 4, and half the instructions;
/// without FMA hardware `mul_add` is libm's `fmaf`, same result, slower).
#[inline(always)]
fn tanh1_f32(x: f32) -> f32 {
    const MAGIC: f32 = 12_582_912.0; // 1.5 * 2^23, as in `exp1_f32`
    let ax = x.abs();
    // Past 10 the result rounds to 1.0 (1 - tanh(10) = 4e-9 is below half an ulp of 1). The
    // comparison keeps a NaN.
    let a = if ax > 10.0 { 10.0 } else { ax };
    // e^{2a} as in `exp1_f32`, for 2a in [0, 20]: no clamp, and 2^n in [1, 2^29] is one normal.
    let t = a.mul_add(2.0 * std::f32::consts::LOG2_E, MAGIC);
    let n = t - MAGIC;
    let ni = (t.to_bits() as i32).wrapping_sub(MAGIC.to_bits() as i32);
    let r = n.mul_add(-0.693_359_4, a + a);
    let r = n.mul_add(2.121_944_4e-4, r);
    let mut p = 1.987_569_1e-4f32;
    for k in [1.398_199_9e-3, 8.333_452e-3, 4.166_579_6e-2, 1.666_666_5e-1, 5.000_000_1e-1] {
        p = p.mul_add(r, k);
    }
    let y = (p * r).mul_add(r, r) + 1.0;
    let e = y * f32::from_bits(((ni + 127) as u32) << 23);
    let big = 1.0 - 2.0 / (e + 1.0);
    let z = a * a;
    let mut q = (-5.704_988_7e-3f32).mul_add(z, 2.063_908_9e-2);
    for k in [-5.373_971_6e-2, 1.333_144_2e-1, -3.333_328_2e-1] {
        q = q.mul_add(z, k);
    }
    let small = (q * z).mul_add(a, a);
    let v = if a < 0.625 { small } else { big };
    // `v` is +0.0 or positive, or a NaN when `x` is one (every step passes it on): or-ing in the
    // sign of `x` is `copysign` in one instruction fewer, and a NaN needs no select.
    f32::from_bits(v.to_bits() | (x.to_bits() & 0x8000_0000))
}

/// `(erf(x), erfc(|x|))` for f32, each accurate where it is used: `erf` for `|x| < 0.5`
/// (Maclaurin series to x^13, truncation error below 1e-9), `erfc(|x|)` for `|x| >= 0.5` (the
/// Chebyshev fit of Numerical Recipes' `erfcc`, fractional error below 1.2e-7).
#[inline(always)]
fn erf_parts(x: f32) -> (f32, f32) {
    let z = x * x;
    let small = x
        * (std::f32::consts::FRAC_2_SQRT_PI
            + z * (-0.376_126_4
                + z * (0.112_837_92 + z * (-0.026_866_17 + z * (0.005_223_977 + z * (-8.548_3e-4 + z * 1.205_5e-4))))));
    let t = 1.0 / (1.0 + 0.5 * x.abs());
    let p = -1.265_512_2
        + t * (1.000_023_7
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_9 + t * (1.488_515_9 + t * (-0.822_152_2 + t * 0.170_872_77))))))));
    (small, t * exp1_f32(-z + p))
}

/// `d[i] = erf(a[i])` for f32.
#[inline(always)]
pub fn erf_f32(d: &mut [f32], a: &[f32]) {
    for (d, &x) in d.iter_mut().zip(a) {
        let (small, erfc) = erf_parts(x);
        let v = if x.abs() < 0.5 { small } else { (1.0 - erfc).copysign(x) };
        *d = if x.is_nan() { x } else { v };
    }
}

/// `d[i] = gelu(a[i]) = a[i] Φ(a[i])` for f32, with `2Φ(x) = 1 + erf(x/√2)` taken as
/// `erfc(|x|/√2)` for negative `x`: `1 + erf` would cancel there (at `x = -5` it keeps one
/// digit), `erfc` keeps its relative accuracy until the result underflows.
#[inline(always)]
pub fn gelu_erf_f32(d: &mut [f32], a: &[f32]) {
    for (d, &x) in d.iter_mut().zip(a) {
        let u = x * std::f32::consts::FRAC_1_SQRT_2;
        let (small, erfc) = erf_parts(u);
        let two_phi = if u.abs() < 0.5 {
            1.0 + small
        } else if u < 0.0 {
            erfc
        } else {
            2.0 - erfc
        };
        *d = 0.5 * x * two_phi;
    }
}

/// `d[i] = gelu(a[i])` for f64, `Φ` from `erfc` as in [`gelu_erf_f32`].
#[inline(always)]
pub fn gelu_erf_f64(d: &mut [f64], a: &[f64]) {
    for (d, &x) in d.iter_mut().zip(a) {
        *d = rusttorch_ir::op::gelu_erf_f64(x);
    }
}

/// `d[i] = ln(a[i])` for f32.
#[inline(always)]
pub fn ln_f32(d: &mut [f32], a: &[f32]) {
    for (d, &x) in d.iter_mut().zip(a) {
        *d = ln1_f32(x);
    }
}

/// Cephes `logf`: `x = m 2^e` with `m` in `[sqrt(1/2), sqrt(2))`, `ln(m)` by a polynomial in
/// `m - 1`, `e ln 2` added in two parts so that it is exact.
#[inline(always)]
fn ln1_f32(x: f32) -> f32 {
    // Subnormals are scaled into the normals first (2^23 x; the exponent is corrected below).
    let sub = x < f32::MIN_POSITIVE;
    let xs = if sub { x * 8_388_608.0 } else { x };
    let bits = xs.to_bits() as i32;
    let m = f32::from_bits(((bits & 0x007f_ffff) | 0x3f00_0000) as u32); // in [0.5, 1)
    let lo = m < std::f32::consts::FRAC_1_SQRT_2;
    let e = ((bits >> 23) & 0xff) - 126 - i32::from(lo) - if sub { 23 } else { 0 };
    let f = if lo { m + m - 1.0 } else { m - 1.0 };
    let z = f * f;
    let mut p = 7.037_683_6e-2f32;
    p = p * f - 1.151_461e-1;
    p = p * f + 1.167_699_9e-1;
    p = p * f - 1.242_014_1e-1;
    p = p * f + 1.424_932_3e-1;
    p = p * f - 1.666_805_8e-1;
    p = p * f + 2.000_071_4e-1;
    p = p * f - 2.499_999_4e-1;
    p = p * f + 3.333_333_1e-1;
    let ef = e as f32;
    let r = f + (p * f * z + ef * -2.121_944_4e-4 - 0.5 * z) + ef * 0.693_359_4;
    if x > 0.0 && x < f32::INFINITY {
        r
    } else if x == 0.0 {
        f32::NEG_INFINITY
    } else if x == f32::INFINITY {
        x
    } else {
        f32::NAN
    }
}

/// `d[i] = ln(1 + a[i])` for f32: with `u = 1 + x` rounded, `ln(u) * x / (u - 1)` corrects the
/// rounding of `u` (Goldberg's identity, "What every computer scientist should know about
/// floating-point arithmetic", thm. 4), and `x` itself where `u` rounds to 1.
#[inline(always)]
pub fn ln_1p_f32(d: &mut [f32], a: &[f32]) {
    for (d, &x) in d.iter_mut().zip(a) {
        let u = 1.0 + x;
        // `x / (u - 1)` first: near 1, and `ln(u) * x` would overflow for x near f32::MAX.
        let r = ln1_f32(u) * (x / (u - 1.0));
        *d = if u == 1.0 || x == f32::INFINITY { x } else { r };
    }
}

/// `d[i] = ln(1 + a[i])` for f64.
#[inline(always)]
pub fn ln_1p_f64(d: &mut [f64], a: &[f64]) {
    for (d, &x) in d.iter_mut().zip(a) {
        *d = x.ln_1p();
    }
}

/// `d[i] = exp(a[i])` for f64.
#[inline(always)]
pub fn exp_f64(d: &mut [f64], a: &[f64]) {
    for (d, &x) in d.iter_mut().zip(a) {
        *d = x.exp();
    }
}

/// `d[i] = tanh(a[i])` for f64.
#[inline(always)]
pub fn tanh_f64(d: &mut [f64], a: &[f64]) {
    for (d, &x) in d.iter_mut().zip(a) {
        *d = x.tanh();
    }
}

/// `d[i] = erf(a[i])` for f64.
#[inline(always)]
pub fn erf_f64(d: &mut [f64], a: &[f64]) {
    for (d, &x) in d.iter_mut().zip(a) {
        *d = rusttorch_ir::op::erf_f64(x);
    }
}

/// `d[i] = ln(a[i])` for f64.
#[inline(always)]
pub fn ln_f64(d: &mut [f64], a: &[f64]) {
    for (d, &x) in d.iter_mut().zip(a) {
        *d = x.ln();
    }
}
