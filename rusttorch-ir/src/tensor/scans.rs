//! Scans along a dim: cumsum, cumprod, cummax, cummin, logcumsumexp (line ops).

use super::Tensor;
use crate::op::{LineOp, Op, ScanOp};
use crate::{infer, scoped, DType, Result, Shape};
use smallvec::smallvec;

impl Tensor {
    /// The line op `op` along `dim` of this tensor (a 0-d tensor is a line of one), in the
    /// dtype `op` gives for this tensor's.
    pub(crate) fn line(&self, name: &'static str, op: LineOp, dim: isize) -> Result<Tensor> {
        let x = if self.ndim() == 0 { self.reshape_to(Shape::from(1))? } else { self.clone() };
        let d = x.shape().normalize_dim(name, dim)?;
        let shape = infer::infer_shape(&Op::Line { op, dim: d }, &[x.shape()])?;
        let out = Tensor::lazy(Op::Line { op, dim: d }, shape, op.dtype(x.dtype()), smallvec![x]);
        out.reshape_to(self.shape().clone())
    }

    /// The node of the line op `op` along the (normalised) `dim` itself, without reshaping
    /// its result (a gradient needs the index of an order op's values).
    pub(crate) fn line_node(&self, op: LineOp, dim: usize) -> Result<Tensor> {
        let shape = infer::infer_shape(&Op::Line { op, dim }, &[self.shape()])?;
        Ok(Tensor::lazy(Op::Line { op, dim }, shape, op.dtype(self.dtype()), smallvec![self.clone()]))
    }

    /// A running sum or product along `dim`: ints and bools accumulate in int64 (as PyTorch)
    /// unless `dtype` is given, in which case the input is cast to it first.
    fn sum_scan(&self, op: ScanOp, dim: isize, dtype: Option<DType>) -> Result<Tensor> {
        scoped(op.name(), || {
            let x = match dtype {
                Some(d) => self.cast(d)?,
                None if !self.dtype().is_float() => self.cast(DType::I64)?,
                None => self.clone(),
            };
            x.line(op.name(), LineOp::Scan(op), dim)
        })
    }

    /// Cumulative sum along `dim` (`torch.cumsum`); float32 accumulates in float64.
    pub fn cumsum(&self, dim: isize, dtype: Option<DType>) -> Result<Tensor> {
        self.sum_scan(ScanOp::Sum, dim, dtype)
    }

    /// Cumulative product along `dim` (`torch.cumprod`).
    pub fn cumprod(&self, dim: isize, dtype: Option<DType>) -> Result<Tensor> {
        self.sum_scan(ScanOp::Prod, dim, dtype)
    }

    /// Running maximum along `dim` and the index where each was found (`torch.cummax`): the
    /// last index of a tie, and a NaN propagates with its own index.
    pub fn cummax(&self, dim: isize) -> Result<(Tensor, Tensor)> {
        self.extreme_scan(ScanOp::Max, dim)
    }

    /// Running minimum along `dim` and its indices (`torch.cummin`), as [`Tensor::cummax`].
    pub fn cummin(&self, dim: isize) -> Result<(Tensor, Tensor)> {
        self.extreme_scan(ScanOp::Min, dim)
    }

    fn extreme_scan(&self, op: ScanOp, dim: isize) -> Result<(Tensor, Tensor)> {
        scoped(op.name(), || {
            // Bools scan as 0/1 ints: max is any-so-far, min all-so-far.
            let x = if self.dtype() == DType::Bool { self.cast(DType::I32)? } else { self.clone() };
            let values = x.line(op.name(), LineOp::Scan(op), dim)?;
            let values = if self.dtype() == DType::Bool { values.cast(DType::Bool)? } else { values };
            Ok((values, x.line(op.name(), LineOp::ScanIndex(op), dim)?))
        })
    }

    /// `log(cumsum(exp(x)))` along `dim` without overflow (`torch.logcumsumexp`); ints become
    /// float32, bools are an error.
    pub fn logcumsumexp(&self, dim: isize) -> Result<Tensor> {
        scoped("logcumsumexp", || {
            self.float_valued("logcumsumexp")?.line("logcumsumexp", LineOp::Scan(ScanOp::LogSumExp), dim)
        })
    }
}
