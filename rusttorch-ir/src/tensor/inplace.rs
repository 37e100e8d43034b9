//! The values in-place ops (`t += x`, `t.copy_(src)`) give a tensor, checked and cast.
//!
//! Buffers are immutable, so "in place" means that the caller's handle now names a new value:
//! one of the tensor's shape and dtype, as PyTorch's in-place ops change neither.

use super::Tensor;
use crate::error::bad_shape;
use crate::{scoped, DType, Error, Result};
use smallvec::SmallVec;

impl Tensor {
    /// This tensor as the new value of a tensor of dtype `out` updated in place by `op` (`+=`,
    /// `add_`): cast to `out` when [`DType::can_cast`] allows it, else an
    /// [`Error::InplaceCast`] (as PyTorch, `int_tensor += 0.5` is an error rather than a silent
    /// truncation).
    pub fn cast_inplace(&self, op: &'static str, out: DType) -> Result<Tensor> {
        if !self.dtype().can_cast(out) {
            return Err(Error::InplaceCast { op, result: self.dtype(), out });
        }
        self.cast(out)
    }

    /// The value the in-place op `op` (`+=`, `add_`) gives `self` when its result is `value`:
    /// `value` must have `self`'s shape (an [`Error::BadShape`] otherwise: `t += x` cannot
    /// broadcast `t`) and is cast to `self`'s dtype by [`Tensor::cast_inplace`].
    pub fn inplace_value(&self, op: &'static str, value: &Tensor) -> Result<Tensor> {
        if value.dims() != self.dims() {
            return Err(bad_shape(
                op,
                format!(
                    "the result has shape {} but the tensor updated in place has shape {}",
                    value.shape(),
                    self.shape()
                ),
            ));
        }
        value.cast_inplace(op, self.dtype())
    }

    /// The value `copy_` gives `self`: `src` cast to `self`'s dtype and broadcast to its shape
    /// (a `src` that does not broadcast is an [`Error::ShapeMismatch`] of `copy_`).
    pub fn copy_value(&self, src: &Tensor) -> Result<Tensor> {
        scoped("copy_", || {
            let dims: SmallVec<[isize; 6]> = self.dims().iter().map(|&d| d as isize).collect();
            src.cast(self.dtype())?.expand(&dims)
        })
    }
}
