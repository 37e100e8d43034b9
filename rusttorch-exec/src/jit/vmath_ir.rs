//! The f32 transcendentals as inline vector code: the same polynomials, constants and order of
//! operations as [`crate::vmath`] (read it for the why of each step), so compiled kernels agree
//! with the VM bit for bit and inherit its measured accuracy bounds.

// Coefficients exactly as in vmath.rs.
#![allow(clippy::excessive_precision)]

use super::codegen::{e, Emit, R, V};
use inkwell::FloatPredicate as P;

impl<'c> Emit<'_, 'c> {
    /// `a * x + b` without fusing (two roundings, as the VM).
    fn mul_add(&self, a: V<'c>, x: V<'c>, b: f64) -> R<'c> {
        self.add(self.mul(a, x)?, self.c(b))
    }

    /// `vmath::exp1_f32`.
    pub(super) fn exp(&self, x: V<'c>) -> R<'c> {
        const MAGIC: f32 = 12_582_912.0;
        // f32::clamp(-104, 89): NaN stays NaN.
        let lo = self.sel(self.cmp(P::OLT, x, self.c(-104.0))?, self.c(-104.0), x)?;
        let xc = self.sel(self.cmp(P::OGT, lo, self.c(89.0))?, self.c(89.0), lo)?;
        let t = self.fma(xc, self.c(std::f32::consts::LOG2_E as f64), self.c(MAGIC as f64))?;
        let n = self.sub(t, self.c(MAGIC as f64))?;
        let ni = self.b.build_int_sub(self.bits(t)?, self.ci(MAGIC.to_bits() as i64), "").map_err(e)?;
        let r = self.fma(n, self.c(2.121_944_4e-4), self.fma(n, self.c(-0.693_359_4), xc)?)?;
        let mut p = self.c(1.987_569_1e-4);
        for k in [1.398_199_9e-3, 8.333_452e-3, 4.166_579_6e-2, 1.666_666_5e-1, 5.000_000_1e-1] {
            p = self.fma(p, r, self.c(k))?;
        }
        let y = self.add(self.fma(self.mul(p, r)?, r, r)?, self.c(1.0))?;
        let h = self.b.build_right_shift(ni, self.ci(1), true, "").map_err(e)?;
        let scale = |k: V<'c>| -> R<'c> {
            let biased = self.b.build_int_add(k, self.ci(127), "").map_err(e)?;
            self.float_of_bits(self.b.build_left_shift(biased, self.ci(23), "").map_err(e)?)
        };
        let s1 = scale(h)?;
        let s2 = scale(self.b.build_int_sub(ni, h, "").map_err(e)?)?;
        let v = self.mul(self.mul(y, s1)?, s2)?;
        self.keep_nan(x, v)
    }

    /// `a * x + b` with one rounding (`f32::mul_add`, as the VM's FMA steps).
    fn fma(&self, a: V<'c>, x: V<'c>, b: V<'c>) -> R<'c> {
        self.call("llvm.fma", &[a, x, b])
    }

    /// `vmath::tanh1_f32`.
    pub(super) fn tanh(&self, x: V<'c>) -> R<'c> {
        const MAGIC: f32 = 12_582_912.0;
        let ax = self.call("llvm.fabs", &[x])?;
        let a = self.sel(self.cmp(P::OGT, ax, self.c(10.0))?, self.c(10.0), ax)?;
        let t = self.fma(a, self.c((2.0 * std::f32::consts::LOG2_E) as f64), self.c(MAGIC as f64))?;
        let n = self.sub(t, self.c(MAGIC as f64))?;
        let ni = self.b.build_int_sub(self.bits(t)?, self.ci(MAGIC.to_bits() as i64), "").map_err(e)?;
        let r = self.fma(n, self.c(-0.693_359_4), self.add(a, a)?)?;
        let r = self.fma(n, self.c(2.121_944_4e-4), r)?;
        let mut p = self.c(1.987_569_1e-4);
        for k in [1.398_199_9e-3, 8.333_452e-3, 4.166_579_6e-2, 1.666_666_5e-1, 5.000_000_1e-1] {
            p = self.fma(p, r, self.c(k))?;
        }
        let y = self.add(self.fma(self.mul(p, r)?, r, r)?, self.c(1.0))?;
        let biased = self.b.build_int_add(ni, self.ci(127), "").map_err(e)?;
        let s = self.float_of_bits(self.b.build_left_shift(biased, self.ci(23), "").map_err(e)?)?;
        let ex = self.mul(y, s)?;
        let big = self.sub(self.c(1.0), self.div(self.c(2.0), self.add(ex, self.c(1.0))?)?)?;
        let z = self.mul(a, a)?;
        let mut q = self.fma(self.c(-5.704_988_7e-3), z, self.c(2.063_908_9e-2))?;
        for k in [-5.373_971_6e-2, 1.333_144_2e-1, -3.333_328_2e-1] {
            q = self.fma(q, z, self.c(k))?;
        }
        let small = self.fma(self.mul(q, z)?, a, a)?;
        let v = self.sel(self.cmp(P::OLT, a, self.c(0.625))?, small, big)?;
        let sign = self.b.build_and(self.bits(x)?, self.ci(self.sign_bit()), "").map_err(e)?;
        self.float_of_bits(self.b.build_or(self.bits(v)?, sign, "").map_err(e)?)
    }

    /// `vmath::ln1_f32`.
    pub(super) fn ln(&self, x: V<'c>) -> R<'c> {
        let i = |v: i64| self.ci(v);
        let b = self.b;
        let sub = self.cmp(P::OLT, x, self.c(f32::MIN_POSITIVE as f64))?;
        let xs = self.sel(sub, self.mul(x, self.c(8_388_608.0))?, x)?;
        let bits = self.bits(xs)?;
        let mant = b.build_or(b.build_and(bits, i(0x007f_ffff), "").map_err(e)?, i(0x3f00_0000), "").map_err(e)?;
        let m = self.float_of_bits(mant)?;
        let lo = self.cmp(P::OLT, m, self.c(std::f32::consts::FRAC_1_SQRT_2 as f64))?;
        let exp_bits = b.build_and(b.build_right_shift(bits, i(23), true, "").map_err(e)?, i(0xff), "").map_err(e)?;
        let lo_i = b.build_int_z_extend(lo, self.ivec(), "").map_err(e)?;
        let sub_i = self.b.build_select(sub, i(23), i(0), "").map_err(e)?.into_vector_value();
        let ev = b.build_int_sub(b.build_int_sub(exp_bits, i(126), "").map_err(e)?, lo_i, "").map_err(e)?;
        let ev = b.build_int_sub(ev, sub_i, "").map_err(e)?;
        let f = self.sel(lo, self.sub(self.add(m, m)?, self.c(1.0))?, self.sub(m, self.c(1.0))?)?;
        let z = self.mul(f, f)?;
        let mut p = self.c(7.037_683_6e-2);
        for k in [
            -1.151_461e-1,
            1.167_699_9e-1,
            -1.242_014_1e-1,
            1.424_932_3e-1,
            -1.666_805_8e-1,
            2.000_071_4e-1,
            -2.499_999_4e-1,
            3.333_333_1e-1,
        ] {
            p = self.mul_add(p, f, k)?;
        }
        let ef = b.build_signed_int_to_float(ev, self.fvec(), "").map_err(e)?;
        let inner = self.add(self.mul(self.mul(p, f)?, z)?, self.mul(ef, self.c(-2.121_944_4e-4))?)?;
        let inner = self.sub(inner, self.mul(self.c(0.5), z)?)?;
        let r = self.add(self.add(f, inner)?, self.mul(ef, self.c(0.693_359_4))?)?;
        let inf = self.c(f64::INFINITY);
        let finite_pos = b.build_and(self.cmp(P::OGT, x, self.c(0.0))?, self.cmp(P::OLT, x, inf)?, "").map_err(e)?;
        let at_inf = self.sel(self.cmp(P::OEQ, x, inf)?, x, self.c(f64::NAN))?;
        let at_zero = self.sel(self.cmp(P::OEQ, x, self.c(0.0))?, self.c(f64::NEG_INFINITY), at_inf)?;
        self.sel(finite_pos, r, at_zero)
    }

    /// `vmath::ln_1p_f32`.
    pub(super) fn ln_1p(&self, x: V<'c>) -> R<'c> {
        let u = self.add(self.c(1.0), x)?;
        let r = self.mul(self.ln(u)?, self.div(x, self.sub(u, self.c(1.0))?)?)?;
        let exact = self.b.build_or(self.cmp(P::OEQ, u, self.c(1.0))?, self.cmp(P::OEQ, x, self.c(f64::INFINITY))?, "");
        self.sel(exact.map_err(e)?, x, r)
    }

    /// `num::elementwise::sigmoid` of `z`: `e = exp(-|z|)`, `1/(1+e)` for `z >= 0`, else
    /// `e/(1+e)`.
    pub(super) fn sigmoid(&self, z: V<'c>) -> R<'c> {
        let ex = self.exp(self.neg(self.call("llvm.fabs", &[z])?)?)?;
        let r = self.div(self.c(1.0), self.add(self.c(1.0), ex)?)?;
        self.sel(self.cmp(P::OGE, z, self.c(0.0))?, r, self.mul(ex, r)?)
    }
}
