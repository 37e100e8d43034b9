//! Writes at positions an index tensor holds: scatter (and its reductions), index_add,
//! index_copy, index_fill, index_reduce, masked_fill, put.
//!
//! Tensors are values: a write gives a new tensor (`x` with some elements replaced or combined)
//! and changes no other tensor. Every write here is one [`Op::Scatter`] (or an elementwise
//! `where`), whose kernel copies `x` first unless `x`'s buffer is donated to it (nothing else
//! holds it), in which case it writes in place.

use super::gather::signed;
use super::Tensor;
use crate::error::{bad_argument, bad_shape};
use crate::op::{BinaryOp, Op, ReduceOp};
use crate::{infer, scoped, DType, Error, Result, Scalar, Shape};
use smallvec::smallvec;

/// The reductions `scatter_reduce` and `index_reduce` accept, by name.
fn reduction(op: &'static str, name: &str, mean_ok: bool) -> Result<ReduceOp> {
    Ok(match name {
        "sum" if op == "scatter_reduce" => ReduceOp::Sum,
        "mean" if mean_ok => ReduceOp::Sum,
        "prod" => ReduceOp::Prod,
        "amax" => ReduceOp::Max,
        "amin" => ReduceOp::Min,
        _ => {
            let names = if op == "scatter_reduce" {
                "'sum', 'prod', 'mean', 'amax', 'amin'"
            } else {
                "'prod', 'mean', 'amax', 'amin'"
            };
            return Err(bad_argument(op, format!("reduce must be one of {names}, got '{name}'")));
        }
    })
}

impl Tensor {
    /// The one scatter every write builds: `out = self` with `src[p]` written (or combined by
    /// `reduce`) at `index[p]` along `dim` for every position `p` of `index`. `src` must have
    /// this tensor's dtype and `index`'s rank, and be no smaller than `index` in any dim (its
    /// first `index.shape` block is used, as PyTorch); `index` has this tensor's rank and no
    /// dim other than `dim` larger than this tensor's.
    fn scatter_op(
        &self,
        op: &'static str,
        dim: isize,
        index: &Tensor,
        src: &Tensor,
        reduce: Option<ReduceOp>,
    ) -> Result<Tensor> {
        Tensor::check_index(op, "index", index)?;
        if src.dtype() != self.dtype() {
            return Err(Error::DTypeMismatch { op, lhs: self.dtype(), rhs: src.dtype() });
        }
        if self.ndim() == 0 {
            let one = |t: &Tensor| if t.ndim() == 0 { t.reshape(&[1]) } else { Ok(t.clone()) };
            let x = self.reshape(&[1])?;
            return x.scatter_op(op, dim, &one(index)?, &one(src)?, reduce)?.reshape_to(Shape::scalar());
        }
        let d = self.shape().normalize_dim(op, dim)?;
        if index.ndim() != self.ndim() || src.ndim() != self.ndim() {
            return Err(bad_shape(
                op,
                format!(
                    "index {} and src {} must have as many dims as the input {}",
                    index.shape(),
                    src.shape(),
                    self.shape()
                ),
            ));
        }
        let mut s = src.clone();
        for (k, (&i, &n)) in index.dims().iter().zip(src.dims()).enumerate() {
            if i > n {
                return Err(bad_shape(
                    op,
                    format!("index {} is larger than src {} in dim {k}", index.shape(), src.shape()),
                ));
            }
            if i < n {
                s = s.narrow(k as isize, 0, i)?;
            }
        }
        let shape = infer::scatter_shape(self.shape(), index.shape(), s.shape(), d).map_err(|e| e.in_op(op))?;
        if index.numel() == 0 {
            return Ok(self.clone());
        }
        Ok(Tensor::lazy(Op::Scatter { dim: d, reduce }, shape, self.dtype(), smallvec![self.clone(), index.clone(), s]))
    }

    /// `torch.scatter(dim, index, src)`: this tensor with `src[p]` written at `index[p]` along
    /// `dim` for every position `p` of `index` (`src` of this tensor's dtype; negative indices
    /// are errors, as PyTorch). Where `index` repeats a position the last write in row-major
    /// order wins (PyTorch leaves it unspecified; here it is the same for any thread count).
    pub fn scatter(&self, dim: isize, index: &Tensor, src: &Tensor) -> Result<Tensor> {
        scoped("scatter", || self.scatter_op("scatter", dim, index, src, None))
    }

    /// `torch.scatter(dim, index, value)`: [`Tensor::scatter`] writing one scalar.
    pub fn scatter_value(&self, dim: isize, index: &Tensor, value: impl Into<Scalar>) -> Result<Tensor> {
        scoped("scatter", || {
            let src = Tensor::full(Shape::scalar(), value, self.dtype())?.expand(&signed(index.dims()))?;
            self.scatter_op("scatter", dim, index, &src, None)
        })
    }

    /// `torch.scatter_add(dim, index, src)`: [`Tensor::scatter`] adding instead of replacing
    /// (integers wrap). Sums to one position are taken in row-major order of `index`, so float
    /// results are the same for any thread count.
    pub fn scatter_add(&self, dim: isize, index: &Tensor, src: &Tensor) -> Result<Tensor> {
        scoped("scatter_add", || self.scatter_op("scatter_add", dim, index, src, Some(ReduceOp::Sum)))
    }

