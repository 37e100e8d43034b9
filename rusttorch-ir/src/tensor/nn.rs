//! Neural-network composites: softmax, log-softmax, norms, losses and activations built from
//! other ops (lowered when built, so the fusion planner sees through them).

use super::{Operand, Tensor};
use crate::buffer::try_zeroed_vec;
use crate::error::bad_argument;
use crate::op::{BinaryOp, Scalar};
use crate::{scoped, DType, Element, Error, Result};
use smallvec::SmallVec;

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
            if let Some((_, t)) = first_bad_class(targets.iter().map(|&t| t as i128), Some(c)) {
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

    /// [`Tensor::cross_entropy`] of class indices as the caller gave them, of any integer type
    /// (`i128` holds every `i64` and `u64`). They are checked first: one outside
    /// `0..classes`, negative ones included (PyTorch's `ignore_index=-100` is not supported),
    /// is an [`Error::ClassIndex`] naming its position and value.
    pub fn cross_entropy_indices(&self, targets: &[i128]) -> Result<Tensor> {
        let classes = match self.dims() {
            &[_, c] => Some(c),
            _ => None, // `cross_entropy` reports the bad logits shape
        };
        if let Some((position, target)) = first_bad_class(targets.iter().copied(), classes) {
            let shape = self.shape().clone();
            return Err(Error::ClassIndex {
                op: "cross_entropy",
                position,
                target,
                shape,
                classes: classes.unwrap_or(0),
            });
        }
        let targets: Vec<usize> = targets.iter().map(|&t| t as usize).collect();
        self.cross_entropy(&targets)
    }

    /// `exp(x - max) / sum(exp(x - max))` along `dim`.
    pub fn softmax(&self, dim: isize) -> Result<Tensor> {
        scoped("softmax", || {
            self.float_only("softmax")?;
            let d = [dim];
            // The shift's gradient cancels exactly: it is built without one.
            let m = super::no_grad(|| self.max(Some(&d), true))?;
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
            // The shift's gradient cancels exactly: it is built without one.
            let m = super::no_grad(|| self.max(Some(&d), true))?;
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

/// The first class index outside `0..classes` (any, when `classes` is unknown: negative ones
/// only), with its position.
fn first_bad_class(targets: impl Iterator<Item = i128>, classes: Option<usize>) -> Option<(usize, i128)> {
    let limit = classes.map_or(i128::MAX, |c| c as i128);
    targets.enumerate().find(|&(_, t)| t < 0 || t >= limit)
}

/// `targets.len() × c` rows, 1 at each row's target class, 0 elsewhere.
fn onehot<T: Element>(targets: &[usize], c: usize) -> Result<Vec<T>> {
    let mut v = try_zeroed_vec::<T>(targets.len() * c)?;
    for (i, &t) in targets.iter().enumerate() {
        v[i * c + t] = T::from_f64(1.0);
    }
    Ok(v)
}
