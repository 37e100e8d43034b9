//! The gradient of every op kind: given a node, the operands it was recorded with and the
//! gradient `g` of its result, the gradients of its operands (`None`: zero, or an operand no
//! gradient flows to), each in its operand's shape. The elementwise ops read theirs from the
//! op table's `grad` column (`unary_grads`, `binary_grads`); composites were lowered into
//! primitives when built, so they differentiate through their decomposition.
//!
//! The match has no wildcard arm: a new op kind does not compile until it says how its
//! gradient is computed (or that it has none).

use super::binary_grads::binary_vjp;
use super::unary_grads::unary_vjp;
use crate::op::{LineOp, Op, ReduceOp, ScanOp};
use crate::{DType, Error, Result, Scalar, Shape, Tensor};
use smallvec::{smallvec, SmallVec};

/// The gradients of a node's operands, in operand order.
pub(crate) type Grads = SmallVec<[Option<Tensor>; 3]>;

/// Whether the op's gradient reads the values (not only the shapes) of its operands, and of
/// its result: a gradient raises when a value it reads was modified in place afterwards.
pub(crate) fn reads_values(op: &Op) -> (bool, bool) {
    use crate::op::{BinaryOp as B, UnaryOp as U};
    match op {
        Op::Unary(u) => match u {
            U::Neg | U::Copy | U::Floor | U::Ceil | U::Trunc | U::Round => (false, false),
            U::Exp
            | U::Expm1
            | U::Exp2
            | U::Sqrt
            | U::Rsqrt
            | U::Recip
            | U::Tanh
            | U::Sigmoid
            | U::Relu
            | U::Erfinv => (false, true),
            _ => (true, false),
        },
        Op::Binary(b) => match b {
            B::Add | B::Sub | B::FloorDiv => (false, false),
            B::Div | B::Hypot | B::Pow | B::Copysign => (true, true),
            _ => (true, false),
        },
        Op::Reduce { op, .. } => match op {
            ReduceOp::Sum => (false, false),
            _ => (true, true),
        },
        Op::Line { op: LineOp::Scan(ScanOp::Sum), .. } => (false, false),
        Op::Line { .. } => (true, true),
        Op::MatMul => (true, false),
        Op::Source(_)
        | Op::Where
        | Op::ArgReduce { .. }
        | Op::Reshape
        | Op::Cast(_)
        | Op::Gather { .. }
        | Op::Scatter { .. }
        | Op::Search { .. }
        | Op::Concat { .. }
        | Op::Permute(_)
        | Op::Expand
        | Op::Slice { .. } => (false, false),
    }
}

fn not_differentiable(op: &Op, what: &str) -> Error {
    Error::Autograd { op: "backward", message: format!("the derivative of {} is not implemented ({what})", op.name()) }
}

