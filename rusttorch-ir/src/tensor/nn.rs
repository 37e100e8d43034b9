//! Neural-network composites: softmax, log-softmax, norms, losses and activations built from
//! other ops (lowered when built, so the fusion planner sees through them).

use super::Tensor;
use crate::buffer::try_zeroed_vec;
use crate::error::bad_argument;
use crate::op::{BinaryOp, Scalar};
use crate::{scoped, DType, Element, Error, Result};

impl Tensor {
    /// Mean cross-entropy of `self` (logits `[n, classes]`) against class indices `targets`
    /// (`n` of them): `mean(-log_softmax(logits, 1)[i, targets[i]])`. The targets become
    /// a one-hot mask, so the whole loss is two fused kernels.
    pub fn cross_entropy(&self, targets: &[usize]) -> Result<Tensor> {
        scoped("cross_entropy", || {
            self.float_only("cross_entropy")?;
            if self.ndim() != 2 {
                return Err(bad_argument("cross_entropy", format!("needs logits [n, classes], got {}", self.shape())));
            }
            let (n, c) = (self.dims()[0], self.dims()[1]);
            if targets.len() != n {
                return Err(bad_argument("cross_entropy", format!("{} targets for {n} rows of logits", targets.len())));
            }
            if let Some(&t) = targets.iter().find(|&&t| t >= c) {
                return Err(Error::IndexOutOfRange { op: "cross_entropy", index: t as isize, dim: 1, size: c });
            }
            let mask = match self.dtype() {
                DType::F32 => Tensor::from_vec(onehot::<f32>(targets, c)?, [n, c])?,
                DType::F64 => Tensor::from_vec(onehot::<f64>(targets, c)?, [n, c])?,
                d => return Err(Error::UnsupportedDType { op: "cross_entropy", dtype: d }),
            };
            // `where`, not `x * mask`: `-inf * 0` would be NaN for a masked-out logit.
            let zero = Tensor::operand_scalar(Scalar::new(0.0), self.dtype());
            let picked = mask.where_cond(self, &zero)?.sum(Some(&[1]), false)?;
            // PyTorch's `-log_softmax(x)[target]`, `max + log(sum(exp(x - max))) - x[target]` with
            // the plain max (not logsumexp's finite shift): a row holding `+inf` or only `-inf` is
            // NaN, a `-inf` logit off the target costs nothing.
            let m = self.max(Some(&[1]), true)?;
            let lse = self.binary(BinaryOp::Sub, &m)?.exp()?.sum(Some(&[1]), false)?.log()?;
            let lse = lse.binary(BinaryOp::Add, &self.max(Some(&[1]), false)?)?;
            lse.binary(BinaryOp::Sub, &picked)?.mean(None, false)
        })
    }

    /// `exp(x - max) / sum(exp(x - max))` along `dim`.
    pub fn softmax(&self, dim: isize) -> Result<Tensor> {
        scoped("softmax", || {
            self.float_only("softmax")?;
            let d = [dim];
            let m = self.max(Some(&d), true)?;
            let e = self.binary(BinaryOp::Sub, &m)?.exp()?;
            let s = e.sum(Some(&d), true)?;
            e.binary(BinaryOp::Div, &s)
        })
    }

    /// `x - max - log(sum(exp(x - max)))` along `dim`.
    pub fn log_softmax(&self, dim: isize) -> Result<Tensor> {
        scoped("log_softmax", || {
            self.float_only("log_softmax")?;
            let d = [dim];
            let m = self.max(Some(&d), true)?;
            let xm = self.binary(BinaryOp::Sub, &m)?;
            let s = xm.exp()?.sum(Some(&d), true)?;
            xm.binary(BinaryOp::Sub, &s.log()?)
        })
    }

    /// Limits values to `[min, max]` (either bound optional); NaN stays NaN.
    pub fn clamp(&self, min: Option<f64>, max: Option<f64>) -> Result<Tensor> {
        scoped("clamp", || {
            let mut y = self.clone();
            if let Some(lo) = min {
                y = y.binary_scalar(BinaryOp::Maximum, lo)?;
            }
            if let Some(hi) = max {
                y = y.binary_scalar(BinaryOp::Minimum, hi)?;
            }
            Ok(y)
        })
    }

