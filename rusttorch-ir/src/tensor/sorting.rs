//! Sorting and selection along a dim: sort, argsort, msort, topk, kthvalue, median, nanmedian,
//! mode (order line ops, see [`crate::op::order`]).

use super::Tensor;
use crate::error::bad_argument;
use crate::op::{LineOp, OrderOp};
use crate::{scoped, DType, Error, Result, Shape};

impl Tensor {
    /// Values and indices of the order op `make(line_len)` along `dim` (a 0-d tensor is a line
    /// of one). Ops that pick one element per line drop the dim unless `keepdim`. Bools are
    /// ranked as 0/1 ints.
    fn order(
        &self,
        name: &'static str,
        dim: isize,
        keepdim: bool,
        make: impl FnOnce(usize) -> Result<OrderOp>,
    ) -> Result<(Tensor, Tensor)> {
        scoped(name, || {
            let x = if self.dtype() == DType::Bool { self.cast(DType::I32)? } else { self.clone() };
            let x = if x.ndim() == 0 { x.reshape_to(Shape::from(1))? } else { x };
            let d = x.shape().normalize_dim(name, dim)?;
            let op = make(x.shape().dims()[d])?;
            let (values, indices) = (x.line_node(LineOp::Order(op), d)?, x.line_node(LineOp::OrderIndex(op), d)?);
            let mut dims = values.dims().to_vec();
            if self.ndim() == 0 {
                if dims[0] == 1 {
                    dims.clear();
                }
            } else if matches!(op, OrderOp::Kth { .. } | OrderOp::Median { .. } | OrderOp::Mode) && !keepdim {
                dims.remove(d);
            }
            let values = values.reshape_to(Shape::from(dims.clone()))?;
            let values = if self.dtype() == DType::Bool { values.cast(DType::Bool)? } else { values };
            Ok((values, indices.reshape_to(Shape::from(dims))?))
        })
    }

    /// Sorts along `dim` (`torch.sort`): the sorted values and where each was. NaN ranks above
    /// every number (last ascending, first descending), `-0.0` equals `0.0`, and the sort is
    /// always stable (ties keep their input order, PyTorch's `stable=True`).
    pub fn sort(&self, dim: isize, descending: bool) -> Result<(Tensor, Tensor)> {
        self.order("sort", dim, false, |_| Ok(OrderOp::Sort { descending }))
    }

    /// The indices that sort this tensor along `dim` (`torch.argsort`), as [`Tensor::sort`].
    pub fn argsort(&self, dim: isize, descending: bool) -> Result<Tensor> {
        scoped("argsort", || Ok(self.sort(dim, descending)?.1))
    }

    /// Sorted along dim 0 (`torch.msort`), ascending.
    pub fn msort(&self) -> Result<Tensor> {
        scoped("msort", || Ok(self.sort(0, false)?.0))
    }

    /// The `k` largest (or smallest) elements along `dim` and their indices (`torch.topk`),
    /// always sorted (largest first, or smallest first), ties in input order, NaN largest.
    pub fn topk(&self, k: i64, dim: isize, largest: bool) -> Result<(Tensor, Tensor)> {
        self.order("topk", dim, false, |len| {
            let k = in_range(k, 0, len)?;
            Ok(OrderOp::TopK { k, largest })
        })
    }

    /// The `k`-th smallest element along `dim` (1-based) and its index (`torch.kthvalue`).
    pub fn kthvalue(&self, k: i64, dim: isize, keepdim: bool) -> Result<(Tensor, Tensor)> {
        self.order("kthvalue", dim, keepdim, |len| {
            let k = in_range(k, 1, len)?;
            Ok(OrderOp::Kth { k: k - 1 })
        })
    }

    /// The lower median of all elements, a 0-d tensor (`torch.median()`): of an even count the
    /// smaller of the two middle elements; NaN when there is a NaN.
    pub fn median(&self) -> Result<Tensor> {
        self.median_of_all("median", false)
    }

    /// The lower median along `dim` and its index (`torch.median(dim)`); a line holding a NaN
    /// gives NaN and the index of its first NaN.
    pub fn median_dim(&self, dim: isize, keepdim: bool) -> Result<(Tensor, Tensor)> {
        self.median_along("median", false, dim, keepdim)
    }

    /// The lower median of the non-NaN elements (`torch.nanmedian()`), NaN if all are NaN.
    pub fn nanmedian(&self) -> Result<Tensor> {
        self.median_of_all("nanmedian", true)
    }

    /// The lower median of the non-NaN elements along `dim` and its index
    /// (`torch.nanmedian(dim)`).
    pub fn nanmedian_dim(&self, dim: isize, keepdim: bool) -> Result<(Tensor, Tensor)> {
        self.median_along("nanmedian", true, dim, keepdim)
    }

    fn median_along(
        &self,
        name: &'static str,
        ignore_nan: bool,
        dim: isize,
        keepdim: bool,
    ) -> Result<(Tensor, Tensor)> {
        self.order(name, dim, keepdim, |len| {
            if len == 0 {
                return Err(Error::EmptyReduction { op: name, shape: self.shape().clone(), dim: Some(dim) });
            }
            Ok(OrderOp::Median { ignore_nan })
        })
    }

    fn median_of_all(&self, name: &'static str, ignore_nan: bool) -> Result<Tensor> {
        scoped(name, || {
            let flat = self.reshape_to(Shape::from(self.numel()))?;
            Ok(flat.median_along(name, ignore_nan, 0, false)?.0)
        })
    }

    /// The most frequent value along `dim` (the smallest of equally frequent ones) and the
    /// index of its last occurrence (`torch.mode`).
    pub fn mode(&self, dim: isize, keepdim: bool) -> Result<(Tensor, Tensor)> {
        self.order("mode", dim, keepdim, |len| {
            if len == 0 {
                return Err(Error::EmptyReduction { op: "mode", shape: self.shape().clone(), dim: Some(dim) });
            }
            Ok(OrderOp::Mode)
        })
    }
}

/// `k` as a count in `lo..=len`, or PyTorch's "selected index k out of range".
fn in_range(k: i64, lo: usize, len: usize) -> Result<usize> {
    match usize::try_from(k) {
        Ok(u) if (lo..=len).contains(&u) => Ok(u),
        _ => Err(bad_argument("order", format!("selected index k out of range (k = {k}, dim size {len})"))),
    }
}