    /// `torch.scatter_reduce(dim, index, src, reduce, include_self=True)`: every value written
    /// to a position combined by `reduce` (`"sum"`, `"prod"`, `"mean"`, `"amax"`, `"amin"`),
    /// with the position's own value too when `include_self`; positions nothing is written to
    /// keep their value. `"mean"` of integers rounds down (as PyTorch); `amax`/`amin`
    /// propagate NaN.
    pub fn scatter_reduce(
        &self,
        dim: isize,
        index: &Tensor,
        src: &Tensor,
        reduce: &str,
        include_self: bool,
    ) -> Result<Tensor> {
        scoped("scatter_reduce", || self.reduce_into("scatter_reduce", dim, index, src, reduce, include_self))
    }

    fn reduce_into(
        &self,
        op: &'static str,
        dim: isize,
        index: &Tensor,
        src: &Tensor,
        reduce: &str,
        include_self: bool,
    ) -> Result<Tensor> {
        let r = reduction(op, reduce, true)?;
        // Constant operands are one element read with stride 0, never a buffer of index's size.
        let constant = |v: f64| Tensor::full(Shape::scalar(), v, self.dtype())?.expand(&signed(index.dims()));
        let base = match (include_self, r) {
            (true, _) => self.clone(),
            // A written value stands in for the position's own: the extreme is unchanged.
            (false, ReduceOp::Max | ReduceOp::Min) => self.scatter_op(op, dim, index, src, None)?,
            (false, _) => self.scatter_op(op, dim, index, &constant(r.identity())?, None)?,
        };
        let out = base.scatter_op(op, dim, index, src, Some(r))?;
        if reduce != "mean" {
            return Ok(out);
        }
        let start = Tensor::full(self.shape().clone(), if include_self { 1 } else { 0 }, self.dtype())?;
        let count = start.scatter_op(op, dim, index, &constant(1.0)?, Some(ReduceOp::Sum))?;
        let count = count.maximum(&Tensor::scalar(1, self.dtype()))?;
        if self.dtype().is_float() {
            out.binary(BinaryOp::Div, &count)
        } else {
            out.floor_divide(&count)?.cast(self.dtype())
        }
    }

    /// The index of the `index_*` ops (`index_add`, `index_copy`, `index_reduce`): a 0-d or
    /// 1-d int tensor with one entry per element of `source` along `dim`, expanded to
    /// `source`'s shape for a scatter. `source` must match this tensor in every other dim.
    fn index_along(&self, op: &'static str, dim: isize, index: &Tensor, source: &Tensor) -> Result<(isize, Tensor)> {
        Tensor::check_index(op, "index", index)?;
        if index.ndim() > 1 {
            return Err(bad_argument(op, format!("index must be 0-d or 1-d, got {}", index.shape())));
        }
        if source.dtype() != self.dtype() {
            return Err(Error::DTypeMismatch { op, lhs: self.dtype(), rhs: source.dtype() });
        }
        let nd = self.ndim().max(1);
        let src_nd = source.ndim().max(1);
        let d = Shape::from(vec![1; nd]).normalize_dim(op, dim)?;
        let (xs, ss) = (self.shape().dims().to_vec(), source.shape().dims().to_vec());
        let (xs, ss) = (if xs.is_empty() { vec![1] } else { xs }, if ss.is_empty() { vec![1] } else { ss });
        let fits = src_nd == nd && ss[d] == index.numel() && (0..nd).all(|k| k == d || xs[k] == ss[k]);
        if !fits {
            return Err(bad_shape(
                op,
                format!(
                    "source {} must match the input {} in every dim but {dim} and have index's {} entries there",
                    source.shape(),
                    self.shape(),
                    index.numel()
                ),
            ));
        }
        let mut at = vec![1isize; nd];
        at[d] = index.numel() as isize;
        Ok((d as isize, index.reshape(&at)?.expand(&signed(&ss))?))
    }

    /// Runs `f(x, dim, index, source)` on this tensor (and `source`) seen with at least one dim,
    /// giving back this tensor's shape (the `index_*` ops of 0-d tensors).
    fn at_least_1d(&self, source: &Tensor, f: impl FnOnce(&Tensor, &Tensor) -> Result<Tensor>) -> Result<Tensor> {
        let one = |t: &Tensor| if t.ndim() == 0 { t.reshape(&[1]) } else { Ok(t.clone()) };
        f(&one(self)?, &one(source)?)?.reshape_to(self.shape().clone())
    }

    /// `torch.index_add(dim, index, source, alpha=1)`: `alpha * source[.., i, ..]` added to
    /// entry `index[i]` of `dim` (repeated entries add up, in order).
    pub fn index_add(&self, dim: isize, index: &Tensor, source: &Tensor, alpha: impl Into<Scalar>) -> Result<Tensor> {
        let alpha = alpha.into();
        scoped("index_add", || {
            self.at_least_1d(source, |x, s| {
                let (d, idx) = x.index_along("index_add", dim, index, s)?;
                let s = if alpha.get() == 1.0 {
                    s.clone()
                } else {
                    s.binary_scalar(BinaryOp::Mul, alpha)?.cast(x.dtype())?
                };
                x.scatter_op("index_add", d, &idx, &s, Some(ReduceOp::Sum))
            })
        })
    }

