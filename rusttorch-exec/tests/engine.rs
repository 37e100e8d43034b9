//! Engine behaviour: plan snapshots and kernel counts, determinism across thread counts, deep
//! graphs, caching, compile-once, multi-output plans, the recompute rule and typed errors.
#![allow(clippy::result_large_err)]

mod common;

use common::{assert_close, assert_fused_eager, engine, rand, values, Tol};
use insta::assert_snapshot;
use rusttorch_exec::prelude::*;
use rusttorch_ir::Error;

fn w1(a: &Tensor, b: &Tensor, c: &Tensor) -> Tensor {
    ((((a * b).unwrap() + c).unwrap() * 0.5).unwrap() - (a * c).unwrap()).unwrap()
}

/// Fused = eager = the f64 reference for `build()` on a 2-thread engine, each within `rtol`
/// of the other, relative to `1 + |value|`.
fn assert_paths_within<O: common::Outputs>(rtol: f64, build: impl Fn() -> O) {
    let tol = Tol::isclose(rtol, rtol);
    common::assert_paths_agree(&[engine()], tol, tol, build);
}

#[test]
fn w1_is_one_kernel_reading_each_input_once() {
    let n = 1000;
    let (a, b, c) = (rand(&[n], 1), rand(&[n], 2), rand(&[n], 3));
    let y = w1(&a, &b, &c);
    assert_snapshot!(engine().explain(std::slice::from_ref(&y)).unwrap());
}

#[test]
fn sum_of_squared_difference_is_one_kernel() {
    let (a, b) = (rand(&[4096], 1), rand(&[4096], 2));
    let d = (&a - &b).unwrap();
    let y = (&d * &d).unwrap().sum(None, false).unwrap();
    assert_snapshot!(engine().explain(std::slice::from_ref(&y)).unwrap());
}

#[test]
fn softmax_rows_is_one_kernel_reading_x_once() {
    let x = rand(&[64, 4096], 1);
    let y = x.softmax(1).unwrap();
    assert_snapshot!(engine().explain(std::slice::from_ref(&y)).unwrap());
}

#[test]
fn layernorm_rows_is_one_kernel() {
    let x = rand(&[8, 512], 1);
    let (w, b) = (rand(&[512], 2), rand(&[512], 3));
    let y = || x.layer_norm(1, Some(&w), Some(&b), 1e-5).unwrap();
    assert_snapshot!(engine().explain(&[y()]).unwrap());
    assert_paths_within(1e-5, y);
}

#[test]
fn softmax_over_an_outer_dim_takes_three_column_passes() {
    let x = rand(&[300, 20], 1);
    let y = x.softmax(0).unwrap();
    let exe = engine().plan_for(std::slice::from_ref(&y), true).unwrap();
    assert_eq!(exe.num_kernels(), 3, "{}", exe.explain());
}

#[test]
fn several_outputs_share_one_kernel_and_their_common_work() {
    let (a, b, c) = (rand(&[5000], 1), rand(&[5000], 2), rand(&[5000], 3));
    let outputs = || {
        let ab = (&a * &b).unwrap();
        [(&ab + &c).unwrap(), (&ab - &c).unwrap(), ab.sum(None, false).unwrap()]
    };
    let [y1, y2, _] = outputs();
    let exe = engine().plan_for(&[y1, y2], true).unwrap();
    assert_eq!(exe.num_kernels(), 1, "{}", exe.explain());
    assert_eq!(exe.plan().kernels[0].ops, ["mul", "add", "sub"], "a*b is computed once");
    assert_paths_within(1e-5, outputs);
}

#[test]
fn shared_node_is_recomputed_when_cheap_and_materialised_when_not() {
    let x = rand(&[64, 32], 1);
    // Cheap (1 flop): recomputed by the row-sum kernel and the column-sum kernel.
    let cheap = (&x * 2.0).unwrap();
    let r = cheap.sum(Some(&[1]), false).unwrap();
    let c = cheap.sum(Some(&[0]), false).unwrap();
    let exe = engine().plan_for(&[r, c], true).unwrap();
    assert_eq!(exe.num_kernels(), 2, "{}", exe.explain());
    // Expensive (several transcendentals): computed once, stored, read by both.
    let sums = || {
        let dear = x.exp().unwrap().tanh().unwrap().sigmoid().unwrap();
        [dear.sum(Some(&[1]), false).unwrap(), dear.sum(Some(&[0]), false).unwrap()]
    };
    let exe = engine().plan_for(&sums(), true).unwrap();
    assert_eq!(exe.num_kernels(), 3, "{}", exe.explain());
    assert_paths_within(1e-5, sums);
}