/// The gradients of `node`'s operands `x` for the gradient `g` of its result.
pub(crate) fn vjp(node: &Tensor, x: &[Tensor], g: &Tensor) -> Result<Grads> {
    let op = node.op();
    Ok(match op {
        Op::Source(_) | Op::ArgReduce { .. } | Op::Search { .. } => smallvec![None; x.len()],
        Op::Unary(u) => smallvec![Some(unary_vjp(*u, &x[0], node, g)?)],
        Op::Binary(b) => {
            let (da, db) = binary_vjp(*b, &x[0], &x[1], node, g)?;
            let da = da.map(|d| d.sum_to(x[0].shape())).transpose()?;
            let db = db.map(|d| d.sum_to(x[1].shape())).transpose()?;
            smallvec![da, db]
        }
        Op::Where => {
            let zero = Tensor::operand_scalar(Scalar::new(0.0), g.dtype());
            let da = x[0].where_cond(g, &zero)?.sum_to(x[1].shape())?;
            let db = x[0].where_cond(&zero, g)?.sum_to(x[2].shape())?;
            smallvec![None, Some(da), Some(db)]
        }
        Op::Reduce { op: r, axes, keepdim } => {
            let kept = keep_dims(g, &x[0], axes, *keepdim)?;
            smallvec![Some(reduce_grad(*r, &x[0], node, &kept, axes, *keepdim)?)]
        }
        Op::Reshape => smallvec![Some(g.reshape_to(x[0].shape().clone())?)],
        Op::Expand => smallvec![Some(g.sum_to(x[0].shape())?)],
        Op::Cast(_) => smallvec![x[0].dtype().is_float().then(|| g.cast(x[0].dtype())).transpose()?],
        Op::MatMul => {
            let da = g.matmul(&x[1].matrix_transpose()?)?.sum_to(x[0].shape())?;
            let db = x[0].matrix_transpose()?.matmul(g)?.sum_to(x[1].shape())?;
            smallvec![Some(da), Some(db)]
        }
        Op::Permute(perm) => {
            let mut inverse = vec![0isize; perm.len()];
            for (i, &p) in perm.iter().enumerate() {
                inverse[p] = i as isize;
            }
            smallvec![Some(g.permute(&inverse)?)]
        }
        Op::Slice { dim, start, step } => smallvec![Some(unslice(g, &x[0], *dim, *start, *step)?)],
        Op::Concat { dim, .. } => {
            let mut at = 0isize;
            let mut out = Grads::new();
            for part in x {
                let n = part.dims()[*dim] as isize;
                out.push(Some(g.slice(*dim as isize, Some(at), Some(at + n), 1)?));
                at += n;
            }
            out
        }
        Op::Gather { dim } => {
            let dx = x[0].zero()?.scatter_add(*dim as isize, &x[1], g)?;
            smallvec![Some(dx), None]
        }
        Op::Scatter { dim, reduce } => {
            let d = *dim as isize;
            let dsrc = g.gather(d, &x[1])?;
            let dsrc = pad_to(&dsrc, x[2].shape())?;
            match reduce {
                None => smallvec![Some(g.scatter_value(d, &x[1], 0.0)?), None, Some(dsrc)],
                Some(ReduceOp::Sum) => smallvec![Some(g.clone()), None, Some(dsrc)],
                Some(r) => return Err(not_differentiable(op, &format!("scatter with reduce '{}'", r.name()))),
            }
        }
        Op::Line { op: line, dim } => smallvec![line_grad(*line, *dim, &x[0], node, g)?],
    })
}

/// `g` (the gradient of a reduction over `axes`) with the reduced dims back as size 1.
fn keep_dims(g: &Tensor, x: &Tensor, axes: &[usize], keepdim: bool) -> Result<Tensor> {
    if keepdim {
        return Ok(g.clone());
    }
    let mut dims: Vec<usize> = x.dims().to_vec();
    for &a in axes {
        dims[a] = 1;
    }
    g.reshape_to(Shape::from(dims))
}

/// The gradient of a reduction (`kept`: the result's gradient with the reduced dims as size 1).
fn reduce_grad(op: ReduceOp, x: &Tensor, y: &Tensor, kept: &Tensor, axes: &[usize], keepdim: bool) -> Result<Tensor> {
    let full: Vec<isize> = x.dims().iter().map(|&d| d as isize).collect();
    let axes_i: Vec<isize> = axes.iter().map(|&a| a as isize).collect();
    let y = keep_dims(y, x, axes, keepdim)?;
    match op {
        ReduceOp::Sum => kept.expand(&full),
        // The gradient is shared evenly by the elements equal to the extreme (PyTorch's
        // `amax`/`amin` and full `max()`/`min()` rule).
        ReduceOp::Max | ReduceOp::Min => {
            let hit = x.binary(crate::BinaryOp::Eq, &y)?.cast(x.dtype())?;
            let count = hit.sum(Some(&axes_i), true)?;
            hit.times(&kept.over(&count)?)
        }
        // `prod / x` where `x != 0`; where `x == 0`, the product of the others (non-zero only
        // when it is the line's only zero).
        ReduceOp::Prod => {
            let is_zero = x.eq_scalar(0.0)?;
            let one = Tensor::operand_scalar(Scalar::new(1.0), x.dtype());
            let others = is_zero.where_cond(&one, x)?.prod(Some(&axes_i), true)?;
            let zeros = is_zero.cast(x.dtype())?.sum(Some(&axes_i), true)?;
            let at_zero =
                zeros.eq_scalar(1.0)?.where_cond(&others, &Tensor::operand_scalar(Scalar::new(0.0), x.dtype()))?;
            let dx = is_zero.where_cond(&at_zero.expand(&full)?, &y.over(x)?)?;
            kept.times(&dx)
        }
    }
}

