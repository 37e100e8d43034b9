//! Gathers (reads at data-dependent positions, fused or kernels of their own): fused = eager = the f64
//! reference along every dim, on views and with int32 and int64 indices; the Tensor methods built
//! on them (index_select, take, take_along_dim); out-of-range indices as typed errors.

mod common;

use common::Tol;
use rusttorch_exec::prelude::*;

/// Int indices in `[0, size)` of `dtype` (int32 or int64).
fn indices(dims: &[usize], size: usize, seed: u64, dtype: DType) -> Tensor {
    let n = dims.iter().product();
    let v: Vec<i64> = common::uniform_values(n, seed, 0.0, size as f64).iter().map(|&x| x as i64).collect();
    Tensor::from_vec(v, dims.to_vec()).unwrap().cast(dtype).unwrap()
}

fn data(dims: &[usize], seed: u64, dtype: DType) -> Tensor {
    common::uniform(dims, seed, dtype, -10.0, 10.0)
}

#[test]
fn gather_agrees_with_the_reference_along_every_dim() {
    let engines = common::engines();
    for (dtype, idt) in [(DType::F32, DType::I64), (DType::F64, DType::I32), (DType::I32, DType::I64)] {
        let x = data(&[4, 5, 6], 1, dtype);
        for dim in -3isize..3 {
            let d = dim.rem_euclid(3) as usize;
            let mut dims = vec![3, 4, 5];
            dims[d] = 7;
            let idx = indices(&dims, [4, 5, 6][d], 2 + d as u64, idt);
            // `x * 2 + 1` rounds in float32 where the reference does not.
            let tol = if dtype == DType::F32 { Tol::rel(1e-6) } else { Tol::EXACT };
            common::assert_paths_agree(&engines, Tol::Bitwise, tol, || {
                // A computed operand, a transposed view and an elementwise consumer.
                let y = (&x * 2.0).unwrap();
                let xt = x.transpose(0, 2).unwrap();
                let it = indices(&[5, 5, 4], [6, 5, 4][d], 9, idt);
                [
                    x.gather(dim, &idx).unwrap(),
                    (y.gather(dim, &idx).unwrap() + 1.0).unwrap(),
                    xt.gather(dim, &it).unwrap(),
                ]
            });
        }
    }
}

#[test]
fn gather_matches_hand_computed_values() {
    let x = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], [2, 3]).unwrap();
    let i = Tensor::from_vec(vec![2i64, 0, 1, 1], [2, 2]).unwrap();
    let got = common::values(&common::evaluated(&x.gather(1, &i).unwrap(), true));
    assert_eq!(got, vec![3.0, 1.0, 5.0, 5.0]);
    let i0 = Tensor::from_vec(vec![1i32, 0, 1], [1, 3]).unwrap();
    let got = common::values(&common::evaluated(&x.gather(0, &i0).unwrap(), false));
    assert_eq!(got, vec![4.0, 2.0, 6.0]);
    // Bools gather as bools; 0-d and empty gathers.
    let b = Tensor::from_vec(vec![true, false, true], [3]).unwrap();
    let g = common::evaluated(&b.gather(0, &Tensor::from_vec(vec![1i64, 2], [2]).unwrap()).unwrap(), true);
    assert_eq!(g.dtype(), DType::Bool);
    assert_eq!(common::values(&g), vec![0.0, 1.0]);
    let s = Tensor::from_vec(vec![7.5f64], []).unwrap();
    let g = common::evaluated(&s.gather(0, &Tensor::from_vec(vec![0i64], []).unwrap()).unwrap(), true);
    assert_eq!((g.ndim(), common::values(&g)), (0, vec![7.5]));
    let e = x.gather(1, &Tensor::from_vec(Vec::<i64>::new(), [2, 0]).unwrap()).unwrap();
    assert_eq!(common::evaluated(&e, true).dims(), &[2, 0]);
}