#[test]
fn results_are_bitwise_identical_for_1_2_and_16_threads() {
    let x = rand(&[3_000_000], 7);
    let m = rand(&[700, 300], 8);
    let build = || {
        vec![
            x.sum(None, false).unwrap(),
            (&x * &x).unwrap().mean(None, false).unwrap(),
            m.sum(Some(&[0]), false).unwrap(),
            m.softmax(1).unwrap(),
            m.max(Some(&[1]), false).unwrap(),
            x.reshape(&[3000, 1000]).unwrap().sum(Some(&[0]), false).unwrap(),
        ]
    };
    common::assert_same_bits_for_threads(&[2, 16], build);
}

#[test]
fn f32_sum_of_16m_stays_within_1e6_of_f64() {
    let x = rand(&[16 << 20], 3);
    common::assert_paths_agree(&[engine()], Tol::Bitwise, Tol::relative(1e-6), || x.sum(None, false).unwrap());
}

#[test]
fn a_100k_op_chain_builds_plans_runs_and_drops() {
    let x = rand(&[256], 1);
    let mut y = x.clone();
    for i in 0..100_000 {
        y = if i % 2 == 0 { (&y * 0.999_99).unwrap() } else { (&y + 1e-6).unwrap() };
    }
    let e = engine();
    let exe = e.plan_for(std::slice::from_ref(&y), true).unwrap();
    assert_eq!(exe.num_kernels(), 1);
    e.eval(std::slice::from_ref(&y)).unwrap();
    let (xs, ys) = (x.buffer().unwrap().to_f64_vec(), y.buffer().unwrap().to_f64_vec());
    let mut want = xs[0];
    for i in 0..100_000 {
        want = if i % 2 == 0 { (want as f32 * 0.999_99f32) as f64 } else { (want as f32 + 1e-6f32) as f64 };
    }
    assert!((ys[0] - want).abs() < 1e-4, "got {}, want {want}", ys[0]);
    drop(y); // dropping the chain must not overflow the stack
}

#[test]
fn evaluated_tensors_are_read_not_recomputed() {
    let (a, b) = (rand(&[100], 1), rand(&[100], 2));
    let y = (&a * &b).unwrap().exp().unwrap();
    let e = engine();
    e.eval(std::slice::from_ref(&y)).unwrap();
    assert!(y.operands().is_empty(), "an evaluated node forgets its inputs");
    let z = (&y + 1.0).unwrap();
    let exe = e.plan_for(std::slice::from_ref(&z), true).unwrap();
    assert_eq!(exe.plan().kernels[0].ops, ["add"]);
}

#[test]
fn structurally_identical_evals_hit_the_plan_cache() {
    let e = engine();
    for seed in 0..5 {
        let (a, b, c) = (rand(&[64], seed), rand(&[64], seed + 10), rand(&[64], seed + 20));
        e.eval(&[w1(&a, &b, &c)]).unwrap();
    }
    assert_eq!(e.cached_plans(), 1);
}

#[test]
fn structures_that_differ_get_their_own_plans() {
    // Same hash-relevant sizes, different structure: sharing (a*a vs a*b), constant, op.
    let e = engine();
    let (a, b) = (rand(&[64], 1), rand(&[64], 2));
    let ys = [(&a * &a).unwrap(), (&a * &b).unwrap(), (&a * 0.5).unwrap(), (&a * 0.25).unwrap(), (&a + &b).unwrap()];
    e.eval(&ys).unwrap();
    let (av, bv) = (a.to_vec::<f32>().unwrap(), b.to_vec::<f32>().unwrap());
    let expect: [Vec<f32>; 5] = [
        av.iter().map(|x| x * x).collect(),
        av.iter().zip(&bv).map(|(x, y)| x * y).collect(),
        av.iter().map(|x| x * 0.5).collect(),
        av.iter().map(|x| x * 0.25).collect(),
        av.iter().zip(&bv).map(|(x, y)| x + y).collect(),
    ];
    // One by one, each from the cache after its first evaluation.
    for _ in 0..2 {
        let ys =
            [(&a * &a).unwrap(), (&a * &b).unwrap(), (&a * 0.5).unwrap(), (&a * 0.25).unwrap(), (&a + &b).unwrap()];
        for (y, want) in ys.iter().zip(&expect) {
            assert_eq!(&y.to_vec::<f32>().unwrap(), want);
        }
    }
}

