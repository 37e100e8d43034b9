//! Searches (searchsorted, bucketize: kernels of their own; isin built on them): fused = eager =
//! the f64 reference over shapes, dtypes, sides, batched and 1-d sequences, views, ties, NaNs,
//! infinities and signed zeros; hand-computed values; bitwise the same for any thread count;
//! bad calls as typed errors.

mod common;

use common::{levels_with_specials as data, Tol};
use rusttorch_exec::prelude::*;
use rusttorch_ir::ScalarKind;

/// `x` sorted along its last dim (NaNs last).
fn sorted(x: &Tensor) -> Tensor {
    x.sort(-1, false).unwrap().0
}

/// The int64 values of `t`, evaluated fused.
fn ints(t: &Tensor) -> Vec<i64> {
    common::values(&common::evaluated(t, true)).iter().map(|&v| v as i64).collect()
}

#[test]
fn searchsorted_agrees_with_the_reference() {
    let engines = common::engines();
    let dtypes = [DType::F32, DType::F64, DType::I32, DType::I64];
    for (case, (seq_dims, val_dims)) in [
        (vec![7], vec![5, 6]),
        (vec![1], vec![9]),
        (vec![0], vec![4]),
        (vec![12], vec![]),
        (vec![3, 8], vec![3, 5]),
        (vec![2, 3, 9], vec![2, 3, 4]),
        (vec![3, 0], vec![3, 2]),
        (vec![5], vec![0, 3]),
    ]
    .into_iter()
    .enumerate()
    {
        for (i, &dtype) in dtypes.iter().enumerate() {
            let seq = data(&seq_dims, case as u64, dtype);
            // Values of another dtype now and then: compared in the promoted dtype.
            let vdt = if case % 2 == 0 { dtype } else { dtypes[(i + 1) % 4] };
            let vals = data(&val_dims, 100 + case as u64, vdt);
            for right in [false, true] {
                let p = common::assert_paths_agree(&engines, Tol::EXACT, Tol::EXACT, || {
                    sorted(&seq).searchsorted(&vals, right, None, false).unwrap()
                });
                assert_eq!(p.fused[0].len(), val_dims.iter().product::<usize>());
            }
        }
    }
}

#[test]
fn searchsorted_reads_views_and_sorters() {
    let engines = common::engines();
    let seq = sorted(&data(&[4, 10], 1, DType::F32));
    let vals = data(&[6, 4], 2, DType::F32);
    let raw = data(&[4, 10], 3, DType::F64);
    common::assert_paths_agree(&engines, Tol::EXACT, Tol::EXACT, || {
        let t = vals.transpose(0, 1).unwrap();
        let every_other = seq.slice(1, None, None, 2).unwrap();
        let row = seq.slice(0, Some(1), Some(2), 1).unwrap().reshape(&[10]).unwrap();
        let wide = vals.slice(1, Some(0), Some(1), 1).unwrap().expand(&[6, 7]).unwrap();
        let order = raw.argsort(-1, false).unwrap();
        [
            seq.searchsorted(&t, false, None, false).unwrap(),
            every_other.searchsorted(&t, true, None, false).unwrap(),
            row.searchsorted(&wide, true, None, false).unwrap(),
            raw.searchsorted(&t.cast(DType::F64).unwrap(), false, Some(&order), false).unwrap(),
            sorted(&raw).searchsorted(&t.cast(DType::F64).unwrap(), false, None, false).unwrap(),
        ]
    });
    // Through the sorter the answer is the sorted sequence's.
    let order = raw.argsort(-1, false).unwrap();
    let t = vals.transpose(0, 1).unwrap();
    let a = ints(&raw.searchsorted(&t, true, Some(&order), false).unwrap());
    assert_eq!(a, ints(&sorted(&raw).searchsorted(&t, true, None, false).unwrap()));
}

