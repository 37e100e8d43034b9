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

#[test]
fn index_expressions_become_views_and_name_the_callers_dims() {
    use super::IndexItem::{Ellipsis, Int, NewAxis, Slice};
    let x = lazy(&[2, 3, 4], DType::F32);
    let all = |step| Slice { start: None, stop: None, step };
    assert_eq!(x.index(&[Int(1)]).unwrap().dims(), &[3, 4]);
    assert_eq!(x.index(&[Int(-1), all(2), NewAxis]).unwrap().dims(), &[2, 1, 4]);
    assert_eq!(x.index(&[NewAxis, Ellipsis, Int(0)]).unwrap().dims(), &[1, 2, 3]);
    assert_eq!(x.index(&[Ellipsis, NewAxis]).unwrap().dims(), &[2, 3, 4, 1]);
    assert_eq!(x.index(&[all(1), Slice { start: Some(-2), stop: None, step: -1 }]).unwrap().dims(), &[2, 2, 4]);
    assert_eq!(x.index(&[]).unwrap().id(), x.id(), "an empty index is the tensor itself");
    let s = x.index(&[Int(0), Ellipsis, Int(3)]).unwrap();
    assert_eq!((s.dims(), s.dtype()), (&[3][..], DType::F32));
    // An int past its dim names the dim of `x`, not of the partial result.
    let err = x.index(&[Int(0), Ellipsis, Int(4)]).unwrap_err();
    assert_eq!(err, Error::IndexOutOfRange { op: "index", index: 4, dim: 2, size: 4 });
    assert_eq!(err.to_string(), "index: index 4 is out of bounds for dim 2 with size 4");
    let err = x.index(&[Int(0), Int(0), Int(0), Int(0)]).unwrap_err();
    assert_eq!(err, Error::TooManyIndices { shape: Shape::from([2, 3, 4]), given: 4 });
    assert_eq!(err.to_string(), "too many indices for a tensor of shape [2, 3, 4]: 4 given, 3 dims");
    let err = x.index(&[Ellipsis, Int(0), Ellipsis]).unwrap_err();
    assert_eq!(err.to_string(), "an index can only have a single ellipsis ('...')");
    assert!(matches!(x.index(&[all(0)]), Err(Error::BadArgument { op: "slice", .. })));
}

#[test]
fn squeeze_of_several_dims_removes_only_size_one_dims() {
    let x = lazy(&[1, 3, 1, 1], DType::F32);
    assert_eq!(x.squeeze_dims(&[0, -1, 0]).unwrap().dims(), &[3, 1]);
    assert_eq!(lazy(&[1, 1, 3], DType::F32).squeeze_dims(&[0, 0]).unwrap().dims(), &[1, 3], "once per dim");
    assert_eq!(x.squeeze_dims(&[1]).unwrap().id(), x.id(), "a dim of size 3 stays");
    assert_eq!(x.squeeze_dims(&[]).unwrap().id(), x.id());
    assert!(matches!(x.squeeze_dims(&[0, 4]), Err(Error::DimOutOfRange { op: "squeeze", dim: 4, .. })));
}

#[test]
fn t_reverses_all_dims_and_mt_swaps_the_last_two() {
    let x = lazy(&[2, 3, 4], DType::F32);
    let t = x.permute_reversed().unwrap();
    assert_eq!((t.dims(), t.op()), (&[4, 3, 2][..], &Op::Permute(smallvec![2, 1, 0])));
    let v = lazy(&[3], DType::F32);
    assert_eq!(v.permute_reversed().unwrap().id(), v.id(), "a vector is its own .T");
    assert_eq!(lazy(&[], DType::F32).permute_reversed().unwrap().dims(), &[] as &[usize]);
    assert_eq!(x.matrix_transpose().unwrap().dims(), &[2, 4, 3]);
    let err = v.matrix_transpose().unwrap_err();
    assert_eq!(err.to_string(), "mT needs a tensor with at least 2 dims, got shape [3]");
}