#[test]
fn only_small_evaluations_count_as_small() {
    let e = engine();
    let (a, b, c) = (rand(&[1024], 1), rand(&[1024], 2), rand(&[1024], 3));
    assert!(e.prepare(&[w1(&a, &b, &c)], true).unwrap().is_small());
    let big = rand(&[1 << 20], 4);
    assert!(!e.prepare(&[(&big * 2.0).unwrap()], true).unwrap().is_small());
    // A small result of a large reduction is not small work.
    assert!(!e.prepare(&[big.sum(None, false).unwrap()], true).unwrap().is_small());
    let y = (&a + 1.0).unwrap();
    e.prepare(std::slice::from_ref(&y), true).unwrap().run().unwrap();
    assert!(y.is_evaluated());
}

#[test]
fn compile_once_run_many() {
    let e = engine();
    let a = Tensor::placeholder([3], DType::F32).unwrap();
    let b = Tensor::placeholder([3], DType::F32).unwrap();
    let y = (&(&a * &b).unwrap() + 1.0).unwrap();
    let exe = e.compile(&[a, b], &[y]).unwrap();
    for k in 0..3 {
        let k = k as f32;
        let out = exe.run(&e, &[Buffer::from_vec(vec![1.0f32, 2.0, 3.0]), Buffer::from_vec(vec![k, k, k])]).unwrap();
        assert_eq!(out[0].as_slice::<f32>().unwrap(), &[k + 1.0, 2.0 * k + 1.0, 3.0 * k + 1.0]);
    }
    let bad = exe.run(&e, &[Buffer::from_vec(vec![1.0f32]), Buffer::from_vec(vec![1.0f32; 3])]);
    assert!(matches!(bad, Err(Error::BadInput { .. })), "{bad:?}");
}

#[test]
fn eager_matches_fused() {
    let x = rand(&[37, 129], 4);
    let w = rand(&[129], 5);
    let build = || x.layer_norm(1, Some(&w), None, 1e-5).unwrap().gelu(GeluApprox::Erf).unwrap().softmax(0).unwrap();
    assert!(engine().plan_for(&[build()], false).unwrap().num_kernels() > 5);
    common::assert_paths_agree(&[engine()], Tol::isclose(1e-6, 1e-6), Tol::isclose(1e-5, 1e-5), build);
}

#[test]
fn bad_input_gives_typed_errors_at_build_time() {
    let a = rand(&[3, 4], 1);
    let b = rand(&[5], 2);
    let err = (&a + &b).unwrap_err();
    assert_eq!(err.to_string(), "add: shapes [3, 4] and [5] do not broadcast");
    assert!(matches!(a.sum(Some(&[2]), false), Err(Error::DimOutOfRange { dim: 2, ndim: 2, .. })));
    assert!(matches!(a.softmax(-3), Err(Error::DimOutOfRange { .. })));
    let empty = Tensor::from_vec(Vec::<f32>::new(), [0, 3]).unwrap();
    assert!(matches!(empty.max(None, false), Err(Error::EmptyReduction { .. })));
    assert!(matches!(empty.min(Some(&[0]), false), Err(Error::EmptyReduction { .. })));
    assert!(matches!(Tensor::from_vec(vec![1.0f32; 5], [2, 3]), Err(Error::BufferLength { expected: 6, got: 5, .. })));
    assert!(matches!(a.reshape(&[5, -1]), Err(Error::BadReshape { .. })));
    assert!(matches!(Tensor::zeros([1 << 40, 1 << 30], DType::F32), Err(Error::BadShape { .. })));
    let huge = Tensor::zeros([10_000_000_000_000], DType::F32).unwrap();
    assert!(matches!(huge.eval().map(|_| ()), Err(Error::OutOfMemory { .. })));
}

#[test]
fn empty_and_zero_d_tensors_evaluate() {
    let empty = Tensor::from_vec(Vec::<f32>::new(), [0, 3]).unwrap();
    let s = empty.sum(Some(&[0]), false).unwrap();
    assert_eq!(s.to_vec::<f32>().unwrap(), vec![0.0; 3]);
    let e2 = (&empty.exp().unwrap() + 1.0).unwrap();
    assert_eq!(e2.to_vec::<f32>().unwrap(), Vec::<f32>::new());
    let z = Tensor::from_vec(vec![2.0f64], Shape::scalar()).unwrap();
    assert_eq!((&z * &z).unwrap().to_vec::<f64>().unwrap(), vec![4.0]);
    let m = empty.mean(None, false).unwrap();
    assert!(m.to_vec::<f32>().unwrap()[0].is_nan(), "mean of nothing is NaN, as in NumPy");
}