/// The gradient of `x.slice(dim, start.., step)`: `g` written into zeros of `x`'s shape at the
/// sliced positions.
fn unslice(g: &Tensor, x: &Tensor, dim: usize, start: usize, step: isize) -> Result<Tensor> {
    let n = g.dims()[dim] as i64;
    let (start, step) = (start as i64, step as i64);
    let positions = Tensor::arange(start, start + step * n, step, DType::I64)?;
    let mut shape = vec![1isize; g.ndim()];
    shape[dim] = n as isize;
    let full: Vec<isize> = g.dims().iter().map(|&d| d as isize).collect();
    let index = positions.reshape(&shape)?.expand(&full)?;
    x.zero()?.scatter(dim as isize, &index, g)
}

/// `g` padded with zeros up to `shape` (a scatter's `src` may be larger than its index).
fn pad_to(g: &Tensor, shape: &Shape) -> Result<Tensor> {
    if g.shape() == shape {
        return Ok(g.clone());
    }
    let pads: Vec<isize> = g.dims().iter().zip(shape.dims()).rev().flat_map(|(&a, &b)| [0, (b - a) as isize]).collect();
    g.pad(&pads, crate::PadMode::Constant(Scalar::new(0.0)))
}

/// The gradient of a line op (scans and order ops) along `dim`.
fn line_grad(op: LineOp, dim: usize, x: &Tensor, y: &Tensor, g: &Tensor) -> Result<Option<Tensor>> {
    let d = dim as isize;
    let rev_cumsum = |t: &Tensor| t.flip(&[d])?.cumsum(d, None)?.flip(&[d]);
    Ok(Some(match op {
        LineOp::Scan(ScanOp::Sum) => rev_cumsum(g)?,
        // `sum_{j >= i} g_j y_j / x_i` (a zero in the line makes this NaN or inf: documented).
        LineOp::Scan(ScanOp::Prod) => rev_cumsum(&g.times(y)?)?.over(x)?,
        LineOp::Scan(s @ (ScanOp::Max | ScanOp::Min)) => {
            let index = x.line_node(LineOp::ScanIndex(s), dim)?;
            x.zero()?.scatter_add(d, &index, g)?
        }
        // `exp(x_i) sum_{j >= i} g_j exp(-y_j)`, with the positive and negative parts of `g`
        // summed in log space (no overflow), as PyTorch.
        LineOp::Scan(ScanOp::LogSumExp) => {
            let rev_lcse = |t: &Tensor| t.flip(&[d])?.logcumsumexp(d)?.flip(&[d]);
            let zero = Tensor::operand_scalar(Scalar::new(0.0), g.dtype());
            let pos = g.binary(crate::BinaryOp::Maximum, &zero)?.log()?;
            let neg = g.binary(crate::BinaryOp::Minimum, &zero)?.neg()?.log()?;
            let up = rev_lcse(&pos.binary(crate::BinaryOp::Sub, y)?)?.plus(x)?.exp()?;
            let down = rev_lcse(&neg.binary(crate::BinaryOp::Sub, y)?)?.plus(x)?.exp()?;
            up.binary(crate::BinaryOp::Sub, &down)?
        }
        LineOp::Order(o) => {
            let index = x.line_node(LineOp::OrderIndex(o), dim)?;
            x.zero()?.scatter_add(d, &index, g)?
        }
        LineOp::ScanIndex(_) | LineOp::OrderIndex(_) => return Ok(None),
    }))
}
