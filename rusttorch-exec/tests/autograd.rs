//! Gradients built by `rusttorch_ir::autograd` against central finite differences in float64,
//! fused and eager, for every op kind: each unary and binary row of the op table, reductions,
//! views, matmul, gathers and scatters, scans and sorts, and the composites built from them.
#![allow(clippy::result_large_err)]

mod common;

use rusttorch_exec::prelude::*;
use rusttorch_ir::autograd::{self, GradOptions};
use rusttorch_ir::{BinaryOp, UnaryOp};

/// An f64 leaf requiring a gradient, uniform in `[lo, hi)`.
fn leaf(dims: &[usize], seed: u64, lo: f64, hi: f64) -> Tensor {
    let t = common::uniform(dims, seed, DType::F64, lo, hi);
    t.set_requires_grad(true).unwrap();
    t
}

fn eval(ts: &[Tensor], fuse: bool) {
    Engine::default_engine().eval_with(ts, fuse).unwrap();
}

/// `sum(f(inputs) * w)` for fixed weights `w`, so every output element has its own weight.
fn weighted(y: &Tensor) -> Tensor {
    let w = common::uniform(y.dims(), 99, DType::F64, 0.5, 1.5);
    (y * &w).unwrap().sum(None, false).unwrap()
}

/// Checks the autograd gradients of `f` at inputs of `dims` (uniform in `[lo, hi)`) against
/// central differences, fused and eager.
fn gradcheck(what: &str, dims: &[&[usize]], lo: f64, hi: f64, f: impl Fn(&[Tensor]) -> Tensor) {
    let inputs: Vec<Tensor> = dims.iter().enumerate().map(|(i, d)| leaf(d, 7 + i as u64, lo, hi)).collect();
    for fuse in [true, false] {
        let loss = weighted(&f(&inputs));
        let grads = autograd::grad(std::slice::from_ref(&loss), &inputs, &[], GradOptions::default()).unwrap();
        let grads: Vec<Tensor> = grads.into_iter().map(Option::unwrap).collect();
        let mut all = vec![loss];
        all.extend(grads.iter().cloned());
        eval(&all, fuse);
        for (k, x) in inputs.iter().enumerate() {
            let base = common::values(x);
            let got = common::values(&grads[k]);
            assert_eq!(got.len(), base.len(), "{what}: gradient {k} has the wrong size");
            let h = 1e-6;
            for j in 0..base.len() {
                let at = |delta: f64| {
                    let mut v = base.clone();
                    v[j] += delta;
                    let xs: Vec<Tensor> =
                        inputs
                            .iter()
                            .enumerate()
                            .map(|(i, t)| {
                                if i == k {
                                    Tensor::from_vec(v.clone(), t.dims().to_vec()).unwrap()
                                } else {
                                    t.detach()
                                }
                            })
                            .collect();
                    let l = autograd::no_grad(|| weighted(&f(&xs)));
                    eval(std::slice::from_ref(&l), true);
                    common::values(&l)[0]
                };
                let want = (at(h) - at(-h)) / (2.0 * h);
                let ok = (got[j] - want).abs() <= 1e-5 + 1e-4 * want.abs();
                assert!(ok, "{what} (fused={fuse}): d/dx{k}[{j}] = {} by autograd, {want} by differences", got[j]);
            }
        }
    }
}

/// Where `op` is smooth and finite: the inputs a gradient check draws from.
fn domain(op: UnaryOp) -> (f64, f64) {
    match op {
        UnaryOp::Log | UnaryOp::Log2 | UnaryOp::Log10 | UnaryOp::Sqrt | UnaryOp::Rsqrt | UnaryOp::Recip => (0.5, 2.0),
        UnaryOp::Log1p => (-0.5, 2.0),
        UnaryOp::Asin | UnaryOp::Acos | UnaryOp::Erfinv => (-0.9, 0.9),
        _ => (-2.0, 2.0),
    }
}

#[test]
fn every_unary_row_matches_finite_differences() {
    for op in UnaryOp::all() {
        if !matches!(op.rule(), rusttorch_ir::op::UnaryRule::Float | rusttorch_ir::op::UnaryRule::Numeric) {
            continue;
        }
        let (lo, hi) = domain(op);
        gradcheck(op.info().name, &[&[2, 3]], lo, hi, |x| x[0].unary(op).unwrap());
    }
}