#[test]
fn nan_and_inf_flow_through() {
    let x = Tensor::from_vec(vec![f32::NAN, f32::INFINITY, -1.0, 0.0], [4]).unwrap();
    let y = x.exp().unwrap().to_vec::<f32>().unwrap();
    assert!(y[0].is_nan());
    assert_eq!(y[1], f32::INFINITY);
    assert!(x.max(None, false).unwrap().to_vec::<f32>().unwrap()[0].is_nan());
    assert_eq!(x.relu().unwrap().to_vec::<f32>().unwrap()[1], f32::INFINITY);
    // Column reductions propagate NaN too.
    let m = Tensor::from_vec(vec![1.0f32, 2.0, f32::NAN, 0.5, 3.0, -1.0], [3, 2]).unwrap();
    let cmax = m.max(Some(&[0]), false).unwrap().to_vec::<f32>().unwrap();
    assert!(cmax[0].is_nan() && cmax[1] == 2.0, "{cmax:?}");
    let csum = m.sum(Some(&[0]), false).unwrap().to_vec::<f32>().unwrap();
    assert!(csum[0].is_nan() && csum[1] == 1.5, "{csum:?}");
}

#[test]
fn arange_full_and_broadcast_sources_evaluate() {
    let r = Tensor::arange(0.0, 5.0, 1.0, DType::F32).unwrap();
    assert_eq!(r.to_vec::<f32>().unwrap(), vec![0.0, 1.0, 2.0, 3.0, 4.0]);
    let z = Tensor::full([2, 2], 3.5, DType::F64).unwrap();
    assert_eq!(z.to_vec::<f64>().unwrap(), vec![3.5; 4]);
    let col = Tensor::from_vec(vec![1.0f32, 2.0], [2, 1]).unwrap();
    let y = (&col * &r).unwrap();
    assert_eq!(y.to_vec::<f32>().unwrap(), vec![0., 1., 2., 3., 4., 0., 2., 4., 6., 8.]);
}

#[test]
fn matmul_with_bias_and_relu_is_one_kernel_and_matches_reference() {
    let a = rand(&[70, 33], 1);
    let b = rand(&[33, 45], 2);
    let bias = rand(&[45], 3);
    let y = || (&a.matmul(&b).unwrap() + &bias).unwrap().relu().unwrap();
    let exe = engine().plan_for(&[y()], true).unwrap();
    assert_eq!(exe.num_kernels(), 1, "{}", exe.explain());
    assert_snapshot!(exe.explain());
    assert_paths_within(1e-5, y);
}

#[test]
fn matmul_shapes_follow_numpy() {
    let cases: [(&[usize], &[usize], &[usize]); 6] = [
        (&[5], &[5], &[]),
        (&[5], &[5, 3], &[3]),
        (&[4, 5], &[5], &[4]),
        (&[2, 1, 4, 5], &[3, 5, 6], &[2, 3, 4, 6]),
        (&[3, 4, 5], &[5, 2], &[3, 4, 2]),
        (&[1, 7], &[7, 1], &[1, 1]),
    ];
    for (i, (sa, sb, so)) in cases.iter().enumerate() {
        let (a, b) = (rand(sa, i as u64), rand(sb, 100 + i as u64));
        assert_eq!(a.matmul(&b).unwrap().dims(), *so);
        assert_paths_within(1e-5, || a.matmul(&b).unwrap());
    }
    let err = rand(&[3, 4], 1).matmul(&rand(&[5, 6], 2)).unwrap_err();
    assert_eq!(err.to_string(), "matmul: shapes [3, 4] and [5, 6] do not broadcast");
    let f64m = Tensor::randn([64, 64], 3, DType::F64).unwrap();
    assert_paths_within(1e-12, || f64m.matmul(&f64m).unwrap().tanh().unwrap());
}

#[test]
fn composites_match_reference_and_fuse() {
    let x = Tensor::randn([16, 300], 9, DType::F32).unwrap();
    let t = Tensor::randn([16, 300], 10, DType::F32).unwrap();
    let w = rand(&[300], 11);
    type Case = fn(&Tensor, &Tensor, &Tensor) -> Result<Tensor>;
    let cases: [Case; 8] = [
        |x, _, _| x.silu(),
        |x, _, _| x.softplus(1.0, 20.0),
        |x, _, _| x.var(Some(&[1]), 1, false),
        |x, _, _| x.std(None, 0, false),
        |x, _, _| x.logsumexp(-1, false),
        |x, _, w| x.rms_norm(1, Some(w), 1e-6),
        |x, t, _| x.mse_loss(t),
        |x, _, _| x.log_softmax(1),
    ];
    for case in cases {
        assert_paths_within(2e-5, || case(&x, &t, &w).unwrap());
    }
    let e = engine();
    let big = Tensor::randn([8, 1024], 12, DType::F32).unwrap();
    for (y, kernels) in [
        (big.logsumexp(1, true).unwrap(), 1),
        (big.rms_norm(1, None, 1e-6).unwrap(), 1),
        (big.var(Some(&[1]), 1, true).unwrap(), 1),
    ] {
        let exe = e.plan_for(std::slice::from_ref(&y), true).unwrap();
        assert_eq!(exe.num_kernels(), kernels, "{}", exe.explain());
    }
}

