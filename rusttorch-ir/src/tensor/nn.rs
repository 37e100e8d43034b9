//! Neural-network composites: softmax, log-softmax, norms and activations built from
//! other ops (lowered when built, so the fusion planner sees through them).

use super::{Operand, Tensor};
use crate::error::bad_argument;
use crate::op::BinaryOp;
use crate::{scoped, DType, Error, Result};
use smallvec::SmallVec;

impl Tensor {
    /// `exp(x - max) / sum(exp(x - max))` along `dim`.
    pub fn softmax(&self, dim: isize) -> Result<Tensor> {
        scoped("softmax", || {
            self.float_only("softmax")?;
            let d = [dim];
            let m = stability_shift(self, dim, true)?;
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
            let m = stability_shift(self, dim, true)?;
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

    /// Limits values to `[min, max]` where either bound is optional and may be a tensor
    /// (broadcasting) or a scalar of a kind ([`Operand`]: a float bound makes an int tensor
    /// float32, as in PyTorch); NaN stays NaN.
    pub fn clamp_with(&self, min: Option<Operand>, max: Option<Operand>) -> Result<Tensor> {
        scoped("clamp", || {
            let y = match min {
                Some(lo) => self.binary(BinaryOp::Maximum, &lo.into_tensor(self))?,
                None => self.clone(),
            };
            match max {
                // Next to `y`: a scalar bound takes the dtype the lower bound gave.
                Some(hi) => y.binary(BinaryOp::Minimum, &hi.into_tensor(&y)),
                None => Ok(y),
            }
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

    /// PyTorch's `rms_norm(x, normalized_shape, weight, eps)`: [`Tensor::rms_norm`] over the
    /// trailing dims, which `normalized_shape` must equal, with a `weight` of exactly that shape
    /// (where `rms_norm` broadcasts it).
    pub fn rms_norm_shaped(&self, normalized_shape: &[usize], weight: Option<&Tensor>, eps: f64) -> Result<Tensor> {
        let n = self.normalized_ndim("rms_norm", normalized_shape)?;
        check_affine("rms_norm", "weight", weight, normalized_shape)?;
        self.rms_norm(n, weight, eps)
    }

    /// PyTorch's `layer_norm(x, normalized_shape, weight, bias, eps)`: [`Tensor::layer_norm`]
    /// over the trailing dims, which `normalized_shape` must equal, with a `weight` and `bias`
    /// of exactly that shape (where `layer_norm` broadcasts them).
    pub fn layer_norm_shaped(
        &self,
        normalized_shape: &[usize],
        weight: Option<&Tensor>,
        bias: Option<&Tensor>,
        eps: f64,
    ) -> Result<Tensor> {
        let n = self.normalized_ndim("layer_norm", normalized_shape)?;
        check_affine("layer_norm", "weight", weight, normalized_shape)?;
        check_affine("layer_norm", "bias", bias, normalized_shape)?;
        self.layer_norm(n, weight, bias, eps)
    }

    /// How many trailing dims `normalized_shape` names (the norm `op`'s argument): it must equal
    /// them, as in PyTorch.
    fn normalized_ndim(&self, op: &'static str, normalized_shape: &[usize]) -> Result<usize> {
        let (d, n) = (self.dims(), normalized_shape.len());
        if n > d.len() || d[d.len() - n..] != *normalized_shape {
            return Err(bad_argument(
                op,
                format!(
                    "normalized_shape {normalized_shape:?} does not match the trailing dims of input shape {}",
                    self.shape()
                ),
            ));
        }
        Ok(n)
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
            let d2 = dims.clone();
            let forward = || {
                let mut y = normalized(self, &d2, eps)?.0;
                if let Some(w) = weight {
                    y = y.binary(BinaryOp::Mul, w)?;
                }
                if let Some(b) = bias {
                    y = y.binary(BinaryOp::Add, b)?;
                }
                Ok(y)
            };
            let mut inputs = vec![self];
            inputs.extend(weight);
            inputs.extend(bias);
            let (has_w, has_b) = (weight.is_some(), bias.is_some());
            let vjp = move |x: &[Tensor], g: &Tensor| layer_norm_grads(x, g, &dims, eps, has_w, has_b);
            Tensor::with_custom_grad(&inputs, forward, std::sync::Arc::new(vjp))
        })
    }
}

/// `(x - mean) * rstd` over `dims`, and `rstd = 1 / sqrt(var + eps)` (kept dims).
fn normalized(x: &Tensor, dims: &[isize], eps: f64) -> Result<(Tensor, Tensor)> {
    let mean = x.mean(Some(dims), true)?;
    let xc = x.binary(BinaryOp::Sub, &mean)?;
    let var = xc.square()?.mean(Some(dims), true)?;
    let rstd = var.binary_scalar(BinaryOp::Add, eps)?.rsqrt()?;
    Ok((xc.binary(BinaryOp::Mul, &rstd)?, rstd))
}

/// The gradients of `layer_norm` (inputs `x`, then `weight` and `bias` when given) in the
/// fused form: `dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat))`, two row reductions
/// of one pass and one elementwise pass, where differentiating the decomposition chains four
/// passes. `xhat` and `rstd` are rebuilt from `x`: the joint plan shares them with the forward.
fn layer_norm_grads(
    x: &[Tensor],
    g: &Tensor,
    dims: &[isize],
    eps: f64,
    has_w: bool,
    has_b: bool,
) -> Result<SmallVec<[Option<Tensor>; 3]>> {
    let (xhat, rstd) = normalized(&x[0], dims, eps)?;
    let dxhat = if has_w { g.binary(BinaryOp::Mul, &x[1])? } else { g.clone() };
    let m1 = dxhat.mean(Some(dims), true)?;
    let m2 = dxhat.binary(BinaryOp::Mul, &xhat)?.mean(Some(dims), true)?;
    let inner = dxhat.binary(BinaryOp::Sub, &m1)?.binary(BinaryOp::Sub, &xhat.binary(BinaryOp::Mul, &m2)?)?;
    let mut out: SmallVec<[Option<Tensor>; 3]> = smallvec::smallvec![Some(inner.binary(BinaryOp::Mul, &rstd)?)];
    // The affine parameters' gradients sum over the dims they were broadcast along.
    if has_w {
        out.push(Some(g.binary(BinaryOp::Mul, &xhat)?.sum_to(x[1].shape())?));
    }
    if has_b {
        out.push(Some(g.sum_to(x[has_w as usize + 1].shape())?));
    }
    Ok(out)
}

/// The `weight`/`bias` (`name`) of the norm `op` must have exactly the normalized shape.
fn check_affine(op: &'static str, name: &str, t: Option<&Tensor>, normalized_shape: &[usize]) -> Result<()> {
    match t {
        Some(t) if t.dims() != normalized_shape => Err(bad_argument(
            op,
            format!("{name} has shape {} but normalized_shape is {normalized_shape:?}", t.shape()),
        )),
        _ => Ok(()),
    }
}

/// The max of `x` along `dim`, the shift that keeps `exp` of log-sum-exp and softmax from
/// overflowing. The results do not depend on it (it cancels exactly), so no gradient is meant
/// to flow through it: it is built without one. The plain max, not a finite one: a row holding
/// `+inf` or only `-inf` is NaN, as in PyTorch.
pub(super) fn stability_shift(x: &Tensor, dim: isize, keepdim: bool) -> Result<Tensor> {
    super::no_grad(|| x.max(Some(&[dim]), keepdim))
}
