//! Integer constants are exact: a scalar or `full` value beyond 2^53, an `arange` over int64
//! bounds, in every op and int dtype, fused, eager and constant-folded, checked against Rust's
//! own wrapping `i64`/`i32` arithmetic (the f64 reference cannot hold these values).

mod common;

use common::evaluated;
use rusttorch_exec::prelude::*;
use rusttorch_ir::op::BinaryOp;
use rusttorch_ir::{Scalar, ScalarKind};
use std::num::Wrapping;

/// Values near the int64 limits and beyond 2^53, where an f64 rounds.
const BIG: [i64; 6] = [(1 << 62) + 1, -(1 << 61) - 7, (1 << 53) + 1, i64::MAX, i64::MIN + 1, 3];

/// What `op` gives in two's-complement int64 arithmetic (Python's signs for `//` and `%`).
fn want_i64(op: BinaryOp, a: i64, b: i64) -> i64 {
    let (wa, wb) = (Wrapping(a), Wrapping(b));
    match op {
        BinaryOp::Add => (wa + wb).0,
        BinaryOp::Sub => (wa - wb).0,
        BinaryOp::Mul => (wa * wb).0,
        BinaryOp::FloorDiv => {
            let r = a.wrapping_rem(b);
            a.wrapping_div(b).wrapping_sub(i64::from(r != 0 && (r < 0) != (b < 0)))
        }
        BinaryOp::Rem => {
            let r = a.wrapping_rem(b);
            if r != 0 && (r < 0) != (b < 0) {
                r + b
            } else {
                r
            }
        }
        BinaryOp::Maximum => a.max(b),
        BinaryOp::Minimum => a.min(b),
        BinaryOp::Lt => i64::from(a < b),
        BinaryOp::Gt => i64::from(a > b),
        BinaryOp::Eq => i64::from(a == b),
        _ => unreachable!(),
    }
}

const OPS: [BinaryOp; 10] = [
    BinaryOp::Add,
    BinaryOp::Sub,
    BinaryOp::Mul,
    BinaryOp::FloorDiv,
    BinaryOp::Rem,
    BinaryOp::Maximum,
    BinaryOp::Minimum,
    BinaryOp::Lt,
    BinaryOp::Gt,
    BinaryOp::Eq,
];

fn values(t: &Tensor) -> Vec<i64> {
    match t.dtype() {
        DType::Bool => t.to_vec::<bool>().unwrap().into_iter().map(i64::from).collect(),
        DType::I32 => t.to_vec::<i32>().unwrap().into_iter().map(i64::from).collect(),
        _ => t.to_vec::<i64>().unwrap(),
    }
}

#[test]
fn int64_scalars_beyond_2_pow_53_are_exact_in_every_op() {
    let data: Vec<i64> = BIG.iter().map(|v| v.wrapping_mul(3)).chain([0, -1, 1 << 62]).collect();
    for fuse in [true, false] {
        for op in OPS {
            for &c in &BIG {
                let x = Tensor::from_slice(&data);
                for reflected in [false, true] {
                    let s = x.scalar_like(c, ScalarKind::Int);
                    let y = if reflected { s.binary(op, &x) } else { x.binary(op, &s) }.unwrap();
                    let got = values(&evaluated(&y, fuse));
                    let want: Vec<i64> = data
                        .iter()
                        .map(|&a| if reflected { (c, a) } else { (a, c) })
                        .map(|(a, b)| want(op, a, b))
                        .collect();
                    assert_eq!(got, want, "{op:?} with {c} (reflected {reflected}, fuse {fuse})");
                }
            }
        }
    }
}

/// `want_i64`, with integer `x // 0` and `x % 0` defined as 0 (as the kernels define them).
fn want(op: BinaryOp, a: i64, b: i64) -> i64 {
    if b == 0 && matches!(op, BinaryOp::FloorDiv | BinaryOp::Rem) {
        0
    } else {
        want_i64(op, a, b)
    }
}

#[test]
fn the_issue_example() {
    let x = Tensor::from_slice(&[1i64 << 62]);
    let y = x.binary_scalar(BinaryOp::FloorDiv, (1i64 << 60) + 1).unwrap();
    assert_eq!(y.to_vec::<i64>().unwrap(), vec![3]);
}

#[test]
fn int32_tensors_take_int_scalars_wrapped_to_int32() {
    // As PyTorch converts a scalar to the tensor's dtype: 2^40 + 5 becomes 5.
    let x = Tensor::from_slice(&[7i32, -9, i32::MAX]);
    for fuse in [true, false] {
        let s = x.scalar_like((1i64 << 40) + 5, ScalarKind::Int);
        assert_eq!(s.dtype(), DType::I32);
        let y = evaluated(&x.binary(BinaryOp::Add, &s).unwrap(), fuse);
        assert_eq!(y.to_vec::<i32>().unwrap(), vec![12, -4, i32::MIN + 4]);
    }
}