#[test]
fn every_binary_row_matches_finite_differences_with_broadcasting() {
    for &op in BinaryOp::ALL {
        if op.is_comparison() || op.is_bitwise() || op == BinaryOp::NextAfter {
            continue;
        }
        let (lo, hi) = if op == BinaryOp::Pow { (0.5, 2.0) } else { (-2.0, 2.0) };
        gradcheck(op.info().name, &[&[2, 3], &[3]], lo, hi, |x| x[0].binary(op, &x[1]).unwrap());
        gradcheck(op.info().name, &[&[2, 1], &[1, 3]], lo, hi, |x| x[0].binary(op, &x[1]).unwrap());
    }
}

#[test]
fn reductions_and_composites_match_finite_differences() {
    gradcheck("sum", &[&[2, 3, 4]], -1.0, 1.0, |x| x[0].sum(Some(&[0, 2]), false).unwrap());
    gradcheck("mean keepdim", &[&[2, 3, 4]], -1.0, 1.0, |x| x[0].mean(Some(&[1]), true).unwrap());
    gradcheck("amax", &[&[3, 4]], -1.0, 1.0, |x| x[0].max(Some(&[1]), false).unwrap());
    gradcheck("amin all", &[&[3, 4]], -1.0, 1.0, |x| x[0].min(None, false).unwrap());
    gradcheck("prod", &[&[3, 4]], 0.5, 1.5, |x| x[0].prod(Some(&[0]), false).unwrap());
    gradcheck("var", &[&[3, 5]], -1.0, 1.0, |x| x[0].var(Some(&[1]), 1, false).unwrap());
    gradcheck("std", &[&[3, 5]], -1.0, 1.0, |x| x[0].std(None, 1, false).unwrap());
    gradcheck("logsumexp", &[&[3, 5]], -3.0, 3.0, |x| x[0].logsumexp(1, false).unwrap());
    gradcheck("softmax", &[&[3, 5]], -3.0, 3.0, |x| x[0].softmax(1).unwrap());
    gradcheck("log_softmax", &[&[3, 5]], -3.0, 3.0, |x| x[0].log_softmax(0).unwrap());
    gradcheck("cross_entropy", &[&[4, 5]], -3.0, 3.0, |x| x[0].cross_entropy(&[0, 4, 2, 2]).unwrap());
    gradcheck("layer_norm", &[&[3, 6], &[6], &[6]], -1.0, 1.0, |x| {
        x[0].layer_norm(1, Some(&x[1]), Some(&x[2]), 1e-5).unwrap()
    });
    gradcheck("gelu tanh of matmul", &[&[3, 4], &[4, 2]], -1.0, 1.0, |x| {
        x[0].matmul(&x[1]).unwrap().gelu(rusttorch_ir::GeluApprox::Tanh).unwrap()
    });
    for name in composite_names() {
        if ["isnan", "isinf", "isfinite", "signbit", "sign", "sgn", "acosh", "atanh", "frac"].contains(&name) {
            continue;
        }
        gradcheck(name, &[&[2, 3]], -0.9, 0.9, |x| composite(&x[0], name));
    }
    gradcheck("acosh", &[&[2, 3]], 1.5, 3.0, |x| x[0].acosh().unwrap());
    gradcheck("atanh", &[&[2, 3]], -0.9, 0.9, |x| x[0].atanh().unwrap());
}

