//! The losses of `tensor/losses.rs` (PyTorch's `nn.functional` losses): fused, eager and the f64
//! reference agree with values worked out by hand, and bad arguments are typed errors.
#![allow(clippy::result_large_err)]

mod common;

use common::Tol;
use rusttorch_exec::prelude::*;
use rusttorch_ir::BinaryOp;
use rusttorch_ir::{ClassLossOptions, Reduction};

fn check(build: impl Fn() -> Tensor, want: &[f64]) {
    let tol = Tol::abs(1e-12);
    let paths = common::assert_paths_agree(&[common::engine()], tol, tol, build);
    common::compare("fused", &paths.fused[0], want, tol).unwrap_or_else(|m| panic!("{m}"));
}

fn logits() -> Tensor {
    Tensor::from_vec(vec![0.0, 1.0, 2.0, 1.0, 1.0, 1.0], [2, 3]).unwrap()
}

/// `-log_softmax(row)[t]`.
fn nll(row: &[f64], t: usize) -> f64 {
    let lse = row.iter().map(|v| v.exp()).sum::<f64>().ln();
    lse - row[t]
}

#[test]
fn cross_entropy_weights_ignore_index_and_reductions() {
    let (r0, r1) = ([0.0, 1.0, 2.0], [1.0, 1.0, 1.0]);
    let target = Tensor::from_vec(vec![2i64, 0], [2]).unwrap();
    let w = Tensor::from_vec(vec![0.5f64, 1.0, 2.0], [3]).unwrap();
    let none = ClassLossOptions { reduction: Reduction::None, ..ClassLossOptions::default() };
    check(|| logits().cross_entropy_loss(&target, &none).unwrap(), &[nll(&r0, 2), nll(&r1, 0)]);
    let weighted = ClassLossOptions { weight: Some(w.clone()), ..ClassLossOptions::default() };
    let want = (2.0 * nll(&r0, 2) + 0.5 * nll(&r1, 0)) / 2.5;
    check(|| logits().cross_entropy_loss(&target, &weighted).unwrap(), &[want]);
    let ignored = Tensor::from_vec(vec![2i64, -100], [2]).unwrap();
    check(|| logits().cross_entropy_loss(&ignored, &ClassLossOptions::default()).unwrap(), &[nll(&r0, 2)]);
    let sum = ClassLossOptions { reduction: Reduction::Sum, ..ClassLossOptions::default() };
    check(|| logits().nll_loss(&target, &sum).unwrap(), &[-2.0 - 1.0]);
}

#[test]
fn label_smoothing_mixes_in_the_uniform_distribution() {
    let target = Tensor::from_vec(vec![2i64, 0], [2]).unwrap();
    let eps = 0.3;
    let opts = ClassLossOptions { label_smoothing: eps, reduction: Reduction::None, ..ClassLossOptions::default() };
    let want: Vec<f64> = [([0.0, 1.0, 2.0], 2), ([1.0, 1.0, 1.0], 0)]
        .iter()
        .map(|(row, t)| (1.0 - eps) * nll(row, *t) + eps / 3.0 * (0..3).map(|c| nll(row, c)).sum::<f64>())
        .collect();
    check(|| logits().cross_entropy_loss(&target, &opts).unwrap(), &want);
}

#[test]
fn class_targets_are_checked() {
    let bad = Tensor::from_vec(vec![0i64, 3], [2]).unwrap();
    let err = logits().cross_entropy_loss(&bad, &ClassLossOptions::default()).unwrap_err();
    assert!(matches!(err, Error::ClassIndex { op: "cross_entropy", position: 1, target: 3, .. }), "{err}");
    let lazy = Tensor::from_vec(vec![0i64, 1], [2]).unwrap().binary_scalar(BinaryOp::Add, 0i64).unwrap();
    assert!(matches!(logits().nll_loss(&lazy, &ClassLossOptions::default()), Err(Error::BadArgument { .. })));
    let floats = Tensor::from_vec(vec![0.0f64, 1.0], [2]).unwrap();
    assert!(matches!(logits().cross_entropy_loss(&floats, &ClassLossOptions::default()), Err(Error::BadType { .. })));
    assert!(matches!(Reduction::parse("mse_loss", "avg"), Err(Error::BadArgument { op: "mse_loss", .. })));
}

#[test]
fn elementwise_and_binary_losses() {
    let x = Tensor::from_vec(vec![0.0f64, 2.0, -3.0], [3]).unwrap();
    let y = Tensor::from_vec(vec![0.5f64, 0.0, 0.0], [3]).unwrap();
    check(|| x.mse_loss_with(&y, Reduction::Sum).unwrap(), &[0.25 + 4.0 + 9.0]);
    check(|| x.l1_loss(&y, Reduction::None).unwrap(), &[0.5, 2.0, 3.0]);
    check(|| x.smooth_l1_loss(&y, Reduction::None, 1.0).unwrap(), &[0.125, 1.5, 2.5]);
    check(|| x.huber_loss(&y, Reduction::None, 2.5).unwrap(), &[0.125, 2.0, 2.5 * (3.0 - 1.25)]);
    let p = Tensor::from_vec(vec![0.0f64, 1.0, 0.5], [3]).unwrap();
    let t = Tensor::from_vec(vec![1.0f64, 1.0, 0.0], [3]).unwrap();
    check(|| p.binary_cross_entropy(&t, None, Reduction::None).unwrap(), &[100.0, 0.0, 2f64.ln()]);
    let sp = |v: f64| v.exp().ln_1p();
    check(
        || x.binary_cross_entropy_with_logits(&t, None, None, Reduction::None).unwrap(),
        &[sp(-0.0), sp(-2.0), sp(-3.0)],
    );
}
