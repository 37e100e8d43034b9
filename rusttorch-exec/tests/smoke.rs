//! Smoke tests: workloads agree fused, eager and by the f64 reference; their plans; the tests' generator.

mod common;

use common::{Outputs, Tol};
use rusttorch_exec::prelude::*;

/// Uniform in [-2, 2), float32.
fn data(dims: &[usize], seed: u64) -> Tensor {
    common::uniform(dims, seed, DType::F32, -2.0, 2.0)
}

fn check<O: Outputs>(build: impl Fn() -> O) {
    common::assert_paths_agree(&[common::engine()], Tol::rel(1e-5), Tol::rel(1e-5), build);
}

#[test]
fn w1_and_friends() {
    let n = 10_007;
    let (a, b, c) = (data(&[n], 1), data(&[n], 2), data(&[n], 3));
    let w1 = || (((((&a * &b).unwrap() + &c).unwrap() * 0.5).unwrap()) - (&a * &c).unwrap()).unwrap();
    insta::assert_snapshot!("w1", w1().explain().unwrap());
    check(w1);
    let ssd = || {
        let d = (&a - &b).unwrap();
        (&d * &d).unwrap().sum(None, false).unwrap()
    };
    insta::assert_snapshot!("sum_of_squared_difference", ssd().explain().unwrap());
    check(ssd);
    let x = data(&[37, 300], 4);
    insta::assert_snapshot!("softmax_rows", x.softmax(-1).unwrap().explain().unwrap());
    check(|| x.softmax(-1).unwrap());
    insta::assert_snapshot!("softmax_columns", x.softmax(0).unwrap().explain().unwrap());
    check(|| x.softmax(0).unwrap());
    let w = data(&[300], 5);
    let ln = || x.layer_norm(1, Some(&w), Some(&w), 1e-5).unwrap();
    insta::assert_snapshot!("layer_norm", ln().explain().unwrap());
    check(ln);
    let big = data(&[40, 5000], 6);
    check(|| big.sum(Some(&[0]), false).unwrap());
    check(|| big.sum(Some(&[1]), true).unwrap());
    check(|| big.max(None, false).unwrap());
    check(|| big.softmax(1).unwrap());
    let col = data(&[70000, 3], 7);
    check(|| col.sum(Some(&[0]), false).unwrap());
    check(|| col.mean(Some(&[1]), false).unwrap());
    let long = data(&[300_000], 8);
    check(|| long.exp().unwrap().sum(None, false).unwrap());
    check(|| long.gelu(GeluApprox::Tanh).unwrap());
}

#[test]
fn mixed_dtypes_promote_to_f64() {
    let a = Tensor::from_vec(vec![1.5f32, 2.5, -3.0], [3]).unwrap();
    let b = Tensor::from_vec(vec![0.1f64, 0.2, 0.3], [3]).unwrap();
    let y = || (&a * &b).unwrap().exp().unwrap();
    assert_eq!(y().dtype(), DType::F64);
    check(y);
    let r = Tensor::randn([1000], 7, DType::F32).unwrap();
    let m = r.mean(None, false).unwrap().to_vec::<f32>().unwrap()[0];
    assert!(m.abs() < 0.15, "mean of randn {m}");
}

#[test]
fn the_tests_generator_draws_the_stream_of_tensor_rand() {
    for seed in [0, 7, u64::MAX] {
        let want = Tensor::rand([1000], seed, DType::F64).unwrap().to_vec::<f64>().unwrap();
        assert_eq!(common::uniform_values(1000, seed, 0.0, 1.0), want);
        let want = Tensor::rand([3, 333], seed, DType::F32).unwrap().to_vec::<f32>().unwrap();
        assert_eq!(common::rand(&[3, 333], seed).to_vec::<f32>().unwrap(), want);
    }
}