#[test]
fn a_stored_gather_is_a_kernel_of_its_own() {
    let engine = common::engine();
    let x = data(&[8, 16], 3, DType::F32);
    let i = indices(&[8, 4], 16, 4, DType::I64);
    let kernels = |t: &Tensor| engine.plan_for(std::slice::from_ref(t), true).unwrap().plan().kernels.len();
    // A gather that is an output is a kernel of its own.
    let out = (&x * 2.0).unwrap().gather(1, &i).unwrap();
    let plan = engine.explain(std::slice::from_ref(&out)).unwrap();
    assert!(plan.contains("strategy gather"), "{plan}");
    assert_eq!(kernels(&out), 2, "{plan}");
    // With an elementwise consumer it is read in the consumer's kernel (tests/gather_fused.rs):
    // `x * 2` stored, then the gather with `* 3 + 1` (before gathers fused: three kernels).
    let out = (((&x * 2.0).unwrap().gather(1, &i).unwrap() * 3.0).unwrap() + 1.0).unwrap();
    let plan = engine.explain(std::slice::from_ref(&out)).unwrap();
    assert!(!plan.contains("strategy gather") && plan.contains("read in the kernel"), "{plan}");
    assert_eq!(kernels(&out), 2, "{plan}");
}

#[test]
fn out_of_range_indices_are_errors_when_evaluated() {
    let engine = common::engine();
    let x = data(&[2, 3], 5, DType::F32);
    for (bad, fuse) in [(3i64, true), (-1, false), (7, true)] {
        let i = Tensor::from_vec(vec![0i64, 1, bad, 2], [2, 2]).unwrap();
        let out = x.gather(1, &i).unwrap();
        let err = engine.eval_with(std::slice::from_ref(&out), fuse).unwrap_err();
        assert!(
            matches!(err, Error::IndexOutOfRange { op: "gather", index, dim: 1, size: 3 } if index == bad as isize),
            "{err}"
        );
        assert!(err.to_string().contains(&format!("index {bad}")), "{err}");
    }
    // The engine runs on after an error.
    let i = Tensor::from_vec(vec![0i64, 1], [1, 2]).unwrap();
    engine.eval(&[x.gather(1, &i).unwrap()]).unwrap();
    // Shape and dtype errors come when built.
    let f = Tensor::from_vec(vec![0.0f32; 2], [1, 2]).unwrap();
    assert!(matches!(x.gather(1, &f), Err(Error::BadArgument { op: "gather", .. })));
    let i3 = Tensor::from_vec(vec![0i64; 2], [2]).unwrap();
    assert!(matches!(x.gather(1, &i3), Err(Error::BadShape { op: "gather", .. })));
    assert!(matches!(x.gather(2, &i), Err(Error::DimOutOfRange { op: "gather", .. })));
    let big = Tensor::from_vec(vec![0i64; 4], [4, 1]).unwrap();
    assert!(matches!(x.gather(1, &big), Err(Error::BadShape { op: "gather", .. })));
}

#[test]
fn index_select_take_and_take_along_dim() {
    let engines = common::engines();
    let x = data(&[4, 5], 6, DType::F64);
    let sel = Tensor::from_vec(vec![3i64, 0, 0, 2], [4]).unwrap();
    let flat = Tensor::from_vec(vec![-1i32, 0, 19, -19, 7, 7], [2, 3]).unwrap();
    let along = indices(&[4, 1], 5, 7, DType::I64);
    let paths = common::assert_paths_agree(&engines, Tol::Bitwise, Tol::EXACT, || {
        [
            x.index_select(1, &sel).unwrap(),
            x.index_select(-2, &sel).unwrap(),
            x.take(&flat).unwrap(),
            x.take_along_dim(&along, Some(1)).unwrap(),
            x.take_along_dim(&flat.cast(DType::I64).unwrap().abs().unwrap(), None).unwrap(),
        ]
    });
    let xv = common::values(&common::evaluated(&x, true));
    let want: Vec<f64> = [-1i64, 0, 19, -19, 7, 7].iter().map(|&i| xv[i.rem_euclid(20) as usize]).collect();
    assert_eq!(paths.fused[2], want);
    let want: Vec<f64> = (0..4).flat_map(|r| [3, 0, 0, 2].map(|c| xv[r * 5 + c])).collect();
    assert_eq!(paths.fused[0], want);
    // take_along_dim broadcasts the other dims: [4, 1] indices pick one column per row.
    let t = x.take_along_dim(&Tensor::from_vec(vec![1i64, 2], [1, 2]).unwrap(), Some(1)).unwrap();
    assert_eq!(t.dims(), &[4, 2]);
}

