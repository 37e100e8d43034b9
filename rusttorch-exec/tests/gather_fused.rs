//! Gathers read through the index inside fused kernels (`Instr::Gather`): an embedding lookup
//! and its elementwise epilogue are one kernel that never stores the gathered rows; fused =
//! eager (the gather kernel of its own) = the f64 reference over dtypes, dims and views;
//! out-of-range indices are errors in fused kernels too; results do not depend on threads.

mod common;

use common::Tol;
use rusttorch_exec::ir::tensor::Index;
use rusttorch_exec::prelude::*;

/// `n` int64 indices in `[0, size)` from `seed`, evaluated.
fn ids(dims: &[usize], size: usize, seed: u64) -> Tensor {
    let n = dims.iter().product();
    let v: Vec<i64> = common::uniform_values(n, seed, 0.0, size as f64).iter().map(|&x| x as i64).collect();
    Tensor::from_vec(v, dims.to_vec()).unwrap()
}

/// The same indices as int32.
fn ids32(dims: &[usize], size: usize, seed: u64) -> Tensor {
    let n = dims.iter().product();
    let v: Vec<i32> = common::uniform_values(n, seed, 0.0, size as f64).iter().map(|&x| x as i32).collect();
    Tensor::from_vec(v, dims.to_vec()).unwrap()
}

fn data(dims: &[usize], seed: u64, dtype: DType) -> Tensor {
    common::uniform(dims, seed, dtype, -10.0, 10.0)
}

/// Kernels of the fused plan of `t`.
fn kernels(engine: &Engine, t: &Tensor) -> usize {
    engine.plan_for(std::slice::from_ref(t), true).unwrap().plan().kernels.len()
}

/// The fused plan of `t`, printed.
fn plan(engine: &Engine, t: &Tensor) -> String {
    engine.explain(std::slice::from_ref(t)).unwrap()
}

/// `emb[idx] * scale + b`, the lookup an embedding layer does.
fn lookup(emb: &Tensor, idx: &Tensor, scale: &Tensor, b: &Tensor) -> Tensor {
    ((emb.index_select(0, idx).unwrap() * scale).unwrap() + b).unwrap()
}

#[test]
fn embedding_lookup_with_affine_is_one_kernel() {
    let engine = common::engine();
    let emb = data(&[50, 8], 1, DType::F32);
    let (scale, b) = (data(&[8], 2, DType::F32), data(&[8], 3, DType::F32));
    let out = lookup(&emb, &ids(&[12], 50, 4), &scale, &b);
    let plan = engine.explain(std::slice::from_ref(&out)).unwrap();
    assert_eq!(kernels(&engine, &out), 1, "{plan}");
    assert!(!plan.contains("strategy gather"), "{plan}");
    insta::assert_snapshot!("embedding_lookup_affine", plan);
}

#[test]
fn gathers_fuse_with_their_elementwise_consumers() {
    let engine = common::engine();
    let x = data(&[8, 16], 5, DType::F32);
    let i = ids(&[8, 4], 16, 6);
    // The table a buffer: one kernel. A computed table is stored first: two.
    let direct = ((x.gather(1, &i).unwrap() * 3.0).unwrap() + 1.0).unwrap();
    assert_eq!(kernels(&engine, &direct), 1, "{}", plan(&engine, &direct));
    let computed = (((&x * 2.0).unwrap().gather(1, &i).unwrap() * 3.0).unwrap() + 1.0).unwrap();
    assert_eq!(kernels(&engine, &computed), 2, "{}", plan(&engine, &computed));
    // Two lookups of one table share its input.
    let j = ids(&[8, 4], 16, 7);
    let two = (x.gather(1, &i).unwrap() - x.gather(1, &j).unwrap()).unwrap();
    assert_eq!(kernels(&engine, &two), 1);
    // A lazy index (take wraps negative ones) is stored as int64 and read by the fused gather.
    let flat = Tensor::from_vec(vec![-1i64, 0, 5, -128, 127, 3], [2, 3]).unwrap();
    let taken = (x.take(&flat).unwrap() * 2.0).unwrap();
    assert_eq!(kernels(&engine, &taken), 2, "{}", plan(&engine, &taken));
    // Advanced indexing: the positions (one small int64 kernel), then the fused lookup, also
    // for an index of several dims (batch x sequence).
    for dims in [vec![12], vec![3, 4]] {
        let t = (x.index_with(&[Index::Tensor(ids(&dims, 8, 8))]).unwrap() * 2.0).unwrap();
        assert_eq!(kernels(&engine, &t), 2, "{}", plan(&engine, &t));
    }
}

#[test]
fn gathers_feeding_reductions_stay_kernels_of_their_own() {
    let engines = common::engines();
    let x = data(&[8, 16], 9, DType::F64);
    let i = ids(&[8, 4], 16, 10);
    let build = || (x.gather(1, &i).unwrap() * 2.0).unwrap().sum(Some(&[1]), false).unwrap();
    let plan = engines[1].explain(&[build()]).unwrap();
    assert!(plan.contains("strategy gather"), "{plan}");
    assert_eq!(kernels(&engines[1], &build()), 2, "{plan}");
    common::assert_paths_agree(&engines, Tol::Bitwise, Tol::rel(1e-12), || [build()]);
}

