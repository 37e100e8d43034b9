//! Sorting and selection (order line kernels): fused = eager = the f64 reference along every
//! dim, on views, with ties, NaNs, infinities and signed zeros, on every engine, and bitwise
//! the same for any thread count.

mod common;

// Values in a few levels (many ties), with NaNs, infinities and `-0.0` sprinkled in.
use common::levels_with_specials as data;
use common::Tol;
use rusttorch_exec::prelude::*;

/// Every order op's values and indices along `dim` of `x`.
fn all_ops(x: &Tensor, dim: isize) -> Vec<Tensor> {
    let len = x.shape().dims()[x.shape().normalize_dim("test", dim).unwrap()] as i64;
    let mut outs = Vec::new();
    for (v, i) in [
        x.sort(dim, false).unwrap(),
        x.sort(dim, true).unwrap(),
        x.topk(len.min(3), dim, true).unwrap(),
        x.topk(len.min(2), dim, false).unwrap(),
        x.kthvalue((len + 1) / 2, dim, false).unwrap(),
        x.kthvalue(len, dim, true).unwrap(),
        x.median_dim(dim, false).unwrap(),
        x.nanmedian_dim(dim, true).unwrap(),
        x.mode(dim, false).unwrap(),
    ] {
        outs.push(v);
        outs.push(i);
    }
    outs
}

#[test]
fn order_ops_agree_with_the_reference_along_every_dim() {
    let engines = common::engines();
    for dtype in [DType::F32, DType::F64, DType::I32, DType::I64] {
        let x = data(&[3, 5, 7], 1, dtype);
        for dim in -3isize..3 {
            common::assert_paths_agree(&engines, Tol::Bitwise, Tol::Bitwise, || all_ops(&x, dim));
            // A transposed view and a slice of it.
            let xt = x.transpose(0, 2).unwrap();
            common::assert_paths_agree(&engines, Tol::Bitwise, Tol::Bitwise, || all_ops(&xt, dim));
        }
    }
}

#[test]
fn order_ops_pick_what_pytorch_picks() {
    let x = Tensor::from_vec(vec![2.0f32, f32::NAN, -0.0, 1.0, 0.0, 2.0, f32::NAN], [7]).unwrap();
    let get = |t: Tensor| common::values(&common::evaluated(&t, true));
    let (v, i) = x.sort(0, false).unwrap();
    assert_eq!(get(i), vec![2.0, 4.0, 3.0, 0.0, 5.0, 1.0, 6.0]);
    assert_eq!(
        get(v)[..5].iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        [-0.0f64, 0.0, 1.0, 2.0, 2.0].map(f64::to_bits)
    );
    assert_eq!(get(x.topk(2, 0, true).unwrap().1), vec![1.0, 6.0]);
    assert_eq!(get(x.kthvalue(4, 0, false).unwrap().1), vec![0.0]);
    assert!(get(x.median().unwrap())[0].is_nan());
    assert_eq!(get(x.nanmedian().unwrap()), vec![1.0]);
    assert_eq!(get(x.mode(0, false).unwrap().1), vec![4.0]);
    // Lower median of an even count; a 0-d result.
    let y = Tensor::from_vec(vec![4i64, 1, 3, 2], [2, 2]).unwrap();
    let m = y.median().unwrap();
    assert_eq!((m.ndim(), get(m)), (0, vec![2.0]));
}

#[test]
fn order_ops_check_their_arguments() {
    let x = data(&[3, 4], 1, DType::F32);
    let msg = |r: Result<(Tensor, Tensor)>| r.unwrap_err().to_string();
    assert_eq!(msg(x.topk(5, 1, true)), "topk: selected index k out of range (k = 5, dim size 4)");
    assert_eq!(msg(x.kthvalue(0, 0, false)), "kthvalue: selected index k out of range (k = 0, dim size 3)");
    assert!(msg(x.sort(2, false)).starts_with("sort: dim 2 is out of range"));
    let empty = data(&[3, 0], 1, DType::F32);
    assert!(msg(empty.median_dim(1, false)).starts_with("median: cannot reduce an empty dimension"));
    assert!(msg(empty.mode(-1, false)).starts_with("mode: cannot reduce an empty dimension"));
    // Empty lines sort to empty lines; an empty batch of lines picks nothing.
    let (v, _) = empty.sort(1, false).unwrap();
    assert_eq!(v.shape().dims(), &[3, 0]);
    let (v, _) = empty.transpose(0, 1).unwrap().kthvalue(2, 1, false).unwrap();
    assert_eq!(v.shape().dims(), &[0]);
}

#[test]
fn topk_then_elementwise_is_two_kernels() {
    let x = Tensor::placeholder([64, 100], DType::F32).unwrap();
    let (v, _) = x.topk(5, 1, true).unwrap();
    let y = (&v * 2.0).unwrap().exp().unwrap();
    let exe = Engine::default_engine().compile(std::slice::from_ref(&x), std::slice::from_ref(&y)).unwrap();
    assert_eq!(exe.num_kernels(), 2, "{}", exe.explain());
    assert!(exe.explain().contains("topk over 64 x 100 x 1"), "{}", exe.explain());
}

#[test]
fn values_and_indices_of_one_sort_are_one_kernel() {
    let x = data(&[64, 100], 1, DType::F32);
    let (v, i) = x.sort(1, false).unwrap();
    let (tv, ti) = x.topk(3, 0, true).unwrap();
    let engine = common::engine();
    let kernels = |outs: &[Tensor], fuse: bool| engine.plan_for(outs, fuse).unwrap().plan().kernels.len();
    assert_eq!(kernels(&[v.clone(), i.clone()], true), 1);
    let plan = engine.explain(&[v.clone(), i.clone()]).unwrap();
    assert!(plan.contains("sort over 64 x 100 x 1 (lines along the middle, values and indices)"), "{plan}");
    // Each ranking once: sort and topk are two kernels for four outputs; eagerly four.
    let outs = [v, i, tv, ti];
    assert_eq!(kernels(&outs, true), 2);
    assert_eq!(kernels(&outs, false), 4);
}

#[test]
fn order_ops_are_bitwise_identical_for_any_thread_count() {
    let x = data(&[4, 30_000], 2, DType::F32);
    let xt = data(&[300, 257], 3, DType::F64);
    common::assert_same_bits_for_threads(&[2, 5], || {
        let (s, si) = x.sort(1, true).unwrap();
        let (t, ti) = xt.topk(9, 0, false).unwrap();
        let (m, mi) = xt.mode(0, false).unwrap();
        [s, si, t, ti, m, mi, x.median().unwrap()]
    });
}