#[test]
fn full_constants_hold_exact_ints_through_views_where_and_folding() {
    let big = (1i64 << 62) + 1;
    let c = Tensor::full([3], big, DType::I64).unwrap();
    for fuse in [true, false] {
        // A graph output that is only a constant, and one read through a view.
        assert_eq!(evaluated(&c, fuse).to_vec::<i64>().unwrap(), vec![big; 3]);
        let v = Tensor::full([3], big, DType::I64).unwrap().slice(0, None, None, -1).unwrap();
        assert_eq!(evaluated(&(&v + 0i64).unwrap(), fuse).to_vec::<i64>().unwrap(), vec![big; 3]);
        // `where` of two constants folds to the chosen one, exactly.
        let m = Tensor::from_slice(&[true, false, true]);
        let w = m.where_cond(&Tensor::scalar(big, DType::I64), &Tensor::scalar(big - 1, DType::I64)).unwrap();
        assert_eq!(evaluated(&w, fuse).to_vec::<i64>().unwrap(), vec![big, big - 1, big]);
        // Comparisons of constants that only differ beyond 2^53 (never folded through f64).
        let gt = Tensor::full([1], big, DType::I64).unwrap().gt(&Tensor::full([1], big - 1, DType::I64).unwrap());
        assert_eq!(evaluated(&gt.unwrap(), fuse).to_vec::<bool>().unwrap(), vec![true]);
        // A cast of a (reshaped, so folded by the pass) constant to int32 wraps exactly.
        let r = Tensor::full([2, 2], big + 6, DType::I64).unwrap().reshape(&[4]).unwrap();
        let i = evaluated(&r.cast(DType::I32).unwrap(), fuse);
        assert_eq!(i.to_vec::<i32>().unwrap(), vec![7; 4]);
    }
}

#[test]
fn scalar_cast_is_the_kernel_cast_rule() {
    let f = |v: f64, d: DType| Scalar::new(v).cast(d);
    assert_eq!(f(f64::NAN, DType::I32), Scalar::int(0));
    assert_eq!(f(f64::INFINITY, DType::I64), Scalar::int(i64::MAX));
    assert_eq!(f(f64::NEG_INFINITY, DType::I32), Scalar::int(i64::from(i32::MIN)));
    assert_eq!(f(-2.7, DType::I64), Scalar::int(-2));
    assert_eq!(f(f64::NAN, DType::Bool), Scalar::int(1));
    assert_eq!(f(-0.0, DType::Bool), Scalar::int(0));
    assert_eq!(Scalar::int((1 << 40) + 5).cast(DType::I32), Scalar::int(5));
    assert_eq!(Scalar::int((1 << 53) + 1).cast(DType::F64), Scalar::new(9007199254740992.0));
    assert_eq!(Scalar::int(i64::MAX).cast(DType::F32), Scalar::new(f64::from(i64::MAX as f32)));
    // The same values through a kernel's cast of an input buffer.
    let x = Tensor::from_slice(&[f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -2.7, 3e10]);
    assert_eq!(x.cast(DType::I32).unwrap().to_vec::<i32>().unwrap(), vec![0, i32::MAX, i32::MIN, -2, i32::MAX]);
    let c: Vec<i32> = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -2.7, 3e10]
        .iter()
        .map(|&v| Scalar::new(v).cast(DType::I32).as_int().unwrap() as i32)
        .collect();
    assert_eq!(c, vec![0, i32::MAX, i32::MIN, -2, i32::MAX]);
}

#[test]
fn int_arange_is_exact_at_and_beyond_2_pow_53() {
    let cases: [(i64, i64, i64); 8] = [
        (1 << 53, (1 << 53) + 5, 1),
        (100_000_000_000_000_000, 100_000_000_000_000_005, 1),
        (100_000_000_000_000_005, 100_000_000_000_000_000, -1),
        (i64::MAX - 4, i64::MAX, 1),
        (i64::MIN, i64::MIN + 7, 3),
        (i64::MIN, i64::MAX, 1 << 62),
        (i64::MAX, i64::MIN, -(1 << 61) - 3),
        (5, 5, 1),
    ];
    for (a, b, s) in cases {
        let want: Vec<i64> = {
            let (mut v, mut x) = (Vec::new(), i128::from(a));
            while (s > 0 && x < i128::from(b)) || (s < 0 && x > i128::from(b)) {
                v.push(x as i64);
                x += i128::from(s);
            }
            v
        };
        for fuse in [true, false] {
            let t = Tensor::arange(a, b, s, DType::I64).unwrap();
            assert_eq!(t.numel(), want.len(), "arange({a}, {b}, {s})");
            assert_eq!(evaluated(&t, fuse).to_vec::<i64>().unwrap(), want, "arange({a}, {b}, {s})");
            // Rounded once to float64 from the exact value.
            let f = evaluated(&Tensor::arange(a, b, s, DType::F64).unwrap(), fuse);
            assert_eq!(f.to_vec::<f64>().unwrap(), want.iter().map(|&v| v as f64).collect::<Vec<_>>());
        }
    }
    // Float arguments keep PyTorch's float64 length.
    assert_eq!(Tensor::arange(0.0, 1.0, 0.1, DType::F32).unwrap().numel(), 10);
    assert!(Tensor::arange(0i64, 5, 0, DType::I64).is_err());
}