#[test]
fn views_are_read_in_place_and_match_reference() {
    let e = engine();
    let a = rand(&[6, 5, 4], 1);
    let b = rand(&[4, 5, 6], 2);
    let (c, d) = (rand(&[5, 1], 3), rand(&[4, 3], 4));
    type Case = fn(&Tensor, &Tensor, &Tensor, &Tensor) -> Tensor;
    let cases: [Case; 10] = [
        |a, b, _, _| (&a.permute(&[2, 1, 0]).unwrap() + b).unwrap(),
        |a, _, _, _| (&a.transpose(0, 2).unwrap().slice(0, Some(1), None, 2).unwrap() * 2.0).unwrap(),
        |a, _, _, _| a.slice(1, None, None, -1).unwrap().exp().unwrap(),
        |a, _, _, _| a.slice(0, Some(-2), Some(-7), -2).unwrap().sum(Some(&[0]), false).unwrap(),
        |a, _, _, _| a.select(2, -1).unwrap().softmax(1).unwrap(),
        |a, _, c, _| (&c.expand(&[2, 5, 4]).unwrap() + &a.slice(0, Some(0), Some(2), 1).unwrap()).unwrap(),
        |a, _, _, _| a.permute(&[1, 0, 2]).unwrap().reshape(&[5, 24]).unwrap().tanh().unwrap(),
        |a, _, _, d| a.transpose(0, 1).unwrap().flatten(0, 1).unwrap().matmul(d).unwrap(),
        |a, _, _, _| a.transpose(1, 2).unwrap().unsqueeze(0).unwrap().squeeze(None).unwrap(),
        |a, _, _, _| a.slice(2, Some(1), Some(3), 1).unwrap(),
    ];
    for case in cases {
        assert_paths_within(1e-5, || case(&a, &b, &c, &d));
    }
    // A transposed input is read through strides inside the fused kernel, not copied first.
    let y = (&a.permute(&[2, 1, 0]).unwrap() + &b).unwrap().relu().unwrap();
    let exe = e.plan_for(std::slice::from_ref(&y), true).unwrap();
    assert_eq!(exe.num_kernels(), 1, "{}", exe.explain());
    assert!(matches!(a.slice(0, None, None, 0), Err(Error::BadArgument { .. })));
    assert!(matches!(a.select(0, 6), Err(Error::IndexOutOfRange { index: 6, dim: 0, .. })));
    assert!(matches!(a.permute(&[0, 0, 1]), Err(Error::BadArgument { .. })));
    assert!(matches!(a.expand(&[6, 5, 3]), Err(Error::ShapeMismatch { .. })));
}

#[test]
fn squeezed_broadcast_operands_are_not_mistaken_for_row_values() {
    // [2] broadcasts along the last dim of [2, 2]; it is not a per-row value of the reduction.
    let x1 = Tensor::from_vec(vec![1.0f32, 2.0], [2]).unwrap();
    let x2 = Tensor::from_vec(vec![10.0f32, 20.0, 30.0, 40.0], [2, 2]).unwrap();
    let y = (&x1.neg().unwrap() + &x2).unwrap().sum(Some(&[1]), true).unwrap();
    assert_eq!(y.to_vec::<f32>().unwrap(), vec![27.0, 67.0]);
    let a = Tensor::from_vec(vec![1.0f32, 2.0], [1, 2]).unwrap();
    let b = Tensor::from_vec(vec![3.0f32, 4.0], [2]).unwrap();
    let z = (&a + &b.sum(Some(&[0]), true).unwrap()).unwrap();
    assert_eq!(z.to_vec::<f32>().unwrap(), vec![8.0, 9.0]);
    let m = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], [3, 2]).unwrap();
    let w = (&m - &m.sum(Some(&[1]), false).unwrap().slice(0, None, Some(2), 1).unwrap()).unwrap();
    assert_eq!(w.to_vec::<f32>().unwrap(), vec![-2.0, -5.0, 0.0, -3.0, 2.0, -1.0]);
}

