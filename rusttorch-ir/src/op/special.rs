//! Scalar special functions the op table's references (and the executor's scalar loops) share:
//! `erfc`, `erfinv` and `nextafter` in f64, and `nextafter` in f32.

use std::f64::consts::FRAC_2_SQRT_PI;

/// `erfc` in f64 (the `libm` crate's port of FreeBSD's, under 1 ulp).
pub fn erfc_f64(x: f64) -> f64 {
    libm::erfc(x)
}

/// The next f64 after `a` toward `b` (`b` itself when they are equal, NaN if either is).
pub fn nextafter_f64(a: f64, b: f64) -> f64 {
    libm::nextafter(a, b)
}

/// The next f32 after `a` toward `b`.
pub fn nextafter_f32(a: f32, b: f32) -> f32 {
    libm::nextafterf(a, b)
}

/// `erfinv` in f64: Giles' single-precision approximation ("Approximating the erfinv function",
/// GPU Computing Gems, 2011) refined by Newton steps on the residual in the form that keeps its
/// digits (`erf(x) - y` below 0.5, `log(erfc(x) / (1 - y))` above, where `1 - y` is exact), so
/// the result is within a few ulp of f64 up to `|y| = 1 - 2^-53`. `±1` gives `±inf`, `|y| > 1` and
/// NaN give NaN, `±0` stays `±0`.
pub fn erfinv_f64(y: f64) -> f64 {
    let a = y.abs();
    if a.is_nan() || a > 1.0 {
        return f64::NAN;
    }
    if a == 1.0 {
        return f64::INFINITY.copysign(y);
    }
    if a == 0.0 {
        return y;
    }
    let mut x = giles(a);
    let c = 1.0 - a; // exact for a >= 0.5
    for _ in 0..6 {
        let d = FRAC_2_SQRT_PI * (-x * x).exp(); // erf'(x)
        let step = if a <= 0.5 {
            (a - libm::erf(x)) / d
        } else {
            // Newton on log(erfc(x)) = log(c): nearly linear in x, so a start far out in the
            // tail (where Giles' polynomial extrapolates) converges in a few steps.
            let e = libm::erfc(x);
            (e / c).ln() * e / d
        };
        x += step;
        if step.abs() <= 1e-16 * x {
            break;
        }
    }
    x.copysign(y)
}

/// Giles' approximation of `erfinv(a)` for `0 < a < 1` (about 1e-7 relative).
fn giles(a: f64) -> f64 {
    let w = -((1.0 - a) * (1.0 + a)).ln();
    let horner = |w: f64, c: &[f64]| c.iter().fold(0.0, |p, &c| p * w + c);
    let p = if w < 5.0 {
        horner(
            w - 2.5,
            &[
                2.810_226_36e-08,
                3.432_739_39e-07,
                -3.523_387_7e-06,
                -4.391_506_54e-06,
                0.000_218_580_87,
                -0.001_253_725_03,
                -0.004_177_681_64,
                0.246_640_727,
                1.501_409_41,
            ],
        )
    } else {
        horner(
            w.sqrt() - 3.0,
            &[
                -0.000_200_214_257,
                0.000_100_950_558,
                0.001_349_343_22,
                -0.003_673_428_44,
                0.005_739_507_73,
                -0.007_622_461_3,
                0.009_438_870_47,
                1.001_674_06,
                2.832_976_82,
            ],
        )
    };
    p * a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erfinv_inverts_erf() {
        // Where erf is well conditioned, a round trip; near ±1, where `erf(x)` rounds away
        // most of `x`, the residual `erfc(erfinv(1 - c)) = c` for exact `1 - c`.
        for i in 1..2000 {
            let x = -2.0 + 4.0 * i as f64 / 2000.0;
            let back = erfinv_f64(libm::erf(x));
            assert!((back - x).abs() <= 1e-13 * x.abs().max(1.0), "erfinv(erf({x})) = {back}");
        }
        for k in 2..=53 {
            let c = 2f64.powi(-k);
            let r = libm::erfc(erfinv_f64(1.0 - c));
            assert!((r - c).abs() <= 1e-13 * c, "erfc(erfinv(1 - 2^-{k})) = {r:e}");
            assert_eq!(erfinv_f64(c - 1.0), -erfinv_f64(1.0 - c));
        }
        assert_eq!(erfinv_f64(1.0), f64::INFINITY);
        assert_eq!(erfinv_f64(-1.0), f64::NEG_INFINITY);
        assert!(erfinv_f64(1.5).is_nan() && erfinv_f64(f64::NAN).is_nan());
        assert!(erfinv_f64(-0.0).is_sign_negative());
        // erfinv(1 - 2^-53) = erfcinv(2^-53), from SciPy.
        assert!((erfinv_f64(1.0 - f64::EPSILON / 2.0) - 5.863_584_748_755_168).abs() < 1e-13);
    }

    #[test]
    fn nextafter_steps_one_ulp() {
        assert_eq!(nextafter_f64(1.0, 2.0), 1.0 + f64::EPSILON);
        assert_eq!(nextafter_f32(1.0, 2.0), 1.0 + f32::EPSILON);
        assert_eq!(nextafter_f32(0.0, -1.0), -f32::from_bits(1));
    }
}
