//! Reductions built on the primitive ones: `dtype=` forms, `all`/`any`, `count_nonzero`, the
//! NaN-ignoring `nansum`/`nanmean`, and the vector and matrix norms.

use super::Tensor;
use crate::error::bad_argument;
use crate::op::{BinaryOp, ReduceOp, Scalar};
use crate::{scoped, DType, Error, Result};

/// The order of a matrix norm ([`Tensor::matrix_norm`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MatrixOrd {
    /// Frobenius: the 2-norm of all elements.
    Fro,
    /// Nuclear: the sum of singular values (not implemented: needs an SVD).
    Nuc,
    /// A numeric order: 1, -1 (max/min column sum), inf, -inf (max/min row sum); 2, -2 need an
    /// SVD (not implemented).
    P(f64),
}

/// The order of [`Tensor::norm`]: PyTorch's `p` (`'fro'`, `'nuc'` or a number).
pub type NormOrd = MatrixOrd;

impl Tensor {
    /// `self` converted to `dtype` when one is given (PyTorch's `dtype=` of reductions: the
    /// input is cast before the operation).
    pub fn cast_opt(&self, dtype: Option<DType>) -> Result<Tensor> {
        match dtype {
            Some(d) => self.cast(d),
            None => Ok(self.clone()),
        }
    }

    /// [`Tensor::sum`] with PyTorch's `dtype=`: the input is cast first and the result has
    /// that dtype (an int32 sum asked for int32 stays int32, wrapping).
    pub fn sum_as(&self, dims: Option<&[isize]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
        scoped("sum", || self.cast_opt(dtype)?.sum(dims, keepdim)?.cast_opt(dtype))
    }

    /// [`Tensor::prod`] with PyTorch's `dtype=` (cast first, result in that dtype).
    pub fn prod_as(&self, dims: Option<&[isize]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
        scoped("prod", || self.cast_opt(dtype)?.prod(dims, keepdim)?.cast_opt(dtype))
    }

    /// [`Tensor::mean`] with PyTorch's `dtype=` (cast first).
    pub fn mean_as(&self, dims: Option<&[isize]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
        scoped("mean", || self.cast_opt(dtype)?.mean(dims, keepdim))
    }

    /// 1 where `self` is non-zero (NaN included), else 0, in `self`'s dtype (int32 for bools),
    /// so a reduction of it stays in the kernel that computes `self`.
    fn nonzero_indicator(&self) -> Result<Tensor> {
        let x = if self.dtype() == DType::Bool { self.cast(DType::I32)? } else { self.clone() };
        let (zero, one) =
            (Tensor::operand_scalar(Scalar::new(0.0), x.dtype()), Tensor::operand_scalar(Scalar::new(1.0), x.dtype()));
        x.ne_elem(&zero)?.where_cond(&one, &zero)
    }

    /// `all` (`op` Min) or `any` (Max) over `dims`: the extreme of the non-zero indicator,
    /// compared with 0; an empty reduction gives `empty` (true for all, false for any).
    fn truth_reduce(
        &self,
        name: &'static str,
        op: ReduceOp,
        empty: bool,
        dims: Option<&[isize]>,
        keepdim: bool,
    ) -> Result<Tensor> {
        scoped(name, || {
            if self.reduced_count(dims)? == 0 {
                let shape = self.sum(dims, keepdim)?.shape().clone();
                return Tensor::full(shape, if empty { 1.0 } else { 0.0 }, DType::Bool);
            }
            if self.dtype() == DType::Bool {
                // Max/min of 0/1 computed where the bool is (a comparison's operand type).
                return self.reduce_nodes(op, dims, keepdim);
            }
            let ind = self.nonzero_indicator()?;
            let zero = Tensor::operand_scalar(Scalar::new(0.0), ind.dtype());
            ind.reduce(op, dims, keepdim)?.ne_elem(&zero)
        })
    }

