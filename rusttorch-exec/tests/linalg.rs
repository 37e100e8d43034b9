//! Reductions and linear algebra of issue 14: kernel counts of the cases that must fuse
//! (einsum's multiply-and-sum, masked triangles, products with their prologue), `prod` on every
//! reduction path against the f64 reference, and its determinism over thread counts.
#![allow(clippy::result_large_err)]

mod common;

use common::{assert_paths_agree, engine, evaluated, rand, uniform, values, Tol};
use rusttorch_exec::prelude::*;

fn kernels(outs: &[Tensor]) -> (usize, String) {
    let exe = engine().plan_for(outs, true).unwrap();
    (exe.num_kernels(), exe.explain())
}

#[test]
fn einsum_row_dot_is_one_fused_kernel() {
    let (x, y) = (rand(&[64, 300], 1), rand(&[64, 300], 2));
    let r = Tensor::einsum("ij,ij->i", &[x.clone(), y.clone()]).unwrap();
    let (n, plan) = kernels(std::slice::from_ref(&r));
    assert_eq!(n, 1, "{plan}");
    let want = (&x * &y).unwrap().sum(Some(&[1]), false).unwrap();
    assert_close_tensors(&r, &want, 1e-6);
}

#[test]
fn einsum_batched_product_is_a_matmul() {
    let (a, b) = (rand(&[3, 5, 7], 1), rand(&[3, 7, 4], 2));
    let r = Tensor::einsum("bij,bjk->bik", &[a.clone(), b.clone()]).unwrap();
    let (n, plan) = kernels(std::slice::from_ref(&r));
    assert_eq!(n, 1, "{plan}");
    assert!(plan.contains("matmul"), "{plan}");
    assert_close_tensors(&r, &a.matmul(&b).unwrap(), 1e-5);
}

#[test]
fn tril_times_two_summed_is_one_kernel() {
    let x = rand(&[50, 40], 3);
    let r = (&x.tril(0).unwrap() * 2.0).unwrap().sum(None, false).unwrap();
    let (n, plan) = kernels(std::slice::from_ref(&r));
    assert_eq!(n, 1, "{plan}");
    let xv = values(&x);
    let want: f64 = (0..50)
        .flat_map(|i| (0..40).map(move |j| (i, j)))
        .filter(|(i, j)| j <= i)
        .map(|(i, j)| 2.0 * xv[i * 40 + j])
        .sum();
    assert!((ev(&r)[0] - want).abs() < 1e-4 * want.abs().max(1.0));
}

#[test]
fn prod_fuses_its_elementwise_prologue() {
    let x = uniform(&[20, 30], 4, DType::F32, 0.9, 1.1);
    for dims in [None, Some(&[1isize][..]), Some(&[0isize][..])] {
        let r = (&x * 1.01).unwrap().exp().unwrap().prod(dims, false).unwrap();
        let (n, plan) = kernels(std::slice::from_ref(&r));
        assert_eq!(n, 1, "{plan}");
    }
}

#[test]
fn prod_matches_the_reference_on_every_reduction_path() {
    // Short rows, long rows (> 8192 per row), columns, the whole tensor; f32, f64 and int64.
    for (shape, dims) in [
        (vec![40, 30], vec![1isize]),
        (vec![3, 20_000], vec![1]),
        (vec![300, 70], vec![0]),
        (vec![5, 3000, 7], vec![1]),
        (vec![100_000], vec![0]),
    ] {
        for dtype in [DType::F32, DType::F64] {
            let x = uniform(&shape, 5, dtype, 0.999, 1.001);
            assert_paths_agree(&[engine()], Tol::isclose(1e-6, 1e-6), Tol::isclose(1e-6, 1e-6), || {
                x.prod(Some(&dims), false).unwrap()
            });
        }
        let xi = uniform(&shape, 6, DType::F32, -3.0, 3.0).cast(DType::I64).unwrap();
        let got = ev(&xi.prod(Some(&dims), false).unwrap());
        assert_eq!(got.len(), shape.iter().product::<usize>() / shape[dims[0] as usize]);
    }
}

#[test]
fn int_products_wrap_as_int64() {
    let x = Tensor::from_vec(vec![1i32 << 20; 4], [4]).unwrap();
    let p = x.prod(None, false).unwrap();
    assert_eq!(p.dtype(), DType::I64);
    engine().eval(std::slice::from_ref(&p)).unwrap();
    let want = (1i64 << 20).wrapping_mul(1 << 20).wrapping_mul(1 << 20).wrapping_mul(1 << 20);
    assert_eq!(p.buffer().unwrap().to_f64_vec()[0], want as f64);
}

#[test]
fn prod_is_bitwise_identical_for_1_2_and_16_threads() {
    let x = uniform(&[3_000_000], 7, DType::F32, 0.9999, 1.0001);
    let m = uniform(&[700, 300], 8, DType::F32, 0.99, 1.01);
    let build = || {
        vec![
            x.prod(None, false).unwrap(),
            m.prod(Some(&[0]), false).unwrap(),
            m.prod(Some(&[1]), false).unwrap(),
            x.reshape(&[3000, 1000]).unwrap().prod(Some(&[0]), false).unwrap(),
            x.reshape(&[30, 100_000]).unwrap().prod(Some(&[1]), false).unwrap(),
        ]
    };
    common::assert_same_bits_for_threads(&[2, 16], build);
}

#[test]
fn empty_reductions_give_identities_or_name_the_dim() {
    let e = Tensor::zeros([0, 3], DType::F32).unwrap();
    assert_eq!(ev(&e.prod(Some(&[0]), false).unwrap()), vec![1.0; 3]);
    assert_eq!(ev(&e.all(None, false).unwrap()), vec![1.0]);
    assert_eq!(ev(&e.any(Some(&[0]), false).unwrap()), vec![0.0; 3]);
    let msg = e.max(Some(&[-2]), false).unwrap_err().to_string();
    assert!(msg.starts_with("max: cannot reduce an empty dimension (dim -2 has size 0)"), "{msg}");
}

fn assert_close_tensors(a: &Tensor, b: &Tensor, tol: f64) {
    let (x, y) = (ev(a), ev(b));
    assert_eq!(a.dims(), b.dims());
    for (p, q) in x.iter().zip(&y) {
        assert!((p - q).abs() <= tol * (1.0 + q.abs()), "{p} vs {q}");
    }
}

fn ev(t: &Tensor) -> Vec<f64> {
    values(&evaluated(t, true))
}