#[test]
fn searchsorted_matches_hand_computed_values() {
    let nan = f64::NAN;
    let seq = Tensor::from_vec(vec![f64::NEG_INFINITY, -1.0, 0.0, 0.0, 2.0, f64::INFINITY, nan, nan], [8]).unwrap();
    let vals = Tensor::from_vec(vec![-0.0, 0.0, 1.0, f64::INFINITY, nan, -5.0, f64::NEG_INFINITY, 3.0], [8]).unwrap();
    assert_eq!(ints(&seq.searchsorted(&vals, false, None, false).unwrap()), vec![2, 2, 4, 5, 6, 1, 0, 5]);
    assert_eq!(ints(&seq.searchsorted(&vals, true, None, false).unwrap()), vec![4, 4, 4, 6, 8, 1, 1, 5]);
    // Batched int lines, int32 output.
    let s = Tensor::from_vec(vec![1i64, 3, 5, 7, 2, 4, 6, 8], [2, 4]).unwrap();
    let v = Tensor::from_vec(vec![3i32, 8, 0, 6], [2, 2]).unwrap();
    let r = s.searchsorted(&v, false, None, true).unwrap();
    assert_eq!(r.dtype(), DType::I32);
    assert_eq!(ints(&r), vec![1, 4, 0, 2]);
    // Numbers: an int sequence searched for 2.5 exactly (as float64), 0-d results.
    let r = s.slice(0, Some(0), Some(1), 1).unwrap().reshape(&[4]).unwrap();
    let at = r.searchsorted_scalar(2.5, ScalarKind::Float, false, None, false).unwrap();
    assert_eq!((at.ndim(), ints(&at)), (0, vec![1]));
    let b = Tensor::bucketize_scalar(5i64, ScalarKind::Int, &r, true, false).unwrap();
    assert_eq!(ints(&b), vec![3]);
}

#[test]
fn bucketize_is_searchsorted_of_the_boundaries() {
    let bounds = Tensor::from_vec(vec![1.0f32, 3.0, 5.0, 7.0, 9.0], [5]).unwrap();
    let x = Tensor::from_vec(vec![3.0f32, 6.0, 9.0, 0.5, 10.0, 3.0], [2, 3]).unwrap();
    let left = x.bucketize(&bounds, false, false).unwrap();
    assert_eq!(left.dims(), &[2, 3]);
    assert_eq!(ints(&left), vec![1, 3, 4, 0, 5, 1]);
    assert_eq!(ints(&x.bucketize(&bounds, true, false).unwrap()), vec![2, 3, 5, 0, 5, 2]);
}

#[test]
fn isin_agrees_with_the_reference_and_hand_values() {
    let engines = common::engines();
    for (i, dtype) in [DType::F32, DType::F64, DType::I32, DType::I64].into_iter().enumerate() {
        let x = data(&[5, 7], 10 + i as u64, dtype);
        let test = data(&[3, 4], 20 + i as u64, dtype);
        let other = data(&[6], 30 + i as u64, DType::F64);
        common::assert_paths_agree(&engines, Tol::EXACT, Tol::EXACT, || {
            [
                x.isin(&test, false).unwrap(),
                x.transpose(0, 1).unwrap().isin(&test, true).unwrap(),
                x.isin(&other, false).unwrap(),
            ]
        });
    }
    let x = Tensor::from_vec(vec![1.0f32, f32::NAN, -0.0, 4.0, f32::INFINITY], [5]).unwrap();
    let t = Tensor::from_vec(vec![f32::INFINITY, 0.0, f32::NAN, 1.0], [2, 2]).unwrap();
    let r = common::evaluated(&x.isin(&t, false).unwrap(), true);
    assert_eq!(r.dtype(), DType::Bool);
    assert_eq!(common::values(&r), vec![1.0, 0.0, 1.0, 0.0, 1.0]);
    assert_eq!(common::values(&common::evaluated(&x.isin(&t, true).unwrap(), false)), vec![0.0, 1.0, 0.0, 1.0, 0.0]);
    let none = Tensor::from_vec(Vec::<f32>::new(), [0]).unwrap();
    assert_eq!(common::values(&common::evaluated(&x.isin(&none, true).unwrap(), true)), vec![1.0; 5]);
    let s = Tensor::scalar(4.0, DType::F32);
    let r = common::evaluated(&s.isin(&x, false).unwrap(), true);
    assert_eq!((r.ndim(), common::values(&r)), (0, vec![1.0]));
}