#[test]
fn gathers_are_bitwise_identical_for_any_thread_count() {
    let x = data(&[300, 257], 8, DType::F32);
    let i = indices(&[300, 400], 257, 9, DType::I32);
    common::assert_same_bits_for_threads(&[2, 5], || {
        x.transpose(0, 1).unwrap().gather(0, &i.transpose(0, 1).unwrap()).unwrap()
    });
}

#[test]
fn advanced_indexing_places_index_arrays_as_numpy() {
    use rusttorch_exec::ir::tensor::{Index, IndexItem};
    use IndexItem::{NewAxis, Slice};
    let engines = common::engines();
    let x = Tensor::from_vec((0..120).map(|v| v as f64).collect::<Vec<_>>(), [2, 3, 4, 5]).unwrap();
    let all = Index::Basic(Slice { start: None, stop: None, step: 1 });
    let ix = |v: Vec<i64>, dims: Vec<usize>| Index::Tensor(Tensor::from_vec(v, dims).unwrap());
    // x[:, [2, 0], [3, -1]] (adjacent: in place), x[[1, 0], :, [3, 2]] (separated: first),
    // x[None, 1, :, :, [0, 4]] (an int counts as an index array).
    let cases: Vec<(Vec<Index>, Vec<usize>)> = vec![
        (vec![all.clone(), ix(vec![2, 0], vec![2]), ix(vec![3, -1], vec![2])], vec![2, 2, 5]),
        (vec![ix(vec![1, 0], vec![2]), all.clone(), ix(vec![3, 2], vec![2])], vec![2, 3, 5]),
        (
            vec![
                Index::Basic(NewAxis),
                Index::Basic(IndexItem::Int(1)),
                all.clone(),
                all.clone(),
                ix(vec![0, 4], vec![2]),
            ],
            vec![2, 1, 3, 4],
        ),
        (vec![all.clone(), ix(vec![2, 0], vec![2, 1]), ix(vec![1, 2, 3], vec![3])], vec![2, 2, 3, 5]),
    ];
    let want = [
        // x[b, [2, 0], [3, 3], e]
        (0..2)
            .flat_map(|b| {
                [(2, 3), (0, 3)]
                    .into_iter()
                    .flat_map(move |(c, d)| (0..5).map(move |e| (((b * 3 + c) * 4 + d) * 5 + e) as f64))
            })
            .collect::<Vec<_>>(),
        [(1, 3), (0, 2)]
            .into_iter()
            .flat_map(|(a, d)| (0..3).flat_map(move |c| (0..5).map(move |e| (((a * 3 + c) * 4 + d) * 5 + e) as f64)))
            .collect(),
        [0, 4].into_iter().flat_map(|e| (0..12).map(move |cd| ((3 * 4 + cd) * 5 + e) as f64)).collect(),
    ];
    for (k, (items, dims)) in cases.into_iter().enumerate() {
        let paths = common::assert_paths_agree(&engines, Tol::Bitwise, Tol::EXACT, || x.index_with(&items).unwrap());
        assert_eq!(x.index_with(&items).unwrap().dims(), &dims[..], "case {k}");
        if let Some(w) = want.get(k) {
            assert_eq!(&paths.fused[0], w, "case {k}");
        }
    }
    let err = x.index_with(&[all, ix(vec![3], vec![1])]).unwrap_err();
    assert!(matches!(err, Error::IndexOutOfRange { op: "index", index: 3, dim: 1, size: 3 }), "{err}");
}
