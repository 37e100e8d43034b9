//! Unit tests of the builders: the shape and dtype each infers, the nodes it lowers to, and the
//! error each reports.

use super::Tensor;
use crate::op::{BinaryOp, Op, ReduceOp, Scalar, SourceOp};
use crate::{DType, Error, Shape};
use smallvec::smallvec;

fn lazy(dims: &[usize], dtype: DType) -> Tensor {
    Tensor::placeholder(Shape::from(dims), dtype).unwrap()
}

#[test]
fn binary_ops_broadcast_and_promote() {
    let (a, b) = (lazy(&[4, 1, 3], DType::I32), lazy(&[5, 1], DType::F32));
    let y = a.binary(BinaryOp::Add, &b).unwrap();
    assert_eq!((y.dims(), y.dtype()), (&[4, 5, 3][..], DType::F32));
    // Operands are cast to the common dtype first.
    assert_eq!(y.operands()[0].op(), &Op::Cast(DType::F32));
    let i = lazy(&[3], DType::I32);
    assert_eq!(i.binary(BinaryOp::Div, &i).unwrap().dtype(), DType::F32);
    assert_eq!(i.binary(BinaryOp::Lt, &lazy(&[3], DType::I64)).unwrap().dtype(), DType::Bool);
    let p = lazy(&[3], DType::Bool);
    assert_eq!(p.binary(BinaryOp::Add, &p).unwrap().op(), &Op::Binary(BinaryOp::Or));
    assert!(matches!(p.binary(BinaryOp::Sub, &p), Err(Error::UnsupportedDType { op: "sub", dtype: DType::Bool })));
    let f = lazy(&[3], DType::F32);
    assert!(matches!(f.binary(BinaryOp::And, &f), Err(Error::UnsupportedDType { dtype: DType::F32, .. })));
    // The shape is checked before the dtype.
    let err = p.binary(BinaryOp::Sub, &lazy(&[4], DType::Bool)).unwrap_err();
    assert!(matches!(err, Error::ShapeMismatch { op: "sub", .. }), "{err:?}");
}

#[test]
fn unary_ops_follow_their_dtype_rule() {
    let i = lazy(&[2, 3], DType::I32);
    let e = i.exp().unwrap();
    assert_eq!((e.dims(), e.dtype()), (&[2, 3][..], DType::F32));
    assert_eq!(e.operands()[0].op(), &Op::Cast(DType::F32));
    assert_eq!(i.floor().unwrap().id(), i.id(), "rounding is the identity on ints");
    assert_eq!(i.neg().unwrap().dtype(), DType::I32);
    assert_eq!(i.logical_not().unwrap().dtype(), DType::Bool);
    assert!(matches!(lazy(&[2], DType::Bool).neg(), Err(Error::UnsupportedDType { op: "neg", .. })));
    assert!(matches!(lazy(&[2], DType::F32).bitwise_not(), Err(Error::UnsupportedDType { .. })));
}

#[test]
fn where_broadcasts_three_ways_and_casts_follow_the_cast_rule() {
    let c = lazy(&[4, 1, 1], DType::F32);
    let (a, b) = (lazy(&[1, 3, 1], DType::I32), lazy(&[2], DType::F64));
    let y = c.where_cond(&a, &b).unwrap();
    assert_eq!((y.dims(), y.dtype()), (&[4, 3, 2][..], DType::F64));
    assert_eq!(y.operands()[0].op(), &Op::Binary(BinaryOp::Ne), "a non-bool condition is `!= 0`");
    let err = c.where_cond(&a, &lazy(&[2, 2], DType::F32)).unwrap_err();
    assert!(matches!(err, Error::ShapeMismatch { op: "where", .. }));
    // A cast of a constant is a constant of the new dtype.
    let k = Tensor::full([2], 2.7, DType::F32).unwrap().cast(DType::I32).unwrap();
    assert_eq!((k.op(), k.dtype()), (&Op::Source(SourceOp::Full(Scalar::int(2))), DType::I32));
    assert_eq!(a.cast(DType::Bool).unwrap().op(), &Op::Binary(BinaryOp::Ne));
    let err = lazy(&[2], DType::F32).cast_inplace("add_", DType::I32).unwrap_err();
    assert!(matches!(err, Error::InplaceCast { op: "add_", result: DType::F32, out: DType::I32 }));
}

