//! Unit tests of the movement ops, the structured creation functions, the samplers and the
//! printer: shapes, the views they lower to, values of buffer-backed results, and errors.

use super::Tensor;
use crate::op::Op;
use crate::print::PrintOptions;
use crate::{DType, Error, PadMode, Scalar, Shape};

fn lazy(dims: &[usize]) -> Tensor {
    Tensor::placeholder(Shape::from(dims), DType::F32).unwrap()
}

fn values(t: &Tensor) -> Vec<f64> {
    t.buffer().expect("buffer-backed").to_f64_vec()
}

fn ramp(dims: &[usize]) -> Tensor {
    let n: usize = dims.iter().product();
    Tensor::from_vec((0..n as i64).collect::<Vec<_>>(), dims).unwrap()
}

/// Reads a view of an evaluated tensor in order (what NumPy would see).
fn read(t: &Tensor) -> Vec<f64> {
    let v = t.strided_view().expect("a view of a buffer");
    let mut out = Vec::new();
    let mut idx = vec![0usize; t.ndim()];
    for _ in 0..t.numel() {
        out.push(v.element(&idx).get());
        for d in (0..idx.len()).rev() {
            idx[d] += 1;
            if idx[d] < t.dims()[d] {
                break;
            }
            idx[d] = 0;
        }
    }
    out
}

#[test]
fn flip_and_rot90_are_views() {
    let x = ramp(&[2, 3]);
    let f = x.flip(&[0, -1]).unwrap();
    assert!(matches!(f.op(), Op::Slice { step: -1, .. }));
    assert_eq!(read(&f), [5.0, 4.0, 3.0, 2.0, 1.0, 0.0]);
    let r = x.rot90(1, [0, 1]).unwrap();
    assert_eq!(r.dims(), &[3, 2]);
    // NumPy: rot90([[0 1 2] [3 4 5]]) = [[2 5] [1 4] [0 3]].
    assert_eq!(read(&r), [2.0, 5.0, 1.0, 4.0, 0.0, 3.0]);
    assert_eq!(x.rot90(-4, [0, 1]).unwrap().id(), x.id());
    assert!(matches!(x.flip(&[0, 0]), Err(Error::DuplicateDim { op: "flip", .. })));
    assert!(matches!(lazy(&[3]).rot90(1, [0, 1]), Err(Error::TooFewDims { op: "rot90", .. })));
}

#[test]
fn flip_moves_below_elementwise_ops() {
    let x = ramp(&[2, 3]).cast(DType::F32).unwrap().exp().unwrap();
    let y = Tensor::from_vec(vec![1.0f32; 3], [3]).unwrap();
    let e = (&x * &y).unwrap().binary_scalar(crate::BinaryOp::Add, 1.0).unwrap();
    let f = e.flip(&[0]).unwrap();
    // add(mul(exp(flip(cast x)), flip(expand y)), 1): the views sit on the leaves.
    assert_eq!(f.op(), e.op());
    let mul = &f.operands()[0];
    let exp = &mul.operands()[0];
    assert_eq!(exp.op(), x.op());
    assert!(matches!(exp.operands()[0].op(), Op::Slice { step: -1, .. }));
    assert!(matches!(mul.operands()[1].op(), Op::Slice { step: -1, .. }));
    assert_eq!(mul.operands()[1].operands()[0].op(), &Op::Expand);
    assert_eq!(f.operands()[1].ndim(), 0, "a scalar operand is not viewed");
    let r = e.rot90(1, [0, 1]).unwrap();
    assert_eq!((r.dims(), r.op()), (&[3, 2][..], e.op()));
}

#[test]
fn roll_splits_and_joins() {
    let x = ramp(&[5]);
    let r = x.roll(&[2], &[0]).unwrap();
    assert!(matches!(r.op(), Op::Concat { .. }));
    assert_eq!(x.roll(&[5], &[0]).unwrap().id(), x.id(), "a full turn is the tensor itself");
    let two = ramp(&[2, 2]).roll(&[1], &[]).unwrap();
    assert_eq!(two.dims(), &[2, 2]);
    assert!(matches!(x.roll(&[1, 2], &[0]), Err(Error::BadArgument { op: "roll", .. })));
}