#[test]
fn in_place_values_keep_the_shape_and_dtype() {
    let dst = lazy(&[2, 3], DType::F32);
    let c = dst.copy_value(&lazy(&[3], DType::I64)).unwrap();
    assert_eq!((c.dims(), c.dtype()), (&[2, 3][..], DType::F32));
    assert!(matches!(dst.copy_value(&lazy(&[2], DType::F32)), Err(Error::ShapeMismatch { op: "copy_", .. })));
    assert!(matches!(dst.copy_value(&lazy(&[4, 2, 3], DType::F32)), Err(Error::BadArgument { op: "copy_", .. })));
    let i = lazy(&[2, 3], DType::I32);
    assert_eq!(i.inplace_value("+=", &lazy(&[2, 3], DType::I64)).unwrap().dtype(), DType::I32);
    assert!(matches!(i.inplace_value("+=", &dst), Err(Error::InplaceCast { op: "+=", .. })));
    assert!(matches!(i.inplace_value("*=", &lazy(&[3, 2], DType::I32)), Err(Error::BadShape { op: "*=", .. })));
    let err = i.inplace_value("add_", &lazy(&[3, 2, 3], DType::I32)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "add_: the result has shape [3, 2, 3] but the tensor updated in place has shape [2, 3]"
    );
}

#[test]
fn clamp_takes_tensor_and_weak_scalar_bounds() {
    use super::Operand;
    use crate::ScalarKind;
    let i = lazy(&[2, 3], DType::I32);
    let y = i.clamp_with(Some(Operand::Scalar(Scalar::new(0.5), ScalarKind::Float)), None).unwrap();
    assert_eq!(y.dtype(), DType::F32, "a float bound makes an int tensor float32");
    let hi = Operand::Scalar(Scalar::int(2), ScalarKind::Int);
    assert_eq!(i.clamp_with(None, Some(hi.clone())).unwrap().dtype(), DType::I32);
    let lo = lazy(&[3], DType::F64);
    let y = i.clamp_with(Some(lo.clone().into()), Some(hi)).unwrap();
    assert_eq!((y.dims(), y.dtype(), y.op()), (&[2, 3][..], DType::F64, &Op::Binary(BinaryOp::Minimum)));
    assert_eq!(i.clamp_with(None, None).unwrap().id(), i.id());
    // A scalar upper bound takes the dtype the lower bound gave: 2**40 next to float32, not
    // wrapped to int32.
    let lo = Operand::Scalar(Scalar::new(0.5), ScalarKind::Float);
    let big = Operand::Scalar(Scalar::int(1 << 40), ScalarKind::Int);
    let y = i.clamp_with(Some(lo), Some(big)).unwrap();
    assert!(matches!(y.operands()[1].op(), Op::Source(SourceOp::Full(v)) if v.get() == 2f64.powi(40)), "{y:?}");
    let err = i.clamp_with(None, Some(lazy(&[2], DType::I32).into())).unwrap_err();
    assert!(matches!(err, Error::ShapeMismatch { op: "clamp", .. }), "{err:?}");
}

