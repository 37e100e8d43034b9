//! Reductions: sum, max, min, their indices, mean, variance and logsumexp.

use super::Tensor;
use crate::error::bad_argument;
use crate::op::{ArgOp, BinaryOp, Op, ReduceOp, Scalar};
use crate::{infer, scoped, DType, Error, Result, Shape};
use smallvec::{smallvec, SmallVec};

impl Tensor {
    /// Reduces over `dims` (all dims when `None`), keeping them as size 1 when `keepdim`.
    pub fn reduce(&self, op: ReduceOp, dims: Option<&[isize]>, keepdim: bool) -> Result<Tensor> {
        match self.dtype() {
            // Sums and products of ints and bools are int64 (as PyTorch; uint64 stays uint64);
            // max/min of bools are any/all.
            d if (d.is_int() || d == DType::Bool) && !matches!(d, DType::I64 | DType::U64) && op.has_identity() => {
                return self.cast(DType::I64)?.reduce(op, dims, keepdim)
            }
            DType::Bool => return self.cast(DType::I32)?.reduce(op, dims, keepdim)?.cast(DType::Bool),
            _ => {}
        }
        self.reduce_nodes(op, dims, keepdim)
    }

    /// [`Tensor::reduce`] in `self`'s own dtype (no int64 sums, no bool cast): checks the dims,
    /// handles empty reductions and builds one `Reduce` node per run of adjacent dims. Bools
    /// reduced here (`all`/`any` as min/max) are computed as 0/1 in the kernel of their source.
    pub(super) fn reduce_nodes(&self, op: ReduceOp, dims: Option<&[isize]>, keepdim: bool) -> Result<Tensor> {
        let name = op.name();
        if self.ndim() == 0 {
            // As PyTorch: dim 0 or -1 of a 0-d tensor is the tensor itself.
            if let Some(&dim) = dims.and_then(|d| d.iter().find(|&&d| d != 0 && d != -1)) {
                return Err(Error::DimOutOfRange { op: name, dim, ndim: 0, shape: self.shape().clone() });
            }
            return Ok(self.clone());
        }
        let axes: SmallVec<[usize; 6]> = match dims {
            None => (0..self.ndim()).collect(),
            Some(d) => self.shape().normalize_dims(name, d)?,
        };
        let in_dims = self.dims();
        let out_shape = infer::reduced_shape(self.shape(), &axes, keepdim);
        let reduced: usize = axes.iter().map(|&a| in_dims[a]).product();
        if reduced == 0 && axes.iter().any(|&a| in_dims[a] == 0) || axes.is_empty() && self.numel() == 0 {
            if !op.has_identity() {
                // The first empty dim as the caller wrote it (none when all dims are reduced).
                let dim = dims.and_then(|d| {
                    d.iter().copied().find(|&x| in_dims[x.rem_euclid(in_dims.len() as isize) as usize] == 0)
                });
                return Err(Error::EmptyReduction { op: name, shape: self.shape().clone(), dim });
            }
            return Tensor::full(out_shape, op.identity(), self.dtype());
        }
        // Size-1 axes reduce nothing; a run of the others is one Reduce node each.
        let real: SmallVec<[usize; 6]> = axes.iter().copied().filter(|&a| in_dims[a] != 1).collect();
        let mut runs: Vec<SmallVec<[usize; 4]>> = Vec::new();
        for a in real {
            match runs.last_mut() {
                Some(r) if *r.last().unwrap() + 1 == a => r.push(a),
                _ => runs.push(smallvec![a]),
            }
        }
        let mut cur = self.clone();
        // Innermost run first; every step keeps dims so later axes indices stay valid.
        let single = runs.len() == 1;
        for run in runs.into_iter().rev() {
            let kd = if single { keepdim } else { true };
            let shape = infer::reduced_shape(cur.shape(), &run, kd);
            let op = Op::Reduce { op, axes: run, keepdim: kd };
            cur = Tensor::lazy(op, shape, self.dtype(), smallvec![cur]);
        }
        cur.reshape_to(out_shape)
    }