#[test]
fn fused_gathers_agree_with_eager_and_the_reference() {
    let engines = common::engines();
    // Int scalars keep int tables int (so their gathers fuse too).
    for (k, dtype) in [DType::F32, DType::F64, DType::I32, DType::I64].into_iter().enumerate() {
        let seed = 20 + 10 * k as u64;
        let x = data(&[5, 6, 7], seed, dtype);
        let tol = if dtype == DType::F32 { Tol::rel(1e-5) } else { Tol::EXACT };
        for dim in 0..3usize {
            let mut dims = vec![4, 5, 6];
            dims[dim] = 9;
            let size = [5, 6, 7][dim];
            let (i64s, i32s) = (ids(&dims, size, seed + 1), ids32(&dims, size, seed + 2));
            // The table transposed (its dims 0 and 2 swapped) and the index a transposed view.
            let xt = x.transpose(0, 2).unwrap();
            let mut tdims = vec![7, 6, 5];
            tdims[dim] = 9;
            tdims.reverse();
            let it = ids(&tdims, [7, 6, 5][dim], seed + 3).transpose(0, 2).unwrap();
            let c = data(&dims, seed + 4, dtype);
            let sliced = x.slice(dim as isize, Some(1), None, 1).unwrap();
            let is = ids(&dims, size - 1, seed + 5);
            common::assert_paths_agree(&engines, Tol::Bitwise, tol, || {
                [
                    ((x.gather(dim as isize, &i64s).unwrap() * &c).unwrap() + 1i64).unwrap(),
                    (x.gather(dim as isize, &i32s).unwrap() - &c).unwrap(),
                    (xt.gather(dim as isize, &it).unwrap() * 2i64).unwrap(),
                    // A sliced table, and a broadcast row added.
                    (sliced.gather(dim as isize, &is).unwrap() + c.slice(0, Some(0), Some(1), 1).unwrap()).unwrap(),
                ]
            });
        }
        // index_select along both dims of a 2-d table, take, take_along_dim, advanced indexing.
        let t = data(&[30, 7], seed + 5, dtype);
        let sel = ids(&[11], 30, seed + 6);
        let sel1 = ids32(&[5], 7, seed + 7);
        let flat = Tensor::from_vec(vec![-1i64, 0, 209, -210, 100, 7], [2, 3]).unwrap();
        let two = ids(&[3, 4], 30, seed + 8);
        let b = data(&[7], seed + 9, dtype);
        let along = ids(&[30, 2], 7, seed);
        common::assert_paths_agree(&engines, Tol::Bitwise, tol, || {
            [
                ((t.index_select(0, &sel).unwrap() * 2i64).unwrap() + &b).unwrap(),
                (t.index_select(1, &sel1).unwrap() + 1i64).unwrap(),
                (t.take(&flat).unwrap() * 3i64).unwrap(),
                (t.take_along_dim(&along, Some(1)).unwrap() - 2i64).unwrap(),
                (t.index_with(&[Index::Tensor(two.clone())]).unwrap() * &b).unwrap(),
                (t.transpose(0, 1).unwrap().index_select(1, &sel).unwrap() * 2i64).unwrap(),
            ]
        });
    }
}

#[test]
fn fused_gathers_next_to_transposed_reads_walk_tiles() {
    let engines = common::engines();
    let x = data(&[70, 80], 60, DType::F32);
    let i = ids(&[70, 66], 80, 61);
    let y = data(&[66, 70], 62, DType::F32);
    let build = || [(x.gather(1, &i).unwrap() + y.transpose(0, 1).unwrap()).unwrap()];
    let plan = engines[1].explain(&build()).unwrap();
    assert!(plan.contains("strategy tiled"), "{plan}");
    assert_eq!(kernels(&engines[1], &build()[0]), 1, "{plan}");
    common::assert_paths_agree(&engines, Tol::Bitwise, Tol::rel(1e-6), build);
}

#[test]
fn out_of_range_indices_are_errors_in_fused_kernels() {
    let engine = common::engine();
    let x = data(&[2, 3], 70, DType::F32);
    for bad in [3i64, -1, 7] {
        let i = Tensor::from_vec(vec![0i64, 1, bad, 2], [2, 2]).unwrap();
        let out = ((x.gather(1, &i).unwrap() * 2.0).unwrap() + 1.0).unwrap();
        assert_eq!(kernels(&engine, &out), 1);
        let err = engine.eval(std::slice::from_ref(&out)).unwrap_err();
        assert!(
            matches!(err, Error::IndexOutOfRange { op: "gather", index, dim: 1, size: 3 } if index == bad as isize),
            "{err}"
        );
    }
    // The first bad index in output order, whatever the threads and blocks.
    let emb = data(&[100, 64], 71, DType::F32);
    let mut v: Vec<i64> = (0..4000).map(|k| k % 100).collect();
    v[3100] = -5;
    v[1500] = 100;
    let idx = Tensor::from_vec(v, [4000]).unwrap();
    for threads in [1, 2] {
        let engine = Engine::new(threads).unwrap();
        let out = (emb.index_select(0, &idx).unwrap() + 1.0).unwrap();
        let err = engine.eval(std::slice::from_ref(&out)).unwrap_err();
        assert!(matches!(err, Error::IndexOutOfRange { op: "gather", index: 100, dim: 0, size: 100 }), "{err}");
    }
    // The engine runs on after an error.
    let ok = (emb.index_select(0, &ids(&[10], 100, 72)).unwrap() + 1.0).unwrap();
    engine.eval(&[ok]).unwrap();
}

#[test]
fn fused_gathers_are_bitwise_identical_for_any_thread_count() {
    let emb = data(&[500, 96], 80, DType::F32);
    let idx = ids(&[3000], 500, 81);
    let (scale, b) = (data(&[96], 82, DType::F32), data(&[96], 83, DType::F32));
    let x = data(&[300, 257], 84, DType::F32);
    let i = ids32(&[300, 400], 257, 85);
    common::assert_same_bits_for_threads(&[2, 5], || {
        [
            lookup(&emb, &idx, &scale, &b),
            (x.transpose(0, 1).unwrap().gather(0, &i.transpose(0, 1).unwrap()).unwrap() * 0.5f64).unwrap(),
        ]
    });
}