#[test]
fn cat_and_stack_match_reference() {
    let a = rand(&[3, 4, 5], 1);
    let b = rand(&[3, 2, 5], 2);
    let c = Tensor::randn([3, 1, 5], 3, DType::F64).unwrap();
    type Case = fn(&Tensor, &Tensor, &Tensor) -> Tensor;
    let cases: [Case; 5] = [
        |a, b, c| Tensor::cat(&[a.clone(), b.clone(), c.clone()], 1).unwrap(),
        |a, _, _| Tensor::cat(&[a.clone(), a.transpose(0, 0).unwrap()], 0).unwrap(),
        |a, _, _| Tensor::cat(&[a.clone(), a.slice(2, None, None, -1).unwrap()], -1).unwrap().exp().unwrap(),
        |_, b, _| Tensor::stack(&[b.clone(), b.sqrt().unwrap(), b.clone()], 1).unwrap(),
        |a, _, _| {
            Tensor::stack(&[a.select(1, 0).unwrap(), a.select(1, 3).unwrap()], -1)
                .unwrap()
                .sum(Some(&[0]), false)
                .unwrap()
        },
    ];
    assert_eq!(cases[0](&a, &b, &c).dims(), &[3, 7, 5]);
    assert_eq!(cases[0](&a, &b, &c).dtype(), DType::F64);
    assert_eq!(cases[3](&a, &b, &c).dims(), &[3, 3, 2, 5]);
    for case in cases {
        assert_paths_within(1e-6, || case(&a, &b, &c));
    }
    assert!(matches!(Tensor::cat(&[a.clone(), b.clone()], 0), Err(Error::ConcatSize { .. })));
    assert!(matches!(Tensor::cat(&[], 0), Err(Error::BadArgument { .. })));
    assert!(matches!(Tensor::stack(&[a.clone(), b.clone()], 0), Err(Error::StackShape { .. })));
    let big = rand(&[300, 200], 4);
    assert_paths_within(0.0, || Tensor::cat(&[big.clone(), big.clone()], 1).unwrap());
}

#[test]
fn cross_entropy_matches_reference_in_two_kernels() {
    let logits = Tensor::randn([64, 10], 5, DType::F32).unwrap();
    let targets: Vec<usize> = (0..64).map(|i| (i * 7) % 10).collect();
    let loss = logits.cross_entropy(&targets).unwrap();
    let e = engine();
    let exe = e.plan_for(std::slice::from_ref(&loss), true).unwrap();
    assert!(exe.num_kernels() <= 2, "{}", exe.explain());
    let x = logits.buffer().unwrap().to_f64_vec();
    let mut want = 0.0;
    for (i, &t) in targets.iter().enumerate() {
        let row = &x[i * 10..(i + 1) * 10];
        let m = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let lse = m + row.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
        want += lse - row[t];
    }
    want /= 64.0;
    let got = loss.to_vec::<f32>().unwrap()[0] as f64;
    assert!((got - want).abs() < 1e-5 * want.abs().max(1.0), "got {got}, want {want}");
    assert!(matches!(logits.cross_entropy(&[10; 64]), Err(Error::IndexOutOfRange { .. })));
    assert!(matches!(logits.cross_entropy(&[0; 3]), Err(Error::BadArgument { .. })));
}

#[test]
fn repeated_in_place_updates_keep_memory_flat() {
    // `t = t + x; t.eval()` ten times over 16M floats: from the second step on, the old buffer
    // is donated and written in place (the first, a constant, is never stored), so the update
    // lives in one buffer whatever the number of steps. (Resident memory is process-wide and
    // other tests allocate concurrently, so the buffer's address is what is checked.)
    let e = engine();
    let n = 16 << 20;
    let x = Tensor::full([n], 1.0, DType::F32).unwrap();
    let mut t = Tensor::zeros([n], DType::F32).unwrap();
    let mut addresses = Vec::new();
    for _ in 0..10 {
        t = (&t + &x).unwrap();
        e.eval(std::slice::from_ref(&t)).unwrap();
        addresses.push(t.buffer().unwrap().as_ptr());
    }
    assert_eq!(t.buffer().unwrap().as_slice::<f32>().unwrap()[n - 1], 10.0);
    assert!(addresses[1..].iter().all(|&p| p == addresses[1]), "steps 2-10 reuse one buffer: {addresses:?}");
}

#[test]
fn stacking_a_thousand_rows_works() {
    let rows: Vec<Tensor> = (0..1000).map(|i| Tensor::full([3], i as f64, DType::F32).unwrap()).collect();
    let s = Tensor::stack(&rows, 0).unwrap();
    assert_eq!(s.dims(), &[1000, 3]);
    let v = s.to_vec::<f32>().unwrap();
    assert_eq!((v[0], v[3 * 517 + 2], v[2999]), (0.0, 517.0, 999.0));
}

#[test]
fn transposed_inputs_take_the_tiled_path_correctly() {
    // Large enough for tiles (>= 32 x 32), with edges that are not multiples of the tile.
    for (r, c) in [(100, 70), (64, 48), (33, 1000)] {
        let a = rand(&[c, r], 1);
        let b = rand(&[r, c], 2);
        assert_paths_within(1e-6, || ((&a.transpose(0, 1).unwrap() + &b).unwrap() * 2.0).unwrap().exp().unwrap());
    }
}