    /// This tensor summed over the dims broadcasting added to reach it from `shape` (leading
    /// dims, and dims where `shape` has size 1): the gradient of a broadcast operand.
    pub(crate) fn sum_to(&self, shape: &Shape) -> Result<Tensor> {
        if self.shape() == shape {
            return Ok(self.clone());
        }
        let lead = self.ndim() - shape.ndim();
        let dims: Vec<isize> = (0..self.ndim())
            .filter(|&i| i < lead || (shape.dims()[i - lead] == 1 && self.dims()[i] != 1))
            .map(|i| i as isize)
            .collect();
        let summed = if dims.is_empty() { self.clone() } else { self.sum(Some(&dims), true)? };
        summed.reshape_to(shape.clone())
    }

    /// Sum over `dims` (all when `None`).
    pub fn sum(&self, dims: Option<&[isize]>, keepdim: bool) -> Result<Tensor> {
        self.reduce(ReduceOp::Sum, dims, keepdim)
    }
    /// Product over `dims` (all when `None`); 1 for an empty reduction. Ints and bools give
    /// int64, whose products wrap (as PyTorch's).
    pub fn prod(&self, dims: Option<&[isize]>, keepdim: bool) -> Result<Tensor> {
        self.reduce(ReduceOp::Prod, dims, keepdim)
    }
    /// Max over `dims` (all when `None`); an error for empty input.
    pub fn max(&self, dims: Option<&[isize]>, keepdim: bool) -> Result<Tensor> {
        self.reduce(ReduceOp::Max, dims, keepdim)
    }
    /// Min over `dims` (all when `None`); an error for empty input.
    pub fn min(&self, dims: Option<&[isize]>, keepdim: bool) -> Result<Tensor> {
        self.reduce(ReduceOp::Min, dims, keepdim)
    }
    /// The maxima (`op` Max) or minima (Min) along `dim` and the index of the first of each
    /// (int64), as PyTorch's `max(dim)`/`min(dim)`; a 0-d tensor is its own extremum, index 0.
    pub fn extremum_along(&self, op: ReduceOp, dim: isize, keepdim: bool) -> Result<(Tensor, Tensor)> {
        let (name, arg) = match op {
            ReduceOp::Max => ("max", ArgOp::Max),
            ReduceOp::Min => ("min", ArgOp::Min),
            ReduceOp::Sum | ReduceOp::Prod => return Err(bad_argument(op.name(), "has no index of its result")),
        };
        scoped(name, || {
            if self.ndim() == 0 {
                // PyTorch takes dim 0 and -1 of a 0-d tensor as the tensor itself.
                if dim != 0 && dim != -1 {
                    return Err(Error::DimOutOfRange { op: name, dim, ndim: 0, shape: self.shape().clone() });
                }
                return Ok((self.clone(), Tensor::zeros(Shape::scalar(), DType::I64)?));
            }
            Ok((self.reduce(op, Some(&[dim]), keepdim)?, self.arg_reduce(arg, Some(dim), keepdim)?))
        })
    }
    /// Index of the first maximum along `dim` (of the flattened tensor when `None`), int64.
    pub fn argmax(&self, dim: Option<isize>, keepdim: bool) -> Result<Tensor> {
        self.arg_reduce(ArgOp::Max, dim, keepdim)
    }
    /// Index of the first minimum along `dim` (of the flattened tensor when `None`), int64.
    pub fn argmin(&self, dim: Option<isize>, keepdim: bool) -> Result<Tensor> {
        self.arg_reduce(ArgOp::Min, dim, keepdim)
    }