#[test]
fn norms_check_normalized_shape_weight_and_bias() {
    let x = lazy(&[3, 4, 6], DType::F32);
    let w = |d: &[usize]| lazy(d, DType::F32);
    let y = x.layer_norm_shaped(&[4, 6], Some(&w(&[4, 6])), Some(&w(&[4, 6])), 1e-5).unwrap();
    assert_eq!(y.dims(), &[3, 4, 6]);
    assert_eq!(x.rms_norm_shaped(&[6], None, 1e-6).unwrap().dims(), &[3, 4, 6]);
    let msg = |r: crate::Result<Tensor>| r.unwrap_err().to_string();
    assert_eq!(
        msg(x.layer_norm_shaped(&[5], None, None, 1e-5)),
        "layer_norm: normalized_shape [5] does not match the trailing dims of input shape [3, 4, 6]"
    );
    assert!(msg(x.rms_norm_shaped(&[2, 3, 4, 6], None, 1e-6)).starts_with("rms_norm: normalized_shape"));
    // A weight that would broadcast is still refused: it must have the normalized shape.
    assert_eq!(
        msg(x.layer_norm_shaped(&[6], Some(&w(&[1, 6])), None, 1e-5)),
        "layer_norm: weight has shape [1, 6] but normalized_shape is [6]"
    );
    assert_eq!(
        msg(x.layer_norm_shaped(&[6], None, Some(&w(&[5])), 1e-5)),
        "layer_norm: bias has shape [5] but normalized_shape is [6]"
    );
    assert_eq!(
        msg(x.rms_norm_shaped(&[6], Some(&w(&[3])), 1e-6)),
        "rms_norm: weight has shape [3] but normalized_shape is [6]"
    );
    assert!(matches!(x.layer_norm_shaped(&[], None, None, 1e-5), Err(Error::BadArgument { op: "layer_norm", .. })));
}

#[test]
fn cross_entropy_checks_class_indices_as_given() {
    let x = lazy(&[4, 3], DType::F32);
    assert_eq!(x.cross_entropy_indices(&[0, 1, 2, 0]).unwrap().dims(), &[] as &[usize]);
    let err = x.cross_entropy_indices(&[0, -1, 2, 0]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cross_entropy: target[1] = -1 is out of range for logits of shape [4, 3] (class indices must be in 0..3)"
    );
    let big = u64::MAX as i128;
    let err = x.cross_entropy_indices(&[big, 0, 0, 0]).unwrap_err();
    assert!(matches!(err, Error::ClassIndex { position: 0, target, classes: 3, .. } if target == big));
    assert!(matches!(x.cross_entropy_indices(&[0, 1, 3, 0]), Err(Error::ClassIndex { position: 2, target: 3, .. })));
    // Indices are checked before the number of rows, and negative ones whatever the logits.
    assert!(matches!(x.cross_entropy_indices(&[5]), Err(Error::ClassIndex { position: 0, .. })));
    assert!(matches!(x.cross_entropy_indices(&[0, 1]), Err(Error::BadArgument { op: "cross_entropy", .. })));
    let v = lazy(&[3], DType::F32);
    assert!(matches!(v.cross_entropy_indices(&[7, -2]), Err(Error::ClassIndex { position: 1, classes: 0, .. })));
    assert!(matches!(v.cross_entropy_indices(&[7]), Err(Error::BadArgument { op: "cross_entropy", .. })));
}

#[test]
fn operands_of_dynamic_callers_keep_pytorchs_names_and_weak_scalars() {
    use super::Operand;
    use crate::ScalarKind;
    let i = lazy(&[3], DType::I32);
    let two = || Operand::Scalar(Scalar::int(2), ScalarKind::Int);
    assert_eq!(i.binary_operand(BinaryOp::Pow, two()).unwrap().op(), &Op::Unary(crate::op::UnaryOp::Square));
    let r = i.rbinary_operand(BinaryOp::Sub, Operand::Scalar(Scalar::new(0.5), ScalarKind::Float)).unwrap();
    assert_eq!((r.dtype(), r.operands()[0].op()), (DType::F32, &Op::Source(SourceOp::Full(Scalar::new(0.5)))));
    let f = lazy(&[3], DType::F32);
    assert!(matches!(f.binary_operand(BinaryOp::And, two()), Err(Error::UnsupportedDType { op: "bitwise_and", .. })));
    assert!(matches!(
        f.binary_operand(BinaryOp::Add, lazy(&[2], DType::F32).into()),
        Err(Error::ShapeMismatch { op: "add", .. })
    ));
    let l = f.logical_xor(&i).unwrap();
    assert_eq!((l.dims(), l.dtype()), (&[3][..], DType::Bool));
    assert!(matches!(f.logical_and(&lazy(&[2], DType::F32)), Err(Error::ShapeMismatch { op: "logical_and", .. })));
}
