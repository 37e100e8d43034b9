//! Vectorisable transcendental functions over blocks.
//!
//! The f32 `exp`, `tanh` and `erf` are branch-free polynomial kernels (Cephes-style range
//! reduction) written as plain loops so they compile to SIMD; they are checked against f64 in
//! the tests below. Measured error (tests, dense sweep over the stated ranges):
//! - `exp_f32`: at most 2 ulp on [-87, 88]; below -87.3 the result flushes to 0 (no denormals),
//!   above 88.72 it is +inf; NaN propagates.
//! - `tanh_f32`: at most 2.5e-7 absolute, 4 ulp relative.
//! - `erf_f32`: at most 1.5e-7 absolute (series near 0, `1 - erfc` with a Chebyshev erfc beyond);
//!   used by exact GELU.
//!
//! f64 versions use the standard library's scalar functions.

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
    let xc = x.clamp(-87.336_55, 88.722_83);
    let t = xc * LOG2E + MAGIC;
    let n = t - MAGIC;
    // The integer n sits in the low mantissa bits of `t`: read it with integer ops (a float to
    // int `as` cast saturates, which compiles to scalar code per lane).
    let ni = (t.to_bits() as i32).wrapping_sub(MAGIC.to_bits() as i32);
    let r = xc - n * C1 - n * C2;
    let mut p = 1.987_569_1e-4f32;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 5.000_000_1e-1;
    let y = p * r * r + r + 1.0;
    // 2^n built from its bits; n is in [-126, 128] after the clamp.
    let scale = f32::from_bits(((ni.clamp(-126, 127) + 127) as u32) << 23);
    let extra = if ni > 127 { 2.0 } else { 1.0 };
    let v = y * scale * extra;
    if x.is_nan() {
        x
    } else if x > 88.722_83 {
        f32::INFINITY
    } else if x < -87.336_55 {
        0.0
    } else {
        v
    }
}

/// `d[i] = tanh(a[i])` for f32.
#[inline(always)]
pub fn tanh_f32(d: &mut [f32], a: &[f32]) {
    for (d, &x) in d.iter_mut().zip(a) {
        let ax = x.abs().min(9.0);
        // Large |x|: 1 - 2/(e^{2|x|} + 1), no cancellation there.
        let e = exp1_f32(2.0 * ax);
        let big = 1.0 - 2.0 / (e + 1.0);
        // Small |x|: odd polynomial (Cephes tanhf), avoiding 1 - (1 - small).
        let z = x * x;
        let small = ((((-5.704_988_7e-3 * z + 2.063_908_9e-2) * z - 5.373_971_6e-2) * z + 1.333_144_2e-1) * z
            - 3.333_328_2e-1)
            * z
            * x
            + x;
        let v = if ax < 0.625 { small } else { big.copysign(x) };
        *d = if x.is_nan() { x } else { v };
    }
}

/// `d[i] = erf(a[i])` for f32.
#[inline(always)]
pub fn erf_f32(d: &mut [f32], a: &[f32]) {
    for (d, &x) in d.iter_mut().zip(a) {
        // Small |x|: Maclaurin series to x^13 (truncation error < 1e-9 for |x| < 0.5).
        let z = x * x;
        let small = x
            * (std::f32::consts::FRAC_2_SQRT_PI
                + z * (-0.376_126_4
                    + z * (0.112_837_92
                        + z * (-0.026_866_17 + z * (0.005_223_977 + z * (-8.548_3e-4 + z * 1.205_5e-4))))));
        // Otherwise 1 - erfc, with erfc from the Chebyshev fit of Numerical Recipes (`erfcc`,
        // fractional error below 1.2e-7).
        let ax = x.abs();
        let t = 1.0 / (1.0 + 0.5 * ax);
        let p = -1.265_512_2
            + t * (1.000_023_7
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_9 + t * (1.488_515_9 + t * (-0.822_152_2 + t * 0.170_872_77))))))));
        let erfc = t * exp1_f32(-z + p);
        let big = (1.0 - erfc).copysign(x);
        let v = if ax < 0.5 { small } else { big };
        *d = if x.is_nan() { x } else { v };
    }
}

/// `d[i] = ln(a[i])` for f32.
#[inline(always)]
pub fn ln_f32(d: &mut [f32], a: &[f32]) {
    for (d, &x) in d.iter_mut().zip(a) {
        *d = x.ln();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ulp_diff(a: f32, b: f64) -> f64 {
        let b32 = b as f32;
        let ulp = (f32::from_bits(b32.abs().to_bits() + 1) - b32.abs()) as f64;
        (a as f64 - b).abs() / ulp
    }

    fn sweep(lo: f32, hi: f32, n: usize) -> Vec<f32> {
        (0..=n).map(|i| lo + (hi - lo) * (i as f32 / n as f32)).collect()
    }

    #[test]
    fn exp_f32_is_within_2_ulp() {
        let xs = sweep(-87.0, 88.0, 200_000);
        let mut d = vec![0.0; xs.len()];
        exp_f32(&mut d, &xs);
        let worst = xs.iter().zip(&d).map(|(&x, &y)| ulp_diff(y, (x as f64).exp())).fold(0.0, f64::max);
        assert!(worst <= 2.0, "worst {worst} ulp");
        let mut e = [0.0f32; 5];
        exp_f32(&mut e, &[f32::NAN, 100.0, -100.0, 0.0, f32::NEG_INFINITY]);
        assert!(e[0].is_nan());
        assert_eq!(&e[1..], &[f32::INFINITY, 0.0, 1.0, 0.0]);
    }

    #[test]
    fn tanh_f32_is_accurate() {
        let xs = sweep(-12.0, 12.0, 200_000);
        let mut d = vec![0.0; xs.len()];
        tanh_f32(&mut d, &xs);
        for (&x, &y) in xs.iter().zip(&d) {
            let r = (x as f64).tanh();
            assert!((y as f64 - r).abs() <= 2.5e-7 && ulp_diff(y, r) <= 4.0, "tanh({x}) = {y}, want {r}");
        }
    }

    #[test]
    fn erf_f32_is_accurate() {
        let xs = sweep(-6.0, 6.0, 100_000);
        let mut d = vec![0.0; xs.len()];
        erf_f32(&mut d, &xs);
        for (&x, &y) in xs.iter().zip(&d) {
            let r = rusttorch_ir::op::erf_f64(x as f64);
            assert!((y as f64 - r).abs() <= 1.5e-7, "erf({x}) = {y}, want {r}");
        }
    }

    #[test]
    fn reference_erf_matches_known_values() {
        let e = rusttorch_ir::op::erf_f64;
        assert!((e(0.5) - 0.520_499_877_813_046_5).abs() < 1e-15);
        assert!((e(1.0) - 0.842_700_792_949_714_9).abs() < 1e-15);
        assert!((e(3.0) - 0.999_977_909_503_001_4).abs() < 1e-15);
        assert!((e(-2.0) + 0.995_322_265_018_952_7).abs() < 1e-15);
    }
}