/// The composite unary op of the op table named `name`.
fn composite(x: &Tensor, name: &str) -> Tensor {
    macro_rules! by_name {
        ($($(#[$doc:meta])* $name:ident, $f:expr;)*) => {
            match name {
                $(stringify!($name) => x.$name().unwrap(),)*
                _ => panic!("no composite {name}"),
            }
        };
    }
    rusttorch_ir::for_each_composite_op!(by_name)
}

fn composite_names() -> Vec<&'static str> {
    macro_rules! names {
        ($($(#[$doc:meta])* $name:ident, $f:expr;)*) => {
            vec![$(stringify!($name)),*]
        };
    }
    rusttorch_ir::for_each_composite_op!(names)
}

#[test]
fn views_and_movement_match_finite_differences() {
    gradcheck("permute", &[&[2, 3, 4]], -1.0, 1.0, |x| x[0].permute(&[2, 0, 1]).unwrap());
    gradcheck("slice with step", &[&[7, 3]], -1.0, 1.0, |x| x[0].slice(0, Some(1), Some(7), 2).unwrap());
    gradcheck("negative step", &[&[5, 2]], -1.0, 1.0, |x| x[0].flip(&[0]).unwrap());
    gradcheck("expand", &[&[3, 1]], -1.0, 1.0, |x| x[0].expand(&[2, 3, 4]).unwrap());
    gradcheck("reshape", &[&[2, 6]], -1.0, 1.0, |x| x[0].reshape(&[3, 4]).unwrap().transpose(0, 1).unwrap());
    gradcheck("cat", &[&[2, 3], &[1, 3]], -1.0, 1.0, |x| Tensor::cat(&[x[0].clone(), x[1].clone()], 0).unwrap());
    gradcheck("stack", &[&[2, 3], &[2, 3]], -1.0, 1.0, |x| Tensor::stack(&[x[0].clone(), x[1].clone()], 1).unwrap());
    gradcheck("roll", &[&[4, 3]], -1.0, 1.0, |x| x[0].roll(&[1], &[0]).unwrap());
    gradcheck("where", &[&[2, 3], &[3]], -1.0, 1.0, |x| {
        x[0].gt(&Tensor::scalar(0.0, DType::F64)).unwrap().where_cond(&x[0], &x[1]).unwrap()
    });
}

#[test]
fn matmul_gathers_scatters_scans_and_sorts_match_finite_differences() {
    gradcheck("matmul batched broadcast", &[&[2, 3, 4], &[4, 2]], -1.0, 1.0, |x| x[0].matmul(&x[1]).unwrap());
    gradcheck("matmul vector", &[&[3, 4], &[4]], -1.0, 1.0, |x| x[0].matmul(&x[1]).unwrap());
    let index = Tensor::from_vec(vec![2i64, 0, 0, 1, 1, 2], [2, 3]).unwrap();
    gradcheck("gather", &[&[3, 3]], -1.0, 1.0, |x| x[0].gather(0, &index).unwrap());
    gradcheck("scatter_add", &[&[3, 3], &[2, 3]], -1.0, 1.0, |x| x[0].scatter_add(0, &index, &x[1]).unwrap());
    let unique = Tensor::from_vec(vec![2i64, 0, 1], [1, 3]).unwrap();
    gradcheck("scatter", &[&[3, 3], &[1, 3]], -1.0, 1.0, |x| x[0].scatter(0, &unique, &x[1]).unwrap());
    let rows = Tensor::from_vec(vec![1i64, 1, 0], [3]).unwrap();
    gradcheck("index_select", &[&[2, 3]], -1.0, 1.0, |x| x[0].index_select(0, &rows).unwrap());
    gradcheck("cumsum", &[&[3, 4]], -1.0, 1.0, |x| x[0].cumsum(1, None).unwrap());
    gradcheck("cumprod", &[&[3, 4]], 0.5, 1.5, |x| x[0].cumprod(0, None).unwrap());
    gradcheck("cummax", &[&[3, 4]], -1.0, 1.0, |x| x[0].cummax(1).unwrap().0);
    gradcheck("logcumsumexp", &[&[3, 4]], -2.0, 2.0, |x| x[0].logcumsumexp(1).unwrap());
    gradcheck("sort", &[&[3, 4]], -1.0, 1.0, |x| x[0].sort(1, true).unwrap().0);
    gradcheck("topk", &[&[3, 5]], -1.0, 1.0, |x| x[0].topk(2, 1, true).unwrap().0);
    gradcheck("median", &[&[3, 5]], -1.0, 1.0, |x| x[0].median_dim(1, false).unwrap().0);
}

#[test]
fn backward_accumulates_and_frees_the_graph() {
    let x = leaf(&[3], 1, -1.0, 1.0);
    let y = x.square().unwrap().sum(None, false).unwrap();
    let set =
        autograd::backward(std::slice::from_ref(&y), &[], GradOptions { retain_graph: true, ..Default::default() })
            .unwrap();
    eval(&set, true);
    let set = autograd::backward(std::slice::from_ref(&y), &[], GradOptions::default()).unwrap();
    eval(&set, true);
    let xs = common::values(&x);
    let g = common::values(&x.grad().unwrap());
    for (g, x) in g.iter().zip(&xs) {
        assert!((g - 4.0 * x).abs() < 1e-12, "two backward passes accumulate 2x twice");
    }
    let again = autograd::backward(&[y], &[], GradOptions::default()).unwrap_err();
    assert!(again.to_string().contains("second time"), "{again}");
}

#[test]
fn second_derivatives_come_from_differentiating_the_backward_graph() {
    let x = leaf(&[4], 3, -1.0, 1.0);
    let y = x.tanh().unwrap().sum(None, false).unwrap();
    let opts = GradOptions { create_graph: true, ..Default::default() };
    let dx = autograd::grad(&[y], std::slice::from_ref(&x), &[], opts).unwrap().remove(0).unwrap();
    assert!(dx.requires_grad());
    let ddx =
        autograd::grad(&[dx.sum(None, false).unwrap()], std::slice::from_ref(&x), &[], GradOptions::default()).unwrap();
    let ddx = ddx[0].clone().unwrap();
    eval(std::slice::from_ref(&ddx), true);
    for (got, x) in common::values(&ddx).iter().zip(common::values(&x)) {
        let t = x.tanh();
        assert!((got - (-2.0 * t * (1.0 - t * t))).abs() < 1e-12);
    }
}

#[test]
fn the_backward_of_an_elementwise_chain_is_one_kernel() {
    let x = leaf(&[64, 64], 5, -1.0, 1.0);
    let y = x.gelu(rusttorch_ir::GeluApprox::Tanh).unwrap().sigmoid().unwrap().sum(None, false).unwrap();
    let g = autograd::grad(std::slice::from_ref(&y), std::slice::from_ref(&x), &[], GradOptions::default())
        .unwrap()
        .remove(0)
        .unwrap();
    let exe = Engine::default_engine().plan_for(&[g], true).unwrap();
    assert_eq!(exe.num_kernels(), 1, "{}", exe.explain());
}

/// `d/dx sum(dy/dx · w)` by differentiating the backward graph (`create_graph`), against
/// central differences of the first derivative.
fn gradgradcheck(what: &str, lo: f64, hi: f64, f: impl Fn(&Tensor) -> Tensor) {
    let x = leaf(&[5], 11, lo, hi);
    let first = |x: &Tensor| {
        let opts = GradOptions { create_graph: true, ..Default::default() };
        autograd::grad(&[weighted(&f(x))], std::slice::from_ref(x), &[], opts).unwrap().remove(0).unwrap()
    };
    let g = first(&x);
    let base = common::values(&x);
    // A first derivative that does not depend on `x` (relu, leaky_relu) has no record: its
    // derivative is zero.
    let got = if g.requires_grad() {
        let gg = autograd::grad(&[weighted(&g)], std::slice::from_ref(&x), &[], GradOptions::default()).unwrap();
        let gg = gg[0].clone().unwrap();
        eval(std::slice::from_ref(&gg), true);
        common::values(&gg)
    } else {
        vec![0.0; base.len()]
    };
    let h = 1e-6;
    for j in 0..base.len() {
        let at = |delta: f64| {
            let mut v = base.clone();
            v[j] += delta;
            let xm = Tensor::from_vec(v, [base.len()]).unwrap();
            xm.set_requires_grad(true).unwrap();
            let l = weighted(&first(&xm));
            eval(std::slice::from_ref(&l), true);
            common::values(&l)[0]
        };
        let want = (at(h) - at(-h)) / (2.0 * h);
        let ok = (got[j] - want).abs() <= 1e-5 + 1e-4 * want.abs();
        assert!(ok, "{what}: second derivative [{j}] = {} by autograd, {want} by differences", got[j]);
    }
}

#[test]
fn every_unary_row_has_a_differentiable_gradient() {
    for op in UnaryOp::all() {
        if op.rule() != rusttorch_ir::op::UnaryRule::Float {
            continue;
        }
        let (lo, hi) = domain(op);
        gradgradcheck(op.info().name, lo, hi, |x| x.unary(op).unwrap());
    }
    gradgradcheck("softmax", -2.0, 2.0, |x| x.softmax(0).unwrap());
    gradgradcheck("layer_norm", -2.0, 2.0, |x| x.layer_norm(1, None, None, 1e-5).unwrap());
    gradgradcheck("pow", 0.5, 2.0, |x| x.binary(BinaryOp::Pow, &x.flip(&[0]).unwrap()).unwrap());
    gradgradcheck("atan2", 0.5, 2.0, |x| x.binary(BinaryOp::Atan2, &x.square().unwrap()).unwrap());
}