#[test]
fn searchsorted_is_a_kernel_of_its_own() {
    let engine = common::engine();
    let seq = Tensor::placeholder([4, 64], DType::F32).unwrap();
    let x = Tensor::placeholder([4, 100], DType::F32).unwrap();
    let out = (&x * 2.0).unwrap();
    let r = seq.searchsorted(&out, true, None, false).unwrap();
    let exe = engine.compile(&[seq, x], std::slice::from_ref(&r)).unwrap();
    assert!(exe.explain().contains("strategy search"), "{}", exe.explain());
    assert!(exe.explain().contains("binary search of 400 values"), "{}", exe.explain());
    // `x * 2` stored, then the search.
    assert_eq!(exe.num_kernels(), 2, "{}", exe.explain());
}

#[test]
fn searches_are_bitwise_identical_for_any_thread_count() {
    let seq = sorted(&data(&[3000], 4, DType::F32));
    let vals = data(&[300, 250], 5, DType::F32);
    let bseq = sorted(&data(&[300, 40], 6, DType::I64));
    let bvals = data(&[300, 200], 7, DType::I64);
    common::assert_same_bits_for_threads(&[2, 5], || {
        [
            seq.searchsorted(&vals, false, None, false).unwrap(),
            seq.searchsorted(&vals.transpose(0, 1).unwrap(), true, None, false).unwrap(),
            bseq.searchsorted(&bvals, true, None, false).unwrap(),
            vals.isin(&seq, false).unwrap(),
        ]
    });
}

#[test]
fn bad_searches_are_typed_errors() {
    let s2 = Tensor::from_vec(vec![1.0f32; 6], [2, 3]).unwrap();
    let v = Tensor::from_vec(vec![1.0f32; 6], [3, 2]).unwrap();
    let e = s2.searchsorted(&v, false, None, false).unwrap_err();
    assert!(matches!(e, Error::BadShape { op: "searchsorted", .. }), "{e}");
    assert!(e.to_string().contains("first N-1 dimensions"), "{e}");
    let e = Tensor::scalar(1.0, DType::F32).searchsorted(&v, false, None, false).unwrap_err();
    assert!(e.to_string().contains("positive dimension"), "{e}");
    let e = s2.searchsorted_scalar(1.0, ScalarKind::Float, false, None, false).unwrap_err();
    assert!(e.to_string().contains("scalar only when boundaries tensor dimension is 1"), "{e}");
    let b = Tensor::from_vec(vec![true, false], [2]).unwrap();
    let e = b.searchsorted(&b, false, None, false).unwrap_err();
    assert!(matches!(e, Error::UnsupportedDType { op: "searchsorted", .. }), "{e}");
    let sorter = Tensor::from_vec(vec![0i32, 1, 2, 0, 1, 2], [2, 3]).unwrap();
    let e = s2.searchsorted(&s2, false, Some(&sorter), false).unwrap_err();
    assert!(e.to_string().contains("sorter must be a tensor of long dtype"), "{e}");
    let e = s2.bucketize(&s2, false, false).unwrap_err();
    assert!(e.to_string().starts_with("bucketize: boundaries tensor must be 1 dimension"), "{e}");
    let e = rusttorch_ir::tensor::search_side("searchsorted", true, Some("left")).unwrap_err();
    assert!(e.to_string().contains("side and right can't be set to opposites"), "{e}");
    let e = b.isin(&s2, false).unwrap_err();
    assert!(matches!(e, Error::UnsupportedDType { op: "isin", .. }), "{e}");
}
