//! Integer and bool dtypes: comparisons, `where`, logical ops, `//` and `%`, casts, integer
//! reductions and argmax/argmin — fused, eager and against hand-computed results.

mod common;

use common::Tol;
use rusttorch_exec::prelude::*;

fn ints(v: &[i64]) -> Tensor {
    Tensor::from_vec(v.to_vec(), [v.len()]).unwrap()
}
fn i32s(v: &[i32]) -> Tensor {
    Tensor::from_vec(v.to_vec(), [v.len()]).unwrap()
}
fn floats(v: &[f32]) -> Tensor {
    Tensor::from_vec(v.to_vec(), [v.len()]).unwrap()
}
fn bools(v: &[bool]) -> Tensor {
    Tensor::from_vec(v.to_vec(), [v.len()]).unwrap()
}

/// The values of `build()` on the default engine, where fused, eager and the reference agree.
fn check_paths(build: impl Fn() -> Tensor) -> Vec<f64> {
    let engine = Engine::default_engine();
    common::assert_paths_agree(std::slice::from_ref(&*engine), Tol::rel(1e-6), Tol::rel(1e-6), build).fused.remove(0)
}

#[test]
fn comparisons_give_bool_and_fuse_with_where() {
    let x = floats(&[-2.0, -0.5, 0.0, 0.5, f32::NAN, 3.0]);
    let m = x.gt(&Tensor::scalar(0.0, DType::F32)).unwrap();
    assert_eq!(m.dtype(), DType::Bool);
    assert_eq!(m.to_vec::<bool>().unwrap(), vec![false, false, false, true, false, true]);
    // leaky relu by hand: one kernel, the mask never stored.
    let leaky = || x.gt(&Tensor::scalar(0.0, DType::F32)).unwrap().where_cond(&x, &(&x * 0.1).unwrap()).unwrap();
    assert_eq!(Engine::default_engine().plan_for(&[leaky()], true).unwrap().num_kernels(), 1);
    let v = check_paths(leaky);
    assert_eq!(v[0], (-2.0f32 * 0.1) as f64);
    assert!(v[4].is_nan());
    assert_eq!(v[5], 3.0);
    let ne = x.ne_elem(&x).unwrap().to_vec::<bool>().unwrap();
    assert_eq!(ne, vec![false, false, false, false, true, false], "only NaN != NaN");
}

#[test]
fn integer_arithmetic_wraps_and_promotes() {
    let a = i32s(&[i32::MAX, i32::MIN, 7, -7]);
    let s = (&a + 1i32).unwrap();
    assert_eq!(s.dtype(), DType::I32);
    assert_eq!(s.to_vec::<i32>().unwrap(), vec![i32::MIN, i32::MIN + 1, 8, -6]);
    assert_eq!((&a * 2i32).unwrap().to_vec::<i32>().unwrap(), vec![-2, 0, 14, -14]);
    assert_eq!(a.neg().unwrap().to_vec::<i32>().unwrap(), vec![-i32::MAX, i32::MIN, -7, 7]);
    assert_eq!(a.abs().unwrap().to_vec::<i32>().unwrap(), vec![i32::MAX, i32::MIN, 7, 7]);
    // int / int is float32; int + float scalar is float32; int32 + int64 is int64.
    let b = i32s(&[1, 2, 3, 4]);
    assert_eq!((&b / 2i32).unwrap().dtype(), DType::F32);
    assert_eq!((&b / 2i32).unwrap().to_vec::<f32>().unwrap(), vec![0.5, 1.0, 1.5, 2.0]);
    assert_eq!((&b + 0.5).unwrap().dtype(), DType::F32);
    assert_eq!((&b + &ints(&[1, 1, 1, 1])).unwrap().dtype(), DType::I64);
    assert_eq!(b.exp().unwrap().dtype(), DType::F32);
    let big = ints(&[i64::MAX, 3]);
    assert_eq!((&big + 1i64).unwrap().to_vec::<i64>().unwrap(), vec![i64::MIN, 4]);
    assert_eq!(b.pow_scalar(3.0).unwrap().to_vec::<i32>().unwrap(), vec![1, 8, 27, 64]);
}

