//! Scalar f64 implementations of the elementwise ops that need more than one expression: the
//! oracle of the tests and of constant folding (the op table's reference column calls them).

/// `erf` in f64 (the `libm` crate's port of FreeBSD's, under 1 ulp).
pub fn erf_f64(x: f64) -> f64 {
    libm::erf(x)
}

/// Exact GELU in f64, `x Φ(x)` with `2Φ(x) = erfc(-x/√2)`: `1 + erf(x/√2)` would cancel for
/// negative `x`, `erfc` keeps full relative accuracy.
pub fn gelu_erf_f64(x: f64) -> f64 {
    0.5 * x * libm::erfc(-x * std::f64::consts::FRAC_1_SQRT_2)
}

/// The constant of the tanh form of GELU, `sqrt(2/pi)`.
pub const GELU_TANH_C: f64 = 0.797_884_560_802_865_4;

/// Tanh-approximated GELU in f64, `0.5 x (1 + tanh(u))` with `u = sqrt(2/pi) (x + 0.044715 x^3)`,
/// computed as the equal `x sigmoid(2u)`: no cancellation for negative `x`, and `-0.0` and the
/// saturated ends (`-1e6` gives `-0.0`, `+inf` gives `+inf`) come out exactly.
pub fn gelu_tanh_f64(x: f64) -> f64 {
    x * sigmoid_f64(2.0 * GELU_TANH_C * (x + 0.044715 * x * x * x))
}

/// `1 / (1 + e^-x)` in f64 from `e = e^-|x|` (never overflows): `e / (1 + e)` below 0 keeps the
/// tiny results that `1 / (1 + e^-x)` turns into `1/inf = 0`.
pub fn sigmoid_f64(x: f64) -> f64 {
    let e = (-x.abs()).exp();
    let r = 1.0 / (1.0 + e);
    if x >= 0.0 {
        r
    } else {
        e * r
    }
}

/// Python's float `divmod` (NumPy's `npy_divmod`): the quotient is floored, the remainder takes
/// the divisor's sign; `b == 0` gives `(a / b, NaN)`.
pub fn py_divmod(a: f64, b: f64) -> (f64, f64) {
    if b == 0.0 {
        return (a / b, f64::NAN);
    }
    let mut m = a % b;
    let mut div = (a - m) / b;
    if m != 0.0 {
        if (b < 0.0) != (m < 0.0) {
            m += b;
            div -= 1.0;
        }
    } else {
        m = 0.0f64.copysign(b);
    }
    let q = if div != 0.0 {
        let f = div.floor();
        if div - f > 0.5 {
            f + 1.0
        } else {
            f
        }
    } else {
        0.0f64.copysign(a / b)
    };
    (q, m)
}