#[test]
fn repeat_tile_and_interleave_shapes() {
    let x = lazy(&[2, 3]);
    assert_eq!(x.repeat(&[2, 1, 2]).unwrap().dims(), &[2, 2, 6]);
    assert_eq!(x.tile(&[2]).unwrap().dims(), &[2, 6]);
    assert_eq!(x.repeat_interleave(3, None).unwrap().dims(), &[18]);
    assert_eq!(x.repeat_interleave(2, Some(0)).unwrap().dims(), &[4, 3]);
    let y = ramp(&[3]).repeat_interleave_counts(&[1, 0, 2], Some(0)).unwrap();
    assert_eq!(y.dims(), &[3]);
    assert!(matches!(x.repeat(&[2]), Err(Error::BadArgument { op: "repeat", .. })));
    let err = x.repeat_interleave_counts(&[1, 2], Some(1)).unwrap_err();
    assert!(err.to_string().starts_with("repeat_interleave: repeats must have 3 counts"), "{err}");
}

#[test]
fn split_chunk_unbind_narrow() {
    let x = lazy(&[7, 2]);
    let sizes: Vec<usize> = x.split(3, 0).unwrap().iter().map(|t| t.dims()[0]).collect();
    assert_eq!(sizes, [3, 3, 1]);
    let sizes: Vec<usize> = x.chunk(3, 0).unwrap().iter().map(|t| t.dims()[0]).collect();
    assert_eq!(sizes, [3, 3, 1]);
    // PyTorch's chunk may give fewer chunks than asked: 6 in 4 chunks of 2.
    assert_eq!(lazy(&[6]).chunk(4, 0).unwrap().len(), 3);
    assert_eq!(lazy(&[0]).split(2, 0).unwrap().len(), 1);
    assert_eq!(x.unbind(1).unwrap().iter().map(|t| t.dims().to_vec()).collect::<Vec<_>>(), [vec![7], vec![7]]);
    assert_eq!(x.narrow(0, -2, 2).unwrap().dims(), &[2, 2]);
    assert!(matches!(x.narrow(0, 6, 2), Err(Error::BadArgument { op: "narrow", .. })));
    assert!(matches!(x.narrow(0, 9, 0), Err(Error::IndexOutOfRange { op: "narrow", .. })));
    assert!(matches!(x.split_sizes(&[3, 3], 0), Err(Error::BadArgument { op: "split", .. })));
    assert!(matches!(x.chunk(0, 0), Err(Error::BadArgument { op: "chunk", .. })));
}

#[test]
fn movedim_unflatten_broadcast() {
    let x = lazy(&[2, 3, 4, 5]);
    assert_eq!(x.movedim(&[0], &[-1]).unwrap().dims(), &[3, 4, 5, 2]);
    assert_eq!(x.movedim(&[3, 0], &[0, 1]).unwrap().dims(), &[5, 2, 3, 4]);
    assert!(matches!(x.movedim(&[0, 0], &[1, 2]), Err(Error::DuplicateDim { op: "movedim", .. })));
    assert_eq!(x.unflatten(2, &[2, -1]).unwrap().dims(), &[2, 3, 2, 2, 5]);
    assert!(matches!(x.unflatten(2, &[3, -1]), Err(Error::BadReshape { op: "unflatten", .. })));
    let s = Tensor::broadcast_shapes(&[Shape::from([2, 1]), Shape::from([3]), Shape::scalar()]).unwrap();
    assert_eq!(s.dims(), &[2, 3]);
    let b = Tensor::broadcast_tensors(&[lazy(&[3]), lazy(&[2, 1])]).unwrap();
    assert!(b.iter().all(|t| t.dims() == [2, 3] && t.op() == &Op::Expand));
}