#[test]
fn reductions_infer_shapes_and_split_into_runs_of_adjacent_dims() {
    let x = lazy(&[2, 3, 4, 5], DType::F32);
    assert_eq!(x.sum(Some(&[0, 2, 3]), false).unwrap().dims(), &[3]);
    let k = x.sum(Some(&[-1, 0]), true).unwrap();
    assert_eq!(k.dims(), &[1, 3, 4, 1]);
    // Innermost run first, each keeping its dims.
    assert_eq!(k.op(), &Op::Reduce { op: ReduceOp::Sum, axes: smallvec![0], keepdim: true });
    assert_eq!(k.operands()[0].dims(), &[2, 3, 4, 1]);
    let m = x.max(Some(&[1, 2]), false).unwrap();
    assert_eq!(
        (m.dims(), m.op()),
        (&[2, 5][..], &Op::Reduce { op: ReduceOp::Max, axes: smallvec![1, 2], keepdim: false })
    );
    assert_eq!(lazy(&[3, 1], DType::F32).sum(Some(&[1]), false).unwrap().op(), &Op::Reshape, "a size-1 dim");
    assert_eq!(lazy(&[3], DType::I32).sum(None, false).unwrap().dtype(), DType::I64);
    assert_eq!(lazy(&[3], DType::Bool).max(None, false).unwrap().dtype(), DType::Bool);
    assert!(matches!(x.sum(Some(&[1, -3]), false), Err(Error::DuplicateDim { op: "sum", dim: -3 })));
    assert!(matches!(x.sum(Some(&[4]), false), Err(Error::DimOutOfRange { op: "sum", dim: 4, ndim: 4, .. })));
    let empty = lazy(&[0, 3], DType::F32);
    assert!(matches!(empty.max(Some(&[0]), false), Err(Error::EmptyReduction { op: "max", .. })));
    let z = empty.sum(Some(&[0]), true).unwrap();
    assert_eq!((z.dims(), z.op()), (&[1, 3][..], &Op::Source(SourceOp::Full(Scalar::new(0.0)))));
}

#[test]
fn arg_reductions_are_int64_with_the_reduced_shape() {
    let x = lazy(&[2, 3], DType::F32);
    let a = x.argmax(Some(-1), true).unwrap();
    assert_eq!((a.dims(), a.dtype()), (&[2, 1][..], DType::I64));
    assert_eq!(x.argmin(Some(0), false).unwrap().dims(), &[3]);
    assert_eq!(x.argmax(None, false).unwrap().dims(), &[] as &[usize]);
    assert_eq!(x.argmax(None, true).unwrap().dims(), &[1, 1]);
    assert!(matches!(
        lazy(&[2, 0], DType::F32).argmin(Some(1), false),
        Err(Error::EmptyReduction { op: "argmin", .. })
    ));
    let s = lazy(&[], DType::F32);
    assert!(matches!(s.extremum_along(ReduceOp::Max, 1, false), Err(Error::DimOutOfRange { op: "max", .. })));
}

#[test]
fn views_infer_shapes_and_reject_bad_arguments() {
    let x = lazy(&[2, 3, 4], DType::F32);
    assert_eq!(x.reshape(&[-1, 4]).unwrap().dims(), &[6, 4]);
    assert!(matches!(x.reshape(&[-1, -1]), Err(Error::BadShape { op: "reshape", .. })));
    assert!(matches!(x.reshape(&[5, -1]), Err(Error::BadReshape { op: "reshape", .. })));
    let p = x.permute(&[2, 0, -2]).unwrap();
    assert_eq!((p.dims(), p.op()), (&[4, 2, 3][..], &Op::Permute(smallvec![2, 0, 1])));
    assert!(matches!(x.permute(&[0, 0, 1]), Err(Error::BadArgument { op: "permute", .. })));
    assert_eq!(x.transpose(0, -1).unwrap().dims(), &[4, 3, 2]);
    assert_eq!(lazy(&[3, 1], DType::F32).expand(&[2, -1, 5]).unwrap().dims(), &[2, 3, 5]);
    assert!(matches!(x.expand(&[5, 3, 4]), Err(Error::ShapeMismatch { op: "expand", .. })));
    let s = x.slice(2, None, None, -2).unwrap();
    assert_eq!((s.dims(), s.op()), (&[2, 3, 2][..], &Op::Slice { dim: 2, start: 3, step: -2 }));
    assert_eq!(x.slice(-1, Some(-3), None, 2).unwrap().dims(), &[2, 3, 2]);
    assert!(matches!(x.slice(0, None, None, 0), Err(Error::BadArgument { op: "slice", .. })));
    assert_eq!(x.select(1, -1).unwrap().dims(), &[2, 4]);
    assert!(matches!(x.select(1, 3), Err(Error::IndexOutOfRange { op: "index", index: 3, dim: 1, size: 3 })));
    assert_eq!(x.unsqueeze(-1).unwrap().dims(), &[2, 3, 4, 1]);
    assert_eq!(x.flatten(1, 2).unwrap().dims(), &[2, 12]);
    assert_eq!(lazy(&[1, 3, 1], DType::F32).squeeze(None).unwrap().dims(), &[3]);
}