#[test]
fn an_in_place_update_writes_into_the_donated_buffer() {
    let e = engine();
    let n = 1 << 18;
    let x = rand(&[n], 7);
    let mut t = (&rand(&[n], 8) * 2.0).unwrap();
    e.eval(std::slice::from_ref(&t)).unwrap();
    let mut want: Vec<f32> = t.buffer().unwrap().as_slice::<f32>().unwrap().to_vec();
    let first = t.buffer().unwrap().as_ptr();
    let xs = x.buffer().unwrap().as_slice::<f32>().unwrap().to_vec();
    for step in 0..10 {
        // `t = t * 0.5 + x`, rebinding `t`: the old node's only handle is the new node's operand.
        t = ((&t * 0.5).unwrap() + &x).unwrap();
        e.eval(std::slice::from_ref(&t)).unwrap();
        for (w, &xv) in want.iter_mut().zip(&xs) {
            *w = *w * 0.5 + xv;
        }
        let b = t.buffer().unwrap();
        assert_eq!(b.as_ptr(), first, "step {step} wrote into the donated buffer");
        assert_eq!(b.as_slice::<f32>().unwrap(), &want[..]);
    }
    // Another handle on the buffer (an array viewing it) blocks donation: it keeps its values.
    let kept = t.buffer().unwrap();
    let before = kept.as_slice::<f32>().unwrap().to_vec();
    t = (&t + 1.0).unwrap();
    e.eval(std::slice::from_ref(&t)).unwrap();
    assert_ne!(t.buffer().unwrap().as_ptr(), kept.as_ptr());
    assert_eq!(kept.as_slice::<f32>().unwrap(), &before[..]);
    // A tensor that is still named elsewhere is not donated either.
    let y = (&t + 1.0).unwrap();
    e.eval(std::slice::from_ref(&y)).unwrap();
    assert_ne!(y.buffer().unwrap().as_ptr(), t.buffer().unwrap().as_ptr());
    assert!(t.is_evaluated());
}

#[test]
fn a_sum_of_squares_squares_while_summing_with_the_same_bits() {
    // `sum((a-b)**2)` sums the squares of `a-b` without a register for them; the result is
    // bitwise that of squaring first (`d*d` is not rewritten), for one long row, short rows and
    // the variance inside layer_norm.
    let e = engine();
    for dims in [vec![1 << 20], vec![300, 77], vec![5, 40_000]] {
        let (a, b) = (rand(&dims, 3), rand(&dims, 4));
        let last = [-1isize];
        let sq = (&a - &b).unwrap().square().unwrap().sum(Some(&last), false).unwrap();
        let d = (&a - &b).unwrap();
        let mm = (&d * &d).unwrap().sum(Some(&last), false).unwrap();
        let plan = e.plan_for(std::slice::from_ref(&sq), true).unwrap();
        assert!(plan.plan().kernels[0].stages[0].reduces[0].square, "{}", plan.explain());
        e.eval(&[sq.clone(), mm.clone()]).unwrap();
        assert_close(&values(&sq), &values(&mm), Tol::Bitwise);
    }
    let x = rand(&[64, 1000], 5);
    let ln = || x.layer_norm(1, None, None, 1e-5).unwrap();
    let plan = e.plan_for(&[ln()], true).unwrap();
    assert!(plan.plan().kernels.iter().flat_map(|k| &k.stages).flat_map(|s| &s.reduces).any(|r| r.square));
    assert_paths_within(1e-5, ln);
}

#[test]
fn column_reductions_of_wide_rows_match_the_reference() {
    // Rows wider than a block take one block per row (up to WHOLE_ROW_MAX), wider still the
    // block-wide tiles; both against the f64 reference, with work before and after the sum.
    for (r, c) in [(300, 5000), (37, 8192), (50, 10_000), (3, 1500)] {
        let x = rand(&[r, c], 9);
        assert_paths_within(1e-5, || {
            let s = ((&x * 2.0).unwrap().exp().unwrap().sum(Some(&[0]), false).unwrap() + 1.0).unwrap();
            [s, x.max(Some(&[0]), true).unwrap(), x.softmax(0).unwrap()]
        });
    }
}