#[test]
fn floor_division_and_remainder_follow_python() {
    let a = ints(&[7, -7, 7, -7, 5]);
    let b = ints(&[2, 2, -2, -2, 0]);
    let q = check_paths(|| a.floor_divide(&b).unwrap());
    assert_eq!(q, vec![3.0, -4.0, -4.0, 3.0, 0.0]);
    let r = check_paths(|| a.remainder(&b).unwrap());
    assert_eq!(r, vec![1.0, 1.0, -1.0, -1.0, 0.0]);
    // MIN // -1 wraps to MIN (as NumPy); MIN % -1 is 0.
    let (m, n) = (ints(&[i64::MIN]), ints(&[-1]));
    assert_eq!(m.floor_divide(&n).unwrap().to_vec::<i64>().unwrap(), vec![i64::MIN]);
    assert_eq!(m.remainder(&n).unwrap().to_vec::<i64>().unwrap(), vec![0]);
    let x = floats(&[7.5, -7.5, 1.0, 5.0]);
    let y = floats(&[2.0, 2.0, 0.1, 0.0]);
    let q = x.floor_divide(&y).unwrap().to_vec::<f32>().unwrap();
    assert_eq!(&q[..3], &[3.0, -4.0, 9.0]);
    assert!(q[3].is_infinite());
    let r = x.remainder(&y).unwrap().to_vec::<f32>().unwrap();
    assert_eq!(&r[..2], &[1.5, 0.5]);
    assert!(r[3].is_nan());
}

#[test]
fn logical_ops_on_bools_and_bitwise_on_ints() {
    let p = bools(&[true, true, false, false]);
    let q = bools(&[true, false, true, false]);
    assert_eq!((&p & &q).unwrap().to_vec::<bool>().unwrap(), vec![true, false, false, false]);
    assert_eq!((&p | &q).unwrap().to_vec::<bool>().unwrap(), vec![true, true, true, false]);
    assert_eq!((&p ^ &q).unwrap().to_vec::<bool>().unwrap(), vec![false, true, true, false]);
    assert_eq!((!&p).unwrap().to_vec::<bool>().unwrap(), vec![false, false, true, true]);
    let a = i32s(&[0b1100, -1, 5]);
    let b = i32s(&[0b1010, 3, 0]);
    assert_eq!((&a & &b).unwrap().to_vec::<i32>().unwrap(), vec![0b1000, 3, 0]);
    assert_eq!((!&a).unwrap().to_vec::<i32>().unwrap(), vec![!0b1100, 0, !5]);
    let f = floats(&[1.0]);
    assert!(matches!(&f & &f, Err(Error::UnsupportedDType { .. })));
    // A mask from floats combined with a stored mask.
    let x = floats(&[-1.0, 2.0, 3.0, -4.0]);
    let m = check_paths(|| (&x.gt(&Tensor::scalar(0.0, DType::F32)).unwrap() & &p).unwrap());
    assert_eq!(m, vec![0.0, 1.0, 0.0, 0.0]);
}

#[test]
fn casts_are_defined_for_every_value() {
    let x = floats(&[f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -2.7, 2.7, 3e10]);
    assert_eq!(x.cast(DType::I32).unwrap().to_vec::<i32>().unwrap(), vec![0, i32::MAX, i32::MIN, -2, 2, i32::MAX]);
    assert_eq!(x.cast(DType::Bool).unwrap().to_vec::<bool>().unwrap(), vec![true, true, true, true, true, true]);
    let i = ints(&[1 << 40, -1, 0]);
    assert_eq!(i.cast(DType::I32).unwrap().to_vec::<i32>().unwrap(), vec![0, -1, 0], "int64 -> int32 wraps");
    assert_eq!(bools(&[true, false]).cast(DType::F32).unwrap().to_vec::<f32>().unwrap(), vec![1.0, 0.0]);
}