#[test]
fn joins_and_matmul_infer_shapes() {
    let (a, b) = (lazy(&[2, 3], DType::I32), lazy(&[2, 5], DType::F32));
    let c = Tensor::cat(&[a.clone(), b.clone()], -1).unwrap();
    assert_eq!((c.dims(), c.dtype()), (&[2, 8][..], DType::F32));
    let err = Tensor::cat(&[a.clone(), b.clone()], 0).unwrap_err();
    assert!(matches!(err, Error::ConcatSize { op: "cat", dim: 0, expected: 3, got: 5, index: 1 }), "{err:?}");
    let err = Tensor::cat(&[a.clone(), lazy(&[2], DType::I32)], 0).unwrap_err();
    assert!(matches!(err, Error::ConcatRank { op: "cat", expected: 2, got: 1, index: 1 }), "{err:?}");
    assert_eq!(Tensor::stack(&[a.clone(), a.clone()], 1).unwrap().dims(), &[2, 2, 3]);
    assert!(matches!(Tensor::stack(&[a.clone(), b.clone()], 0), Err(Error::StackShape { index: 1, .. })));
    let f = |d: &[usize]| lazy(d, DType::F32);
    assert_eq!(f(&[5, 2, 3]).matmul(&f(&[3])).unwrap().dims(), &[5, 2]);
    assert_eq!(f(&[3]).matmul(&f(&[3, 4])).unwrap().dims(), &[4]);
    assert_eq!(f(&[3]).matmul(&f(&[3])).unwrap().dims(), &[] as &[usize]);
    assert_eq!(f(&[2, 1, 2, 3]).matmul(&f(&[4, 3, 5])).unwrap().dims(), &[2, 4, 2, 5]);
    let err = f(&[2, 2, 3]).matmul(&f(&[4, 3, 4])).unwrap_err();
    assert_eq!(err, Error::ShapeMismatch { op: "matmul", lhs: Shape::from([2, 2, 3]), rhs: Shape::from([4, 3, 4]) });
    assert!(matches!(f(&[2, 3]).matmul(&f(&[2, 3])), Err(Error::ShapeMismatch { op: "matmul", .. })));
    assert!(matches!(a.matmul(&lazy(&[3, 2], DType::I32)), Err(Error::UnsupportedDType { op: "matmul", .. })));
}

#[test]
fn creation_infers_lengths_and_converts_values() {
    assert_eq!(Tensor::arange(0, 10, 3, DType::I64).unwrap().dims(), &[4]);
    assert_eq!(Tensor::arange(10, 0, -3, DType::I64).unwrap().dims(), &[4]);
    assert_eq!(Tensor::arange(5, 0, 1, DType::I64).unwrap().dims(), &[0]);
    assert_eq!(Tensor::arange(0.0, 1.0, 0.3, DType::F32).unwrap().dims(), &[4]);
    assert!(matches!(Tensor::arange(0.0, 1.0, 0.0, DType::F32), Err(Error::BadArgument { op: "arange", .. })));
    let full = Tensor::full([2], 1.5, DType::I32).unwrap();
    assert_eq!(full.op(), &Op::Source(SourceOp::Full(Scalar::int(1))));
    let err = Tensor::from_vec(vec![1.0f32; 5], [2, 3]).unwrap_err();
    assert!(matches!(err, Error::BufferLength { expected: 6, got: 5, .. }));
    assert!(matches!(Tensor::rand([2], 0, DType::I32), Err(Error::UnsupportedDType { op: "rand", .. })));
}

#[test]
fn composites_keep_the_operand_shape_and_check_dtypes() {
    let x = lazy(&[2, 3], DType::F32);
    let s = x.softmax(-1).unwrap();
    assert_eq!((s.dims(), s.dtype()), (&[2, 3][..], DType::F32));
    assert_eq!(x.logsumexp(1, false).unwrap().dims(), &[2]);
    assert_eq!(x.var(Some(&[0]), 1, true).unwrap().dims(), &[1, 3]);
    assert_eq!(lazy(&[2], DType::I32).softplus(1.0, 20.0).unwrap().dtype(), DType::F32);
    assert!(matches!(lazy(&[2], DType::I32).softmax(0), Err(Error::UnsupportedDType { op: "softmax", .. })));
    assert!(matches!(x.layer_norm(3, None, None, 1e-5), Err(Error::BadArgument { op: "layer_norm", .. })));
    assert!(matches!(x.cross_entropy(&[0, 3]), Err(Error::IndexOutOfRange { op: "cross_entropy", index: 3, .. })));
    assert_eq!(x.cross_entropy(&[0, 2]).unwrap().dims(), &[] as &[usize]);
}
