//! Reads at positions an index tensor holds: gather, take_along_dim, index_select, take.

use super::Tensor;
use crate::error::bad_argument;
use crate::op::{BinaryOp, Op};
use crate::{infer, scoped, DType, Result, Shape};
use smallvec::smallvec;

/// `dims` as the `isize` list `reshape`/`expand` take.
pub(super) fn signed(dims: &[usize]) -> Vec<isize> {
    dims.iter().map(|&d| d as isize).collect()
}

impl Tensor {
    /// Checks that `index` (the argument `arg` of `op`) holds integers (int32 or int64).
    pub(super) fn check_index(op: &'static str, arg: &str, index: &Tensor) -> Result<()> {
        match index.dtype() {
            DType::I32 | DType::I64 => Ok(()),
            d => Err(bad_argument(op, format!("{arg} must be an int32 or int64 tensor, got {d}"))),
        }
    }

    /// `index` with negative entries counted from the end of a dim of `size` (`i + size`).
    pub(super) fn wrap_negative(index: &Tensor, size: usize) -> Result<Tensor> {
        let neg = index.binary_scalar(BinaryOp::Lt, 0)?;
        neg.where_cond(&index.binary_scalar(BinaryOp::Add, size as i64)?, index)
    }

    /// `out[.., i, ..] = self[.., index[.., i, ..], ..]` along `dim` (`torch.gather`). `index`
    /// is an int32/int64 tensor of this tensor's rank, no larger in any other dim; the output
    /// has its shape and this tensor's dtype. An index outside `[0, size)` (negative ones
    /// included, as PyTorch) is an [`crate::Error::IndexOutOfRange`] when evaluated.
    pub fn gather(&self, dim: isize, index: &Tensor) -> Result<Tensor> {
        scoped("gather", || {
            Tensor::check_index("gather", "index", index)?;
            // A 0-d tensor is a line of one (as PyTorch's gather sees it).
            let one = |t: &Tensor| if t.ndim() == 0 { t.reshape_to(Shape::from(1)) } else { Ok(t.clone()) };
            let (x, i) = (one(self)?, one(index)?);
            let d = x.shape().normalize_dim("gather", dim)?;
            let shape = infer::gather_shape(x.shape(), i.shape(), d)?;
            let out = Tensor::lazy(Op::Gather { dim: d }, shape, x.dtype(), smallvec![x, i]);
            out.reshape_to(index.shape().clone())
        })
    }

    /// `torch.take_along_dim`: with a `dim`, this tensor and `indices` broadcast in every
    /// other dim and are gathered along `dim`; without one, both are flattened first.
    pub fn take_along_dim(&self, indices: &Tensor, dim: Option<isize>) -> Result<Tensor> {
        scoped("take_along_dim", || {
            Tensor::check_index("take_along_dim", "indices", indices)?;
            let Some(dim) = dim else {
                return self.reshape(&[-1])?.gather(0, &indices.reshape(&[-1])?);
            };
            if self.ndim() != indices.ndim() {
                return Err(bad_argument(
                    "take_along_dim",
                    format!("input {} and indices {} must have the same number of dims", self.shape(), indices.shape()),
                ));
            }
            if self.ndim() == 0 {
                return self.gather(dim, indices);
            }
            let d = self.shape().normalize_dim("take_along_dim", dim)?;
            let ones = |t: &Tensor| {
                let mut s = t.dims().to_vec();
                s[d] = 1;
                Shape::from(s)
            };
            let common = Shape::broadcast("take_along_dim", &ones(self), &ones(indices))?;
            let mut xs = common.dims().to_vec();
            xs[d] = self.dims()[d];
            let mut is = common.dims().to_vec();
            is[d] = indices.dims()[d];
            self.expand(&signed(&xs))?.gather(d as isize, &indices.expand(&signed(&is))?)
        })
    }

    /// `torch.index_select`: the entries `index` (a 1-d, or 0-d, int32/int64 tensor) names of
    /// `dim`, in its order; the output is this tensor with `dim` of `index.numel()` entries.
    pub fn index_select(&self, dim: isize, index: &Tensor) -> Result<Tensor> {
        scoped("index_select", || {
            Tensor::check_index("index_select", "index", index)?;
            if index.ndim() > 1 {
                return Err(bad_argument("index_select", format!("index must be 0-d or 1-d, got {}", index.shape())));
            }
            if self.ndim() == 0 {
                let x = self.reshape(&[1])?;
                return x.index_select(dim, index)?.reshape_to(Shape::scalar());
            }
            let d = self.shape().normalize_dim("index_select", dim)?;
            let n = index.numel();
            let mut at = vec![1isize; self.ndim()];
            at[d] = n as isize;
            let mut out = self.dims().to_vec();
            out[d] = n;
            let index = index.reshape(&at)?.expand(&signed(&out))?;
            self.gather(d as isize, &index)
        })
    }

    /// `torch.take`: the elements of this tensor, flattened, at `index` (any shape; negative
    /// entries count from the end); the output has `index`'s shape.
    pub fn take(&self, index: &Tensor) -> Result<Tensor> {
        scoped("take", || {
            Tensor::check_index("take", "index", index)?;
            let n = self.numel();
            let i = Tensor::wrap_negative(index, n)?;
            if index.ndim() == 0 {
                return self.reshape(&[-1])?.gather(0, &i);
            }
            // The flattened input broadcast over the index's other dims (a stride-0 view), so
            // the gather has the index's shape and no reshape stores its result.
            let mut at = vec![n as isize];
            at.extend(std::iter::repeat_n(1, index.ndim() - 1));
            let mut to = vec![n as isize];
            to.extend(index.dims()[1..].iter().map(|&d| d as isize));
            self.reshape(&at)?.expand(&to)?.gather(0, &i)
        })
    }
}
