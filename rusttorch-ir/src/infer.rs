//! Shape inference: broadcasting, dim normalisation and the output shape of every op, used by
//! the tensor builders when they create a node and by [`Graph::validate`](crate::graph::Graph::validate)
//! when it checks one.

use crate::error::{bad_argument, bad_shape};
use crate::op::Op;
use crate::shape::Dims;
use crate::{Error, Result, Shape};
use smallvec::SmallVec;

impl Shape {
    /// Number of elements, or an error when the product overflows `usize`.
    pub fn checked_numel(&self) -> Result<usize> {
        self.0
            .iter()
            .try_fold(1usize, |acc, &d| acc.checked_mul(d))
            .ok_or_else(|| bad_shape("shape", format!("{self} has more than usize::MAX elements")))
    }

    /// NumPy broadcasting of two shapes; `op` names the op in the error.
    pub fn broadcast(op: &'static str, a: &Shape, b: &Shape) -> Result<Shape> {
        if a == b {
            return Ok(a.clone());
        }
        let n = a.ndim().max(b.ndim());
        let mut out: Dims = smallvec::smallvec![0; n];
        for i in 0..n {
            let da = if i + a.ndim() >= n { a.0[i + a.ndim() - n] } else { 1 };
            let db = if i + b.ndim() >= n { b.0[i + b.ndim() - n] } else { 1 };
            out[i] = if da == db || db == 1 {
                da
            } else if da == 1 {
                db
            } else {
                return Err(Error::ShapeMismatch { op, lhs: a.clone(), rhs: b.clone() });
            };
        }
        Ok(Shape(out))
    }

    /// Whether a tensor of this shape can be read broadcast to `target`.
    pub fn broadcasts_to(&self, target: &Shape) -> bool {
        Shape::broadcast("broadcast", self, target).is_ok_and(|s| &s == target)
    }

    /// Normalises a possibly negative dim index.
    pub fn normalize_dim(&self, op: &'static str, dim: isize) -> Result<usize> {
        let n = self.ndim() as isize;
        let d = if dim < 0 { dim + n } else { dim };
        if d < 0 || d >= n {
            return Err(Error::DimOutOfRange { op, dim, ndim: self.ndim(), shape: self.clone() });
        }
        Ok(d as usize)
    }

    /// Normalises a set of dims: sorted, deduplicated (a repeat is an error).
    pub fn normalize_dims(&self, op: &'static str, dims: &[isize]) -> Result<SmallVec<[usize; 6]>> {
        let mut out: SmallVec<[usize; 6]> = SmallVec::new();
        for &d in dims {
            let n = self.normalize_dim(op, d)?;
            if out.contains(&n) {
                return Err(Error::DuplicateDim { op, dim: d });
            }
            out.push(n);
        }
        out.sort_unstable();
        Ok(out)
    }
}

/// The shape of `where(cond, a, b)`: all three broadcast together.
pub fn where_shape(cond: &Shape, a: &Shape, b: &Shape) -> Result<Shape> {
    let ab = Shape::broadcast("where", a, b)?;
    Shape::broadcast("where", cond, &ab)
}

/// `input` reduced over `axes` (each `< ndim`): those dims become 1 when `keepdim`, else go.
pub fn reduced_shape(input: &Shape, axes: &[usize], keepdim: bool) -> Shape {
    let dims = input.dims().iter().enumerate();
    Shape(dims.filter_map(|(i, &d)| if axes.contains(&i) { keepdim.then_some(1) } else { Some(d) }).collect())
}

/// `input` with its dims reordered: output dim `i` is input dim `perm[i]` (each `< ndim`).
pub fn permuted_shape(input: &Shape, perm: &[usize]) -> Shape {
    Shape(perm.iter().map(|&p| input.dims()[p]).collect())
}

