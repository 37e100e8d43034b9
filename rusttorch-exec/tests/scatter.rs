//! Scatters (kernels of their own writing at data-dependent positions): fused = eager = the f64
//! reference along every dim with every reduction, on views; the writes built on them
//! (index_add, index_put); donation of the written tensor's buffer (in place); bitwise the same
//! for any thread count; out-of-range indices as typed errors that leave nothing half-written.

mod common;

use common::Tol;
use rusttorch_exec::ir::op::{Op, ReduceOp};
use rusttorch_exec::ir::tensor::{Index, IndexItem};
use rusttorch_exec::prelude::*;

fn indices(dims: &[usize], size: usize, seed: u64, dtype: DType) -> Tensor {
    let n = dims.iter().product();
    let v: Vec<i64> = common::uniform_values(n, seed, 0.0, size as f64).iter().map(|&x| x as i64).collect();
    Tensor::from_vec(v, dims.to_vec()).unwrap().cast(dtype).unwrap()
}

fn data(dims: &[usize], seed: u64, dtype: DType) -> Tensor {
    common::uniform(dims, seed, dtype, -4.0, 4.0)
}

#[test]
fn scatter_agrees_with_the_reference_along_every_dim_and_reduction() {
    let engines = common::engines();
    for dtype in [DType::F32, DType::F64, DType::I32, DType::I64] {
        let x = data(&[4, 5, 6], 1, dtype);
        for dim in 0..3isize {
            let d = dim as usize;
            let mut dims = vec![3, 4, 5];
            dims[d] = 9;
            let idx = indices(&dims, [4, 5, 6][d], 2 + d as u64, DType::I64);
            let src = data(&dims, 3, dtype);
            // Float sums and products to one position round per step in float32.
            let tol = if dtype == DType::F32 { Tol::rel(1e-5) } else { Tol::EXACT };
            common::assert_paths_agree(&engines, Tol::Bitwise, tol, || {
                let xt = x.abs().unwrap();
                [
                    x.scatter(dim, &idx, &src).unwrap(),
                    xt.scatter_add(dim, &idx, &src).unwrap(),
                    x.scatter_reduce(dim, &idx, &src, "amax", true).unwrap(),
                    x.scatter_reduce(dim, &idx, &src, "amin", false).unwrap(),
                    x.scatter_reduce(dim, &idx, &src, "prod", false).unwrap(),
                ]
            });
        }
    }
}

#[test]
fn scatter_matches_hand_computed_values() {
    let x = Tensor::from_vec(vec![0.0f32; 6], [2, 3]).unwrap();
    let i = Tensor::from_vec(vec![2i64, 2, 0, 1], [2, 2]).unwrap();
    let s = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], [2, 2]).unwrap();
    // Row 0 writes 1 then 2 to column 2 (the last wins); row 1 writes 3 to 0 and 4 to 1.
    let got = common::values(&common::evaluated(&x.scatter(1, &i, &s).unwrap(), true));
    assert_eq!(got, vec![0.0, 0.0, 2.0, 3.0, 4.0, 0.0]);
    let got = common::values(&common::evaluated(&x.scatter_add(1, &i, &s).unwrap(), false));
    assert_eq!(got, vec![0.0, 0.0, 3.0, 3.0, 4.0, 0.0]);
    let mean = x.scatter_reduce(1, &i, &s, "mean", false).unwrap();
    assert_eq!(common::values(&common::evaluated(&mean, true)), vec![0.0, 0.0, 1.5, 3.0, 4.0, 0.0]);
}

#[test]
fn scatters_are_bitwise_identical_for_any_thread_count() {
    let x = data(&[300, 257], 8, DType::F32);
    let i = indices(&[280, 257], 300, 9, DType::I32);
    let s = data(&[280, 257], 10, DType::F32);
    let i1 = indices(&[100_000], 257, 11, DType::I64);
    let s1 = data(&[100_000], 12, DType::F32);
    common::assert_same_bits_for_threads(&[2, 5], || {
        [
            x.scatter_add(0, &i, &s).unwrap(),
            x.transpose(0, 1)
                .unwrap()
                .scatter_add(1, &i.transpose(0, 1).unwrap(), &s.transpose(0, 1).unwrap())
                .unwrap(),
            x.reshape(&[-1]).unwrap().narrow(0, 0, 257).unwrap().scatter_add(0, &i1, &s1).unwrap(),
        ]
    });
}