#[test]
fn pad_modes() {
    let x = ramp(&[3]);
    let c = x.pad(&[1, 2], PadMode::Constant(Scalar::int(9))).unwrap();
    assert_eq!(c.dims(), &[6]);
    assert_eq!(x.pad(&[-1, 0], PadMode::Constant(Scalar::int(0))).unwrap().dims(), &[2]);
    for mode in [PadMode::Reflect, PadMode::Replicate, PadMode::Circular] {
        assert_eq!(x.pad(&[2, 2], mode).unwrap().dims(), &[7]);
    }
    assert!(x.pad(&[3, 0], PadMode::Reflect).is_err());
    assert!(x.pad(&[4, 0], PadMode::Circular).is_err());
    assert!(x.pad(&[1], PadMode::Reflect).is_err());
    assert!(PadMode::from_name("wrap", Scalar::int(0)).is_err());
}

#[test]
fn structured_creation_values() {
    assert_eq!(values(&Tensor::linspace(0.0, 1.0, 5, DType::F64).unwrap()), [0.0, 0.25, 0.5, 0.75, 1.0]);
    assert_eq!(values(&Tensor::linspace(2.0, 9.0, 1, DType::F64).unwrap()), [2.0]);
    assert_eq!(values(&Tensor::logspace(0.0, 2.0, 3, 10.0, DType::F64).unwrap()), [1.0, 10.0, 100.0]);
    let t = Tensor::tril_indices(3, 3, 0, DType::I64).unwrap();
    assert_eq!(values(&t), [0.0, 1.0, 1.0, 2.0, 2.0, 2.0, 0.0, 0.0, 1.0, 0.0, 1.0, 2.0]);
    let u = Tensor::triu_indices(2, 3, 1, DType::I64).unwrap();
    assert_eq!(values(&u), [0.0, 0.0, 1.0, 1.0, 2.0, 2.0]);
    assert!(matches!(Tensor::tril_indices(2, 2, 0, DType::F32), Err(Error::UnsupportedDType { .. })));
    let e = Tensor::eye(2, 3, DType::F32).unwrap();
    assert_eq!((e.dims(), e.op()), (&[2, 3][..], &Op::Where));
    let g = Tensor::meshgrid(&[lazy(&[2]), lazy(&[3]), lazy(&[])], true).unwrap();
    assert!(g.iter().all(|t| t.dims() == [3, 2, 1]));
}

#[test]
fn samplers_are_seeded_and_in_range() {
    let a = values(&Tensor::randint(-3, 4, [1000], 7, DType::I64).unwrap());
    assert!(a.iter().all(|&v| (-3.0..4.0).contains(&v)));
    assert_eq!(a, values(&Tensor::randint(-3, 4, [1000], 7, DType::I64).unwrap()));
    assert_ne!(a, values(&Tensor::randint(-3, 4, [1000], 8, DType::I64).unwrap()));
    let mut p = values(&Tensor::randperm(50, 1, DType::I32).unwrap());
    p.sort_by(f64::total_cmp);
    assert_eq!(p, (0..50).map(f64::from).collect::<Vec<_>>());
    let w = Tensor::from_vec(vec![0.0f64, 2.0, 0.0, 1.0], [2, 2]).unwrap();
    let m = values(&w.multinomial(3, true, 1).unwrap());
    assert_eq!(m, [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]);
    assert!(w.multinomial(2, false, 1).is_err(), "one category of non-zero weight per row");
    assert!(lazy(&[3]).multinomial(1, true, 1).is_err(), "a lazy tensor is not read");
    assert!(Tensor::randint(2, 2, [1], 0, DType::I64).is_err());
}

#[test]
fn printing_follows_pytorch() {
    let o = PrintOptions::default();
    let f = Tensor::from_vec(vec![0.5f32, -2.0, 1e-5], [3]).unwrap();
    assert_eq!(f.format_values(&o).unwrap(), "tensor([ 5.0000e-01, -2.0000e+00,  1.0000e-05])");
    let i = Tensor::from_vec(vec![1i32, -20], [2, 1]).unwrap();
    assert_eq!(i.format_values(&o).unwrap(), "tensor([[  1],\n        [-20]], dtype=rusttorch.int32)");
    let b = Tensor::from_vec(vec![true], [1]).unwrap();
    assert_eq!(b.format_values(&o).unwrap(), "tensor([True])");
    assert!(lazy(&[1]).format_values(&o).is_err());
}