/// The shape of the batched product `[.., m, k] @ [.., k, n] = [.., m, n]` (batch dims
/// broadcast); a `matmul` [`Error::ShapeMismatch`] when the operands have fewer than 2 dims,
/// their `k` differ or their batch dims do not broadcast.
pub fn matmul_shape(a: &Shape, b: &Shape) -> Result<Shape> {
    let mismatch = || Error::ShapeMismatch { op: "matmul", lhs: a.clone(), rhs: b.clone() };
    let (ad, bd) = (a.dims(), b.dims());
    if ad.len() < 2 || bd.len() < 2 || ad[ad.len() - 1] != bd[bd.len() - 2] {
        return Err(mismatch());
    }
    let (m, n) = (ad[ad.len() - 2], bd[bd.len() - 1]);
    let batch = Shape::broadcast("matmul", &Shape::from(&ad[..ad.len() - 2]), &Shape::from(&bd[..bd.len() - 2]))
        .map_err(|_| mismatch())?;
    let mut out = batch.0;
    out.extend_from_slice(&[m, n]);
    Ok(Shape(out))
}

/// The shape of `parts` joined along `dim`: their sizes along `dim` add up, and every other
/// dim must match the first part's ([`Error::ConcatRank`] and [`Error::ConcatSize`] number the
/// part that does not).
pub fn concat_shape<'a>(parts: impl IntoIterator<Item = &'a Shape>, dim: usize) -> Result<Shape> {
    let mut parts = parts.into_iter();
    let first = parts.next().ok_or_else(|| bad_argument("cat", "needs at least one tensor"))?;
    if dim >= first.ndim() {
        return Err(Error::DimOutOfRange { op: "cat", dim: dim as isize, ndim: first.ndim(), shape: first.clone() });
    }
    let mut out = first.clone();
    for (i, s) in parts.enumerate() {
        let index = i + 1;
        if s.ndim() != first.ndim() {
            return Err(Error::ConcatRank { op: "cat", expected: first.ndim(), got: s.ndim(), index });
        }
        let differs = s.dims().iter().zip(first.dims()).enumerate().find(|&(i, (a, b))| i != dim && a != b);
        if let Some((_, (&got, &expected))) = differs {
            return Err(Error::ConcatSize { op: "cat", dim, expected, got, index });
        }
        out.0[dim] += s.dims()[dim];
    }
    Ok(out)
}

/// The output shape of `op` over operands of shapes `operands`, for ops whose output shape
/// follows from their operands. Sources, reshapes, expands and slices choose theirs (the node's
/// shape is their parameter): for them this is an [`Error::Internal`], and [`fits`] checks the
/// chosen shape instead.
pub fn infer_shape(op: &Op, operands: &[&Shape]) -> Result<Shape> {
    if operands.len() != op.arity() {
        return Err(Error::Internal(format!("{} takes {} operands, got {}", op.name(), op.arity(), operands.len())));
    }
    let in_range = |dims: &[usize], ndim: usize| -> Result<()> {
        match dims.iter().find(|&&d| d >= ndim) {
            Some(d) => Err(Error::Internal(format!("{}: dim {d} of a {ndim}-d operand", op.name()))),
            None => Ok(()),
        }
    };
    match op {
        Op::Unary(_) | Op::Cast(_) => Ok(operands[0].clone()),
        Op::Binary(b) => Shape::broadcast(b.info().name, operands[0], operands[1]),
        Op::Where => where_shape(operands[0], operands[1], operands[2]),
        Op::Reduce { axes, keepdim, .. } => {
            in_range(axes, operands[0].ndim())?;
            Ok(reduced_shape(operands[0], axes, *keepdim))
        }
        Op::ArgReduce { dim, keepdim, .. } => {
            in_range(&[*dim], operands[0].ndim())?;
            Ok(reduced_shape(operands[0], &[*dim], *keepdim))
        }
        Op::Permute(perm) => {
            if perm.len() != operands[0].ndim() {
                return Err(Error::Internal(format!("permute{perm:?} of a {}-d operand", operands[0].ndim())));
            }
            in_range(perm, operands[0].ndim())?;
            Ok(permuted_shape(operands[0], perm))
        }
        Op::Line { op, dim } => {
            in_range(&[*dim], operands[0].ndim())?;
            let mut dims = operands[0].dims().to_vec();
            dims[*dim] = op.out_len(dims[*dim]);
            Ok(Shape::from(dims))
        }
        Op::Gather { dim } => gather_shape(operands[0], operands[1], *dim),
        Op::Scatter { dim, .. } => scatter_shape(operands[0], operands[1], operands[2], *dim),
        Op::Search { .. } => search_shape(operands[0], operands[1]),
        Op::MatMul => matmul_shape(operands[0], operands[1]),
        Op::Concat { dim, .. } => concat_shape(operands.iter().copied(), *dim),
        Op::Source(_) | Op::Reshape | Op::Expand | Op::Slice { .. } => {
            Err(Error::Internal(format!("{} chooses its output shape", op.name())))
        }
    }
}

