//! Matrix products with NumPy/PyTorch semantics.

use super::Tensor;
use crate::op::Op;
use crate::{infer, scoped, DType, Error, Result, Shape};
use smallvec::smallvec;

impl Tensor {
    /// Matrix product with NumPy/PyTorch semantics: 1-d operands are promoted to a row (left)
    /// or column (right) vector and the added dim removed again; leading batch dims broadcast.
    pub fn matmul(&self, rhs: &Tensor) -> Result<Tensor> {
        scoped("matmul", || {
            let mismatch =
                || Error::ShapeMismatch { op: "matmul", lhs: self.shape().clone(), rhs: rhs.shape().clone() };
            if self.ndim() == 0 || rhs.ndim() == 0 {
                return Err(mismatch());
            }
            let dtype = self.dtype().promote(rhs.dtype());
            let (mut a, mut b) = (self.cast(dtype)?, rhs.cast(dtype)?);
            a.float_only("matmul")?;
            if dtype.is_storage_only() {
                // The GEMM runs in float32 (as PyTorch's CPU kernels accumulate 16-bit floats);
                // the product is rounded once, at its store.
                return self.cast(DType::F32)?.matmul(&rhs.cast(DType::F32)?)?.cast(dtype);
            }
            let (a1, b1) = (a.ndim() == 1, b.ndim() == 1);
            if a1 {
                a = a.reshape_to(Shape::from([1, a.numel()]))?;
            }
            if b1 {
                b = b.reshape_to(Shape::from([b.numel(), 1]))?;
            }
            let out = infer::matmul_shape(a.shape(), b.shape()).map_err(|_| mismatch())?;
            // The dims added to 1-d operands go again: the row's `m` and the column's `n`.
            let nd = out.ndim();
            let final_dims = out.dims().iter().enumerate().filter(|&(i, _)| !(a1 && i == nd - 2 || b1 && i == nd - 1));
            let final_dims = final_dims.map(|(_, &d)| d).collect();
            let mm = Tensor::lazy(Op::MatMul, out, dtype, smallvec![a, b]);
            mm.reshape_to(Shape(final_dims))
        })
    }
}