#[test]
fn scalar_operands_are_shared_constants() {
    let a = Tensor::from_vec(vec![1.0f32, 2.0], [2]).unwrap();
    let d = Tensor::from_vec(vec![1.0f64, 2.0], [2]).unwrap();
    let (y1, y2, y3) = ((&a * 0.5).unwrap(), (&a * 0.5).unwrap(), (&a * 0.25).unwrap());
    let y4 = (&d * 0.5).unwrap();
    let c = |y: &Tensor| y.operands()[1].id();
    assert_eq!(c(&y1), c(&y2), "the same constant is one node");
    assert_ne!(c(&y1), c(&y3), "another value is another node");
    assert_ne!(c(&y1), c(&y4), "another dtype is another node");
    engine().eval(&[y1.clone(), y3.clone(), y4.clone()]).unwrap();
    assert_eq!(y1.to_vec::<f32>().unwrap(), [0.5, 1.0]);
    assert_eq!(y3.to_vec::<f32>().unwrap(), [0.25, 0.5]);
    assert_eq!(y4.to_vec::<f64>().unwrap(), [0.5, 1.0]);
    assert_eq!(y2.to_vec::<f32>().unwrap(), [0.5, 1.0], "sharing the constant with an evaluated tensor");
}

#[test]
fn a_sum_of_a_binary_op_runs_the_op_inside_the_sum_with_the_same_bits() {
    // Long rows whose program ends in `a op b` feeding a sum compute the op inside the sum
    // (no block register for it); fused must equal eager (every op stored first) bit for bit.
    let e = engine();
    let n = (1 << 20) + 77;
    let (a, b) = (rand(&[n], 11), rand(&[n], 12));
    let three = Tensor::scalar(3.0, DType::F32);
    let all = [-1isize];
    let s = |t: Tensor| t.sum(Some(&all), false).unwrap();
    let build: Vec<Box<dyn Fn() -> Tensor>> = vec![
        Box::new(|| s((&a - &b).unwrap().square().unwrap())),
        Box::new(|| s((&a * &b).unwrap())),
        Box::new(|| s((&a + 2.0).unwrap())),
        Box::new(|| s(((&a * &b).unwrap().exp().unwrap() - &b).unwrap())),
        Box::new(|| s((&three - &a).unwrap())),
    ];
    for f in &build {
        assert_fused_eager(std::slice::from_ref(&e), Tol::Bitwise, f);
    }
    // Two sums in one kernel, the second fed by the program's last op.
    assert_paths_within(1e-6, || [s((&a * 2.0).unwrap()), s((&a * &b).unwrap())]);
}

#[test]
fn outputs_beyond_the_caches_are_streamed_whole_including_ragged_tails() {
    // Outputs of 32 MiB and more are written with non-temporal stores, a block's aligned middle
    // streamed and its unaligned ends stored plainly: every element must arrive, the last
    // partial block's included.
    let e = engine();
    let n = (8 << 20) + 13;
    let (a, b, c) = (rand(&[n], 21), rand(&[n], 22), rand(&[n], 23));
    let (y, m) = (w1(&a, &b, &c), a.gt(&b).unwrap());
    e.eval(&[y.clone(), m.clone()]).unwrap();
    let (av, bv, cv) = (a.to_vec::<f32>().unwrap(), b.to_vec::<f32>().unwrap(), c.to_vec::<f32>().unwrap());
    let want: Vec<f32> = (0..n).map(|i| (av[i] * bv[i] + cv[i]) * 0.5 - av[i] * cv[i]).collect();
    assert_eq!(y.to_vec::<f32>().unwrap(), want);
    let want_m: Vec<bool> = (0..n).map(|i| av[i] > bv[i]).collect();
    assert_eq!(m.to_vec::<bool>().unwrap(), want_m);
    // 8-byte elements, an odd length.
    let x = common::uniform(&[(4 << 20) + 5], 24, DType::F64, 0.0, 1.0);
    let z = ((&x * 3.0).unwrap() - 1.0).unwrap();
    e.eval(std::slice::from_ref(&z)).unwrap();
    let want: Vec<f64> = x.to_vec::<f64>().unwrap().iter().map(|v| v * 3.0 - 1.0).collect();
    assert_eq!(z.to_vec::<f64>().unwrap(), want);
    // Tiled kernels (a transposed input) stream whole tile rows of such outputs.
    let (r, c) = (2048 + 3, 4096 + 5);
    let (p, q) = (rand(&[c, r], 25), rand(&[r, c], 26));
    let t = (&p.transpose(0, 1).unwrap() + &q).unwrap();
    e.eval(std::slice::from_ref(&t)).unwrap();
    let (pv, qv) = (p.to_vec::<f32>().unwrap(), q.to_vec::<f32>().unwrap());
    let want: Vec<f32> = (0..r * c).map(|k| pv[(k % c) * r + k / c] + qv[k]).collect();
    assert_eq!(t.to_vec::<f32>().unwrap(), want);
}