    /// Whether every element over `dims` (all when `None`) is non-zero (bool); true for an
    /// empty reduction. NaN counts as non-zero.
    pub fn all(&self, dims: Option<&[isize]>, keepdim: bool) -> Result<Tensor> {
        self.truth_reduce("all", ReduceOp::Min, true, dims, keepdim)
    }

    /// Whether any element over `dims` (all when `None`) is non-zero (bool); false for an
    /// empty reduction. NaN counts as non-zero.
    pub fn any(&self, dims: Option<&[isize]>, keepdim: bool) -> Result<Tensor> {
        self.truth_reduce("any", ReduceOp::Max, false, dims, keepdim)
    }

    /// The number of non-zero elements over `dims` (all when `None`), int64.
    pub fn count_nonzero(&self, dims: Option<&[isize]>) -> Result<Tensor> {
        scoped("count_nonzero", || {
            let zero = Tensor::operand_scalar(Scalar::new(0.0), self.dtype());
            let nz = if self.dtype() == DType::Bool { self.clone() } else { self.ne_elem(&zero)? };
            nz.sum(dims, false)
        })
    }

    /// `self` with NaN replaced by 0 (integers unchanged).
    fn nan_to_zero(&self) -> Result<Tensor> {
        if !self.dtype().is_float() {
            return Ok(self.clone());
        }
        let zero = Tensor::operand_scalar(Scalar::new(0.0), self.dtype());
        self.binary(BinaryOp::Ne, self)?.where_cond(&zero, self)
    }

    /// Sum over `dims` treating NaN as 0 (PyTorch's `nansum`; ints sum as [`Tensor::sum`]).
    pub fn nansum(&self, dims: Option<&[isize]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
        scoped("nansum", || self.cast_opt(dtype)?.nan_to_zero()?.sum(dims, keepdim)?.cast_opt(dtype))
    }

    /// Mean over `dims` of the non-NaN elements (NaN where there are none), floats only.
    pub fn nanmean(&self, dims: Option<&[isize]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
        scoped("nanmean", || {
            let x = self.cast_opt(dtype)?;
            x.float_only("nanmean")?;
            let (zero, one) = (
                Tensor::operand_scalar(Scalar::new(0.0), x.dtype()),
                Tensor::operand_scalar(Scalar::new(1.0), x.dtype()),
            );
            let is_nan = x.binary(BinaryOp::Ne, &x)?;
            let count = is_nan.where_cond(&zero, &one)?.sum(dims, keepdim)?;
            is_nan.where_cond(&zero, &x)?.sum(dims, keepdim)?.binary(BinaryOp::Div, &count)
        })
    }

    /// PyTorch's `linalg.vector_norm`: `sum(|x|^ord)^(1/ord)` over `dims` (all when `None`),
    /// with `ord` 0 (the count of non-zeros), 1, 2, `inf` (max `|x|`), `-inf` (min `|x|`) or any
    /// other number; floats only (`dtype` casts first).
    pub fn vector_norm(&self, ord: f64, dims: Option<&[isize]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
        scoped("linalg.vector_norm", || {
            let x = self.cast_opt(dtype)?;
            x.float_only("linalg.vector_norm")?;
            if ord.is_nan() {
                return Err(bad_argument("linalg.vector_norm", "ord must not be NaN"));
            }
            if ord.is_infinite() && x.reduced_count(dims)? == 0 {
                return Err(bad_argument(
                    "linalg.vector_norm",
                    format!(
                        "cannot compute the {ord} norm of an empty tensor (shape {}): the reduction has no identity",
                        x.shape()
                    ),
                ));
            }
            match ord {
                o if o == f64::INFINITY => x.abs()?.max(dims, keepdim),
                o if o == f64::NEG_INFINITY => x.abs()?.min(dims, keepdim),
                0.0 => x.nonzero_indicator()?.sum(dims, keepdim),
                1.0 => x.abs()?.sum(dims, keepdim),
                2.0 => x.square()?.sum(dims, keepdim)?.sqrt(),
                p => x.abs()?.pow_scalar(p)?.sum(dims, keepdim)?.pow_scalar(1.0 / p),
            }
        })
    }