    /// `torch.index_copy(dim, index, source)`: `source[.., i, ..]` written to entry `index[i]`
    /// of `dim` (for a repeated entry the last one wins).
    pub fn index_copy(&self, dim: isize, index: &Tensor, source: &Tensor) -> Result<Tensor> {
        scoped("index_copy", || {
            self.at_least_1d(source, |x, s| {
                let (d, idx) = x.index_along("index_copy", dim, index, s)?;
                x.scatter_op("index_copy", d, &idx, s, None)
            })
        })
    }

    /// `torch.index_reduce(dim, index, source, reduce, include_self=True)`: as
    /// [`Tensor::scatter_reduce`] with whole slices of `source` along `dim` (`reduce` one of
    /// `"prod"`, `"mean"`, `"amax"`, `"amin"`).
    pub fn index_reduce(
        &self,
        dim: isize,
        index: &Tensor,
        source: &Tensor,
        reduce: &str,
        include_self: bool,
    ) -> Result<Tensor> {
        scoped("index_reduce", || {
            reduction("index_reduce", reduce, true)?;
            self.at_least_1d(source, |x, s| {
                let (d, idx) = x.index_along("index_reduce", dim, index, s)?;
                x.reduce_into("index_reduce", d, &idx, s, reduce, include_self)
            })
        })
    }

    /// `torch.index_fill(dim, index, value)`: the entries `index` names of `dim` set to `value`
    /// (a scalar or 0-d tensor, cast to this tensor's dtype). One `where` over the tensor.
    pub fn index_fill(&self, dim: isize, index: &Tensor, value: &Tensor) -> Result<Tensor> {
        scoped("index_fill", || {
            Tensor::check_index("index_fill", "index", index)?;
            if index.ndim() > 1 {
                return Err(bad_argument("index_fill", format!("index must be 0-d or 1-d, got {}", index.shape())));
            }
            if value.ndim() != 0 {
                return Err(bad_argument(
                    "index_fill",
                    format!("value must be a scalar or 0-d tensor, got shape {}", value.shape()),
                ));
            }
            if self.ndim() == 0 {
                let x = self.reshape(&[1])?;
                return x.index_fill(dim, index, value)?.reshape_to(Shape::scalar());
            }
            let d = self.shape().normalize_dim("index_fill", dim)?;
            let n = self.dims()[d];
            let marks = Tensor::full(Shape::from(n), false, DType::Bool)?;
            let ones = Tensor::full(Shape::scalar(), true, DType::Bool)?.expand(&[index.numel() as isize])?;
            let mask = marks.scatter_op("index_fill", 0, &index.reshape(&[-1])?, &ones, None)?;
            let mut at = vec![1isize; self.ndim()];
            at[d] = n as isize;
            mask.reshape(&at)?.where_cond(&value.cast(self.dtype())?, self)
        })
    }

    /// `torch.masked_fill(mask, value)`: `value` (a scalar or 0-d tensor, cast to this tensor's
    /// dtype) where the bool `mask`, broadcast to this tensor's shape, is true.
    pub fn masked_fill(&self, mask: &Tensor, value: &Tensor) -> Result<Tensor> {
        scoped("masked_fill", || {
            if mask.dtype() != DType::Bool {
                return Err(bad_argument("masked_fill", format!("mask must be a bool tensor, got {}", mask.dtype())));
            }
            if value.ndim() != 0 {
                return Err(bad_argument(
                    "masked_fill",
                    format!("value must be a scalar or 0-d tensor, got shape {}", value.shape()),
                ));
            }
            if !mask.shape().broadcasts_to(self.shape()) {
                return Err(Error::ShapeMismatch {
                    op: "masked_fill",
                    lhs: self.shape().clone(),
                    rhs: mask.shape().clone(),
                });
            }
            mask.where_cond(&value.cast(self.dtype())?, self)?.cast(self.dtype())
        })
    }

    /// `torch.put(index, source, accumulate=False)`: this tensor, flattened, takes `source`'s
    /// elements at `index` (same number of elements; negative entries count from the end),
    /// added when `accumulate`.
    pub fn put(&self, index: &Tensor, source: &Tensor, accumulate: bool) -> Result<Tensor> {
        scoped("put", || {
            Tensor::check_index("put", "index", index)?;
            if index.numel() != source.numel() {
                return Err(bad_shape(
                    "put",
                    format!("index {} and source {} must have as many elements", index.shape(), source.shape()),
                ));
            }
            let flat = self.reshape(&[-1])?;
            let i = Tensor::wrap_negative(&index.reshape(&[-1])?.cast(DType::I64)?, flat.numel())?;
            let reduce = accumulate.then_some(ReduceOp::Sum);
            flat.scatter_op("put", 0, &i, &source.reshape(&[-1])?, reduce)?.reshape_to(self.shape().clone())
        })
    }
}