#[test]
fn out_of_range_indices_are_errors_and_write_nothing() {
    let engine = common::engine();
    let x = common::evaluated(&data(&[2, 3], 5, DType::F32), true);
    let before = common::values(&x);
    for (bad, fuse) in [(3i64, true), (-1, false)] {
        let i = Tensor::from_vec(vec![0i64, 1, bad, 2], [2, 2]).unwrap();
        let s = Tensor::from_vec(vec![9.0f32; 4], [2, 2]).unwrap();
        let out = x.scatter(1, &i, &s).unwrap();
        let err = engine.eval_with(std::slice::from_ref(&out), fuse).unwrap_err();
        assert!(
            matches!(err, Error::IndexOutOfRange { op: "scatter", index, dim: 1, size: 3 } if index == bad as isize),
            "{err}"
        );
    }
    assert_eq!(common::values(&x), before);
}

#[test]
fn a_scatter_writes_into_its_donated_input() {
    let engine = common::engine();
    let x = (data(&[64, 64], 6, DType::F32) + 1.0).unwrap();
    let i = indices(&[3, 64], 64, 7, DType::I64);
    let s = data(&[3, 64], 8, DType::F32);
    let out = x.scatter(0, &i, &s).unwrap();
    let plan = engine.explain(std::slice::from_ref(&out)).unwrap();
    // `x + 1` is an intermediate only the scatter reads: its buffer becomes the output.
    assert!(plan.contains("strategy scatter, donor(input 0)"), "{plan}");
    let kept = (&x * 1.0).unwrap();
    let plan = engine.explain(&[x.scatter(0, &i, &s).unwrap(), kept]).unwrap();
    assert!(!plan.contains("strategy scatter, donor"), "x is read after the scatter: {plan}");
}

#[test]
fn index_put_writes_what_index_with_reads() {
    use IndexItem::Slice;
    let engines = common::engines();
    let x = Tensor::from_vec((0..60).map(|v| v as f64).collect::<Vec<_>>(), [3, 4, 5]).unwrap();
    let ix = |v: Vec<i64>| Index::Tensor(Tensor::from_vec(v.clone(), [v.len()]).unwrap());
    let step = Index::Basic(Slice { start: Some(3), stop: None, step: -2 });
    let cases = vec![
        vec![Index::Basic(IndexItem::Int(1)), step.clone()],
        vec![ix(vec![2, 0]), Index::Basic(Slice { start: None, stop: None, step: 1 }), ix(vec![4, -1])],
        vec![step, ix(vec![1, 1, 3])],
    ];
    for items in cases {
        let region = x.index_with(&items).unwrap();
        let v = (&Tensor::full(region.shape().clone(), -1.0, DType::F64).unwrap() * 1.0).unwrap();
        let paths = common::assert_paths_agree(&engines, Tol::Bitwise, Tol::EXACT, || {
            [x.index_put(&items, &v, false).unwrap(), x.index_put(&items, &v, true).unwrap()]
        });
        // Every position `x[items]` reads was written, and nothing else.
        let written = x.index_put(&items, &v, false).unwrap();
        let back = common::values(&common::evaluated(&written.index_with(&items).unwrap(), true));
        assert!(back.iter().all(|&b| b == -1.0));
        // Accumulating adds -1 once per element `x[items]` reads (repeats included).
        let added: f64 = paths.fused[1].iter().zip(0..60).map(|(a, b)| a - b as f64).sum();
        assert_eq!(added, -(region.numel() as f64));
    }
}

#[test]
fn scatter_op_is_in_the_table_of_kernel_shapes() {
    let x = data(&[4, 4], 1, DType::F64);
    let i = indices(&[2, 4], 4, 2, DType::I64);
    let out = x.scatter_add(0, &i, &data(&[2, 4], 3, DType::F64)).unwrap();
    assert!(matches!(out.op(), Op::Scatter { dim: 0, reduce: Some(ReduceOp::Sum) }));
    let plan = common::engine().explain(std::slice::from_ref(&out)).unwrap();
    assert!(plan.contains("scatter of 8 elements along dim 0, combining by sum"), "{plan}");
}