#[test]
fn integer_reductions() {
    let a = Tensor::from_vec((0..12).map(|x: i32| x - 3).collect::<Vec<i32>>(), [3, 4]).unwrap();
    let s = a.sum(None, false).unwrap();
    assert_eq!(s.dtype(), DType::I64);
    assert_eq!(s.to_vec::<i64>().unwrap(), vec![30]);
    assert_eq!(a.sum(Some(&[0]), false).unwrap().to_vec::<i64>().unwrap(), vec![3, 6, 9, 12]);
    assert_eq!(a.max(Some(&[1]), false).unwrap().to_vec::<i32>().unwrap(), vec![0, 4, 8]);
    assert_eq!(a.min(Some(&[0]), false).unwrap().to_vec::<i32>().unwrap(), vec![-3, -2, -1, 0]);
    assert!(matches!(a.mean(None, false), Err(Error::UnsupportedDType { .. })));
    let m = bools(&[true, false, true, true]);
    assert_eq!(m.sum(None, false).unwrap().to_vec::<i64>().unwrap(), vec![3]);
    assert_eq!(m.max(None, false).unwrap().to_vec::<bool>().unwrap(), vec![true]);
    // Count of positives: a comparison kernel and a sum.
    let x = Tensor::randn([100_000], 3, DType::F32).unwrap();
    let n = x.gt(&Tensor::scalar(0.0, DType::F32)).unwrap().sum(None, false).unwrap();
    let direct = x.to_vec::<f32>().unwrap().iter().filter(|&&v| v > 0.0).count() as i64;
    assert_eq!(n.to_vec::<i64>().unwrap(), vec![direct]);
    // Exact int64 sums beyond 2^53.
    let big = ints(&[1 << 60, 1, 1 << 60, 1]);
    assert_eq!(big.sum(None, false).unwrap().to_vec::<i64>().unwrap(), vec![(1i64 << 61) + 2]);
}

#[test]
fn argmax_and_argmin() {
    let x = Tensor::from_vec(vec![1.0f32, 5.0, 5.0, 2.0, 9.0, f32::NAN, 0.0, -1.0, 3.0], [3, 3]).unwrap();
    assert_eq!(x.argmax(Some(1), false).unwrap().to_vec::<i64>().unwrap(), vec![1, 2, 2]);
    assert_eq!(x.argmin(Some(1), false).unwrap().to_vec::<i64>().unwrap(), vec![0, 2, 1]);
    assert_eq!(x.argmax(Some(0), false).unwrap().to_vec::<i64>().unwrap(), vec![1, 1, 1]);
    assert_eq!(x.argmax(None, false).unwrap().to_vec::<i64>().unwrap(), vec![5]);
    assert_eq!(x.argmax(Some(1), true).unwrap().dims(), &[3, 1]);
    // Long rows and a transposed view.
    let y = Tensor::randn([4, 50_000], 1, DType::F32).unwrap();
    let v = y.to_vec::<f32>().unwrap();
    let want: Vec<i64> = (0..4)
        .map(|r| {
            let row = &v[r * 50_000..(r + 1) * 50_000];
            (0..row.len()).fold(0, |b, i| if row[i] > row[b] { i } else { b }) as i64
        })
        .collect();
    assert_eq!(y.argmax(Some(1), false).unwrap().to_vec::<i64>().unwrap(), want);
    assert_eq!(y.transpose(0, 1).unwrap().argmax(Some(0), false).unwrap().to_vec::<i64>().unwrap(), want);
    let i = i32s(&[3, -1, 7, 7]);
    assert_eq!(i.argmax(None, false).unwrap().to_vec::<i64>().unwrap(), vec![2]);
    assert!(matches!(Tensor::zeros([0], DType::F32).unwrap().argmax(None, false), Err(Error::EmptyReduction { .. })));
}

#[test]
fn int_views_cat_and_arange() {
    let a = Tensor::arange(0.0, 12.0, 1.0, DType::I64).unwrap().reshape(&[3, 4]).unwrap();
    let t = a.transpose(0, 1).unwrap();
    assert_eq!((&t * 2i64).unwrap().to_vec::<i64>().unwrap(), vec![0, 8, 16, 2, 10, 18, 4, 12, 20, 6, 14, 22]);
    let c = Tensor::cat(&[bools(&[true]), bools(&[false, true])], 0).unwrap();
    assert_eq!(c.dtype(), DType::Bool);
    assert_eq!(c.to_vec::<bool>().unwrap(), vec![true, false, true]);
    let w = check_paths(|| bools(&[true, false, true]).where_cond(&ints(&[1, 2, 3]), &ints(&[-1, -2, -3])).unwrap());
    assert_eq!(w, vec![1.0, -2.0, 3.0]);
}
