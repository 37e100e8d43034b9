//! Row composites on rows holding inf, -inf and NaN (docs/numerics.md): fused, eager and the f64
//! reference give the same values, and the values PyTorch defines.
#![allow(clippy::result_large_err)]

mod common;

use common::Tol;
use rusttorch_exec::prelude::*;

const INF: f64 = f64::INFINITY;
const NAN: f64 = f64::NAN;

/// Rows of two: masked, all masked, +inf, mixed infinities, NaN, ordinary.
const ROWS: [[f64; 2]; 8] =
    [[0.0, -INF], [-INF, -INF], [INF, 1.0], [INF, -INF], [INF, INF], [NAN, 1.0], [-INF, 5.0], [1.0, 2.0]];

fn rows(dtype: DType) -> Tensor {
    let flat: Vec<f64> = ROWS.iter().flatten().copied().collect();
    match dtype {
        DType::F32 => Tensor::from_vec(flat.iter().map(|&v| v as f32).collect::<Vec<_>>(), [8, 2]).unwrap(),
        _ => Tensor::from_vec(flat, [8, 2]).unwrap(),
    }
}

/// Evaluates `build()` fused, eager and by the reference; all three must agree (NaN where NaN,
/// infinities exactly, finite values within `tol`) and equal `want`.
fn check(build: impl Fn() -> Tensor, want: &[f64], tol: f64) {
    let tol = Tol::abs(tol);
    let paths = common::assert_paths_agree(&[common::engine()], tol, tol, build);
    for (name, got) in [("fused", &paths.fused[0]), ("eager", &paths.eager[0]), ("reference", &paths.reference[0])] {
        common::compare(name, got, want, tol).unwrap_or_else(|m| panic!("{m} (all: {got:?})"));
    }
}

#[test]
fn logsumexp_of_infinite_rows_is_torchs() {
    let want = [0.0, -INF, INF, INF, INF, NAN, 5.0, 2.0 + (-1f64).exp().ln_1p()];
    for dt in [DType::F32, DType::F64] {
        check(|| rows(dt).logsumexp(1, false).unwrap(), &want, 1e-6);
        check(|| rows(dt).logsumexp(-1, true).unwrap(), &want, 1e-6);
    }
}

#[test]
fn softmax_and_log_softmax_of_infinite_rows_are_torchs() {
    let s = 1.0 / (1.0 + (-1f64).exp());
    #[rustfmt::skip]
    let soft = [1.0, 0.0, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, 0.0, 1.0, 1.0 - s, s];
    #[rustfmt::skip]
    let logsoft = [0.0, -INF, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, -INF, 0.0, (1.0 - s).ln(), s.ln()];
    for dt in [DType::F32, DType::F64] {
        check(|| rows(dt).softmax(1).unwrap(), &soft, 1e-6);
        check(|| rows(dt).log_softmax(1).unwrap(), &logsoft, 1e-6);
    }
}

#[test]
fn cross_entropy_ignores_masked_logits_off_the_target() {
    for dt in [DType::F32, DType::F64] {
        let x = || rows(dt).slice(0, Some(0), Some(1), 1).unwrap();
        check(|| x().cross_entropy(&[0]).unwrap(), &[0.0], 1e-7);
        check(|| x().cross_entropy(&[1]).unwrap(), &[INF], 1e-7);
        for (r, t) in [(1, 0), (2, 0), (2, 1), (5, 1)] {
            check(|| rows(dt).slice(0, Some(r), Some(r + 1), 1).unwrap().cross_entropy(&[t]).unwrap(), &[NAN], 0.0);
        }
    }
}

#[test]
fn layer_norm_and_var_of_infinite_rows_are_nan() {
    for dt in [DType::F32, DType::F64] {
        let mut ln = [NAN; 16];
        ln[14..].copy_from_slice(&[-0.999_980_000_599_98, 0.999_980_000_599_98]);
        check(|| rows(dt).layer_norm(1, None, None, 1e-5).unwrap(), &ln, 1e-6);
        let var = [NAN, NAN, NAN, NAN, NAN, NAN, NAN, 0.5];
        check(|| rows(dt).var(Some(&[1]), 1, false).unwrap(), &var, 1e-7);
    }
}