/// Whether a node of `op` over operands of shapes `operands` can have shape `out`: the shape
/// [`infer_shape`] gives, or for the ops that choose theirs, one their operands allow (as many
/// elements for a reshape, a broadcast for an expand, indices in range for a slice).
pub fn fits(op: &Op, operands: &[&Shape], out: &Shape) -> bool {
    if operands.len() != op.arity() {
        return false;
    }
    match op {
        Op::Source(_) => true,
        Op::Reshape => operands[0].numel() == out.numel(),
        Op::Expand => operands[0].broadcasts_to(out),
        Op::Slice { dim, start, step } => {
            let (i, o) = (operands[0].dims(), out.dims());
            *dim < i.len() && i.len() == o.len() && *step != 0 && {
                let n = o[*dim] as isize;
                n == 0 || {
                    let last = *start as isize + (n - 1) * step;
                    *start < i[*dim] && last >= 0 && (last as usize) < i[*dim]
                }
            }
        }
        _ => infer_shape(op, operands).is_ok_and(|s| &s == out),
    }
}

/// The shape of `x.gather(dim, index)`: `index`'s, which must have `x`'s rank and no dim other
/// than `dim` larger than `x`'s (PyTorch's rule).
pub fn gather_shape(x: &Shape, index: &Shape, dim: usize) -> Result<Shape> {
    if index.ndim() != x.ndim() {
        return Err(Error::BadShape {
            op: "gather",
            reason: format!("index {index} must have as many dims as the input {x}"),
        });
    }
    if dim >= x.ndim() {
        return Err(Error::DimOutOfRange { op: "gather", dim: dim as isize, ndim: x.ndim(), shape: x.clone() });
    }
    for (d, (&i, &s)) in index.dims().iter().zip(x.dims()).enumerate() {
        if d != dim && i > s {
            return Err(Error::BadShape {
                op: "gather",
                reason: format!("index {index} is larger than the input {x} in dim {d}"),
            });
        }
    }
    Ok(index.clone())
}

/// The shape of `x.scatter(dim, index, src)`: `x`'s. `index` must be shaped as for a gather
/// from `x` and `src` exactly as `index` (builders narrow a larger `src` first).
pub fn scatter_shape(x: &Shape, index: &Shape, src: &Shape, dim: usize) -> Result<Shape> {
    gather_shape(x, index, dim).map_err(|e| match e {
        Error::BadShape { reason, .. } => Error::BadShape { op: "scatter", reason },
        Error::DimOutOfRange { dim, ndim, shape, .. } => Error::DimOutOfRange { op: "scatter", dim, ndim, shape },
        e => e,
    })?;
    if src != index {
        return Err(Error::BadShape {
            op: "scatter",
            reason: format!("src {src} must have the shape of index {index}"),
        });
    }
    Ok(x.clone())
}