    /// PyTorch's `linalg.matrix_norm` over the matrix dims `dims` (`(-2, -1)` by default):
    /// Frobenius, or the max (`1`, `inf`) or min (`-1`, `-inf`) absolute column (`±1`) or row
    /// (`±inf`) sum. The nuclear norm and `±2` need singular values and are
    /// [`Error::NotImplemented`].
    pub fn matrix_norm(&self, ord: MatrixOrd, dims: [isize; 2], keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
        scoped("linalg.matrix_norm", || {
            let x = self.cast_opt(dtype)?;
            if x.ndim() < 2 {
                return Err(Error::TooFewDims { op: "linalg.matrix_norm", needed: 2, shape: x.shape().clone() });
            }
            x.float_only("linalg.matrix_norm")?;
            let d = x.shape().normalize_dims("linalg.matrix_norm", &dims)?;
            if d.len() != 2 {
                return Err(bad_argument("linalg.matrix_norm", format!("dims must be different, got {dims:?}")));
            }
            // Columns are summed over the row dim (dim 0 of the pair), rows over the column dim.
            let (summed, extreme, op) = match ord {
                MatrixOrd::Fro => return x.vector_norm(2.0, Some(&dims), keepdim, None),
                MatrixOrd::P(1.0) => (dims[0], dims[1], ReduceOp::Max),
                MatrixOrd::P(-1.0) => (dims[0], dims[1], ReduceOp::Min),
                MatrixOrd::P(p) if p == f64::INFINITY => (dims[1], dims[0], ReduceOp::Max),
                MatrixOrd::P(p) if p == f64::NEG_INFINITY => (dims[1], dims[0], ReduceOp::Min),
                MatrixOrd::Nuc => {
                    return Err(Error::NotImplemented {
                        op: "linalg.matrix_norm",
                        what: "ord='nuc' (it needs singular values)".into(),
                    })
                }
                MatrixOrd::P(p) if p.abs() == 2.0 => {
                    return Err(Error::NotImplemented {
                        op: "linalg.matrix_norm",
                        what: format!("ord={p} (it needs singular values)"),
                    })
                }
                MatrixOrd::P(p) => {
                    return Err(bad_argument(
                        "linalg.matrix_norm",
                        format!("ord must be one of 'fro', 'nuc', inf, -inf, 1, -1, 2, -2, got {p}"),
                    ))
                }
            };
            let r = x.abs()?.sum(Some(&[summed]), true)?.reduce(op, Some(&[extreme]), true)?;
            if keepdim {
                Ok(r)
            } else {
                r.squeeze_dims(&[d[0] as isize, d[1] as isize])
            }
        })
    }

    /// PyTorch's `norm(p, dim, keepdim)`: `'fro'` is the 2-norm over `dims` (all when `None`),
    /// `'nuc'` the matrix norm, a number the vector norm of that order.
    pub fn norm(&self, p: NormOrd, dims: Option<&[isize]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
        scoped("norm", || match p {
            MatrixOrd::Fro if dims.is_none_or(|d| d.len() <= 2) => self.vector_norm(2.0, dims, keepdim, dtype),
            MatrixOrd::Fro | MatrixOrd::Nuc => {
                let d: Vec<isize> = match dims {
                    Some(d) => d.to_vec(),
                    None => (0..self.ndim() as isize).collect(),
                };
                let pair: [isize; 2] = d
                    .try_into()
                    .map_err(|d: Vec<isize>| bad_argument("norm", format!("a matrix norm needs 2 dims, got {d:?}")))?;
                self.matrix_norm(p, pair, keepdim, dtype)
            }
            MatrixOrd::P(p) => self.vector_norm(p, dims, keepdim, dtype),
        })
    }
}