    /// PyTorch's softplus: `log(1 + exp(beta x)) / beta`, and `x` itself where
    /// `beta x > threshold`. The log term is computed as `max(z, 0) + log1p(exp(-|z|))` with
    /// `z = beta x`, so it neither overflows (any `threshold`, `inf` included) nor loses the
    /// tiny values of very negative `x` (`softplus(-30) = 9.4e-14`).
    pub fn softplus(&self, beta: f64, threshold: f64) -> Result<Tensor> {
        scoped("softplus", || {
            // Ints compute in float32 (as `exp` does); bools have no softplus, as in PyTorch.
            if self.dtype() == DType::Bool {
                return Err(Error::UnsupportedDType { op: "softplus", dtype: DType::Bool });
            }
            let x = self.to_float()?;
            let z = x.binary_scalar(BinaryOp::Mul, beta)?;
            let tail = z.abs()?.neg()?.exp()?.log1p()?;
            let soft = z.relu()?.binary(BinaryOp::Add, &tail)?.binary_scalar(BinaryOp::Div, beta)?;
            if threshold == f64::INFINITY {
                return Ok(soft);
            }
            z.binary_scalar(BinaryOp::Gt, threshold)?.where_cond(&x, &soft)
        })
    }

    /// The last `n` dims (the normalized dims of `op`, a norm), at least one and at most all.
    fn last_dims(&self, op: &'static str, n: usize) -> Result<Vec<isize>> {
        if n == 0 || n > self.ndim() {
            return Err(bad_argument(op, format!("over {n} dims of a tensor with shape {}", self.shape())));
        }
        Ok((self.ndim() - n..self.ndim()).map(|d| d as isize).collect())
    }

    /// RMS norm over the last `normalized_ndim` dims: `x / sqrt(mean(x^2) + eps) * weight`.
    pub fn rms_norm(&self, normalized_ndim: usize, weight: Option<&Tensor>, eps: f64) -> Result<Tensor> {
        scoped("rms_norm", || {
            self.float_only("rms_norm")?;
            let dims = self.last_dims("rms_norm", normalized_ndim)?;
            let r = self.square()?.mean(Some(&dims), true)?.binary_scalar(BinaryOp::Add, eps)?.rsqrt()?;
            let y = self.binary(BinaryOp::Mul, &r)?;
            match weight {
                Some(w) => y.binary(BinaryOp::Mul, w),
                None => Ok(y),
            }
        })
    }

    /// Mean squared error `mean((self - target)^2)` (reduction "mean").
    pub fn mse_loss(&self, target: &Tensor) -> Result<Tensor> {
        scoped("mse_loss", || {
            self.float_only("mse_loss")?;
            self.binary(BinaryOp::Sub, target)?.square()?.mean(None, false)
        })
    }

    /// Layer norm over the last `normalized_ndim` dims, with optional affine weight and bias.
    pub fn layer_norm(
        &self,
        normalized_ndim: usize,
        weight: Option<&Tensor>,
        bias: Option<&Tensor>,
        eps: f64,
    ) -> Result<Tensor> {
        scoped("layer_norm", || {
            self.float_only("layer_norm")?;
            let dims = self.last_dims("layer_norm", normalized_ndim)?;
            let mean = self.mean(Some(&dims), true)?;
            let xc = self.binary(BinaryOp::Sub, &mean)?;
            let var = xc.square()?.mean(Some(&dims), true)?;
            let rstd = var.binary_scalar(BinaryOp::Add, eps)?.rsqrt()?;
            let mut y = xc.binary(BinaryOp::Mul, &rstd)?;
            if let Some(w) = weight {
                y = y.binary(BinaryOp::Mul, w)?;
            }
            if let Some(b) = bias {
                y = y.binary(BinaryOp::Add, b)?;
            }
            Ok(y)
        })
    }
}

/// `targets.len() × c` rows, 1 at each row's target class, 0 elsewhere.
fn onehot<T: Element>(targets: &[usize], c: usize) -> Result<Vec<T>> {
    let mut v = try_zeroed_vec::<T>(targets.len() * c)?;
    for (i, &t) in targets.iter().enumerate() {
        v[i * c + t] = T::from_f64(1.0);
    }
    Ok(v)
}