/// The shape of `searchsorted(sorted, values)`: `values`' shape, where `sorted` is 1-d or has
/// `values`' rank and leading dims (PyTorch's rule and wording).
pub fn search_shape(sorted: &Shape, values: &Shape) -> Result<Shape> {
    let bad = |reason: String| Err(Error::BadShape { op: "searchsorted", reason });
    match (sorted.ndim(), values.ndim()) {
        (0, _) => bad("boundaries tensor should have positive dimension, but got 0 dimension".into()),
        (1, _) => Ok(values.clone()),
        (n, 0) => bad(format!(
            "input value can be a scalar only when boundaries tensor dimension is 1, but got boundaries \
             tensor dim({n}) and input value's dim(0)"
        )),
        (n, m) if n != m || sorted.dims()[..n - 1] != values.dims()[..n - 1] => bad(format!(
            "boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries tensor \
             and input value tensor must match, but got boundaries tensor {sorted} and input value tensor {values}"
        )),
        _ => Ok(values.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::op::{ArgOp, BinaryOp, ReduceOp};
    use smallvec::smallvec;

    #[test]
    fn broadcasting_follows_numpy() {
        let a = Shape::from([4, 1, 3]);
        let b = Shape::from([5, 1]);
        assert_eq!(Shape::broadcast("add", &a, &b).unwrap(), Shape::from([4, 5, 3]));
        assert_eq!(Shape::broadcast("add", &Shape::scalar(), &b).unwrap(), b);
        let err = Shape::broadcast("add", &Shape::from([3]), &Shape::from([4])).unwrap_err();
        assert_eq!(err.to_string(), "add: shapes [3] and [4] do not broadcast");
    }

    #[test]
    fn dims_normalise_and_reject() {
        let s = Shape::from([2, 3, 4]);
        assert_eq!(s.normalize_dim("sum", -1).unwrap(), 2);
        assert!(matches!(s.normalize_dim("sum", 3), Err(Error::DimOutOfRange { .. })));
        assert!(matches!(s.normalize_dims("sum", &[1, -2]), Err(Error::DuplicateDim { .. })));
        assert!(Shape::scalar().normalize_dim("sum", 0).is_err());
    }

    /// What `Graph::validate` accepts: the inferred shape, or a chosen one the operands allow;
    /// nothing else, and no panic on a malformed op.
    #[test]
    fn fits_accepts_the_inferred_shape_only() {
        let s = |d: &[usize]| Shape::from(d);
        let (a, b) = (s(&[2, 1, 4]), s(&[3, 1]));
        let add = Op::Binary(BinaryOp::Add);
        assert!(fits(&add, &[&a, &b], &s(&[2, 3, 4])));
        assert!(!fits(&add, &[&a, &b], &s(&[2, 1, 4])));
        assert!(!fits(&add, &[&a], &s(&[2, 1, 4])), "arity");
        let sum = Op::Reduce { op: ReduceOp::Sum, axes: smallvec![1, 2], keepdim: false };
        assert!(fits(&sum, &[&s(&[2, 3, 4])], &s(&[2])));
        let sum = Op::Reduce { op: ReduceOp::Sum, axes: smallvec![3], keepdim: false };
        assert!(!fits(&sum, &[&s(&[2, 3, 4])], &s(&[2, 3, 4])), "axis out of range");
        let arg = Op::ArgReduce { op: ArgOp::Max, dim: 0, keepdim: true };
        assert!(fits(&arg, &[&s(&[2, 3])], &s(&[1, 3])));
        assert!(!fits(&Op::Permute(smallvec![2, 0]), &[&s(&[2, 3])], &s(&[3, 2])), "perm out of range");
        assert!(fits(&Op::MatMul, &[&s(&[5, 2, 3]), &s(&[3, 4])], &s(&[5, 2, 4])));
        assert!(!fits(&Op::MatMul, &[&s(&[5, 2, 3]), &s(&[6, 3, 4])], &s(&[5, 2, 4])), "batch dims differ");
        let cat = Op::Concat { dim: 1, parts: 2 };
        assert!(fits(&cat, &[&s(&[2, 3]), &s(&[2, 5])], &s(&[2, 8])));
        assert!(!fits(&cat, &[&s(&[2, 3]), &s(&[4, 5])], &s(&[2, 8])));
        assert!(fits(&Op::Reshape, &[&s(&[2, 3])], &s(&[6])));
        assert!(!fits(&Op::Reshape, &[&s(&[2, 3])], &s(&[5])));
        assert!(fits(&Op::Expand, &[&s(&[1, 3])], &s(&[4, 3])));
        assert!(!fits(&Op::Expand, &[&s(&[2, 3])], &s(&[4, 3])));
        let slice = Op::Slice { dim: 0, start: 4, step: -2 };
        assert!(fits(&slice, &[&s(&[5])], &s(&[3])));
        assert!(!fits(&slice, &[&s(&[5])], &s(&[4])), "reads index -2");
    }
}