    fn arg_reduce(&self, op: ArgOp, dim: Option<isize>, keepdim: bool) -> Result<Tensor> {
        let name = if op == ArgOp::Max { "argmax" } else { "argmin" };
        let Some(dim) = dim else {
            let flat = self.reshape_to(Shape::from(self.numel()))?;
            let r = flat.arg_reduce(op, Some(0), false)?;
            return if keepdim { r.reshape_to(Shape(smallvec![1; self.ndim()])) } else { Ok(r) };
        };
        let x = if self.ndim() == 0 { self.reshape_to(Shape::from(1))? } else { self.clone() };
        let d = x.shape().normalize_dims(name, &[dim])?[0];
        if x.dims()[d] == 0 {
            return Err(Error::EmptyReduction { op: name, shape: self.shape().clone(), dim: Some(dim) });
        }
        let x = if x.dtype() == DType::Bool { x.cast(DType::I32)? } else { x };
        let out = infer::reduced_shape(x.shape(), &[d], keepdim);
        let r = Tensor::lazy(Op::ArgReduce { op, dim: d, keepdim }, out, DType::I64, smallvec![x]);
        if self.ndim() == 0 {
            r.reshape_to(Shape::scalar())
        } else {
            Ok(r)
        }
    }

    /// Mean over `dims` (all when `None`): `sum * (1/n)`; NaN for an empty reduction, as NumPy.
    pub fn mean(&self, dims: Option<&[isize]>, keepdim: bool) -> Result<Tensor> {
        scoped("mean", || {
            self.float_only("mean")?;
            let s = self.sum(dims, keepdim)?;
            let n = self.numel().checked_div(s.numel().max(1)).unwrap_or(0);
            let n = if s.numel() == 0 { self.reduced_count(dims)? } else { n };
            s.binary_scalar(BinaryOp::Mul, 1.0 / n as f64)
        })
    }

    pub(super) fn reduced_count(&self, dims: Option<&[isize]>) -> Result<usize> {
        if self.ndim() == 0 {
            return Ok(1); // dim 0 or -1 of a 0-d tensor: itself (others fail when reduced)
        }
        Ok(match dims {
            None => self.numel(),
            Some(d) => self.shape().normalize_dims("mean", d)?.iter().map(|&a| self.dims()[a]).product(),
        })
    }

    /// Variance over `dims` (all when `None`) with Bessel-style `correction` (1 = unbiased).
    pub fn var(&self, dims: Option<&[isize]>, correction: usize, keepdim: bool) -> Result<Tensor> {
        scoped("var", || {
            self.float_only("var")?;
            let n = self.reduced_count(dims)?;
            let mean = self.mean(dims, true)?;
            let sq = self.binary(BinaryOp::Sub, &mean)?.square()?.sum(dims, keepdim)?;
            let denom = n.saturating_sub(correction);
            sq.binary_scalar(BinaryOp::Mul, if denom == 0 { f64::NAN } else { 1.0 / denom as f64 })
        })
    }

    /// Standard deviation: `sqrt(var)`.
    pub fn std(&self, dims: Option<&[isize]>, correction: usize, keepdim: bool) -> Result<Tensor> {
        scoped("std", || self.var(dims, correction, keepdim)?.sqrt())
    }

    /// `log(sum(exp(x)))` along `dim`, shifted by the max so it never overflows. As PyTorch
    /// does, an infinite max shifts by 0 instead (`inf - inf` would be NaN): a row of `-inf`
    /// gives `-inf`, a row holding `+inf` gives `+inf`, a NaN gives NaN.
    pub fn logsumexp(&self, dim: isize, keepdim: bool) -> Result<Tensor> {
        scoped("logsumexp", || {
            self.float_only("logsumexp")?;
            let d = [dim];
            let finite_shift = |m: Tensor| -> Result<Tensor> {
                let zero = Tensor::operand_scalar(Scalar::new(0.0), m.dtype());
                m.abs()?.binary_scalar(BinaryOp::Eq, f64::INFINITY)?.where_cond(&zero, &m)
            };
            // The shift's gradient cancels exactly: it is built without one (fewer backward kernels).
            let m = super::no_grad(|| finite_shift(self.max(Some(&d), true)?))?;
            let s = self.binary(BinaryOp::Sub, &m)?.exp()?.sum(Some(&d), keepdim)?.log()?;
            // Without keepdim, add a second (squeezed) max rather than reshaping: it is computed in
            // the same pass over the row and keeps the result fusable with what follows.
            let m_out = if keepdim { m } else { super::no_grad(|| finite_shift(self.max(Some(&d), false)?))? };
            s.binary(BinaryOp::Add, &m_out)
        })
    }
}
