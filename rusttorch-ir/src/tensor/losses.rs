//! Loss functions (PyTorch's `torch.nn.functional` losses) as composites of other ops, so the
//! fusion planner sees through them and gradients flow through their primitives.

use super::nn::stability_shift;
use super::Tensor;
use crate::error::bad_argument;
use crate::op::{BinaryOp, Scalar};
use crate::{scoped, with_element, DType, Element, Error, Result};

/// How a loss reduces its per-element values (PyTorch's `reduction=`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Reduction {
    /// The per-element losses, unreduced (`'none'`).
    None,
    /// Their mean (`'mean'`; the weighted mean for class losses with weights).
    #[default]
    Mean,
    /// Their sum (`'sum'`).
    Sum,
    /// Their sum divided by the batch size (`'batchmean'`, `kl_div` only).
    BatchMean,
}

impl Reduction {
    /// PyTorch's names `'none'`, `'mean'` and `'sum'`; anything else is an error naming `op`.
    pub fn parse(op: &'static str, name: &str) -> Result<Reduction> {
        match name {
            "none" => Ok(Reduction::None),
            "mean" => Ok(Reduction::Mean),
            "sum" => Ok(Reduction::Sum),
            _ => {
                Err(bad_argument(op, format!("{name:?} is not a valid value for reduction ('none', 'mean' or 'sum')")))
            }
        }
    }

    /// [`Reduction::parse`] plus `'batchmean'`, which `kl_div` also takes.
    pub fn parse_kl(name: &str) -> Result<Reduction> {
        match name {
            "batchmean" => Ok(Reduction::BatchMean),
            "none" | "mean" | "sum" => Reduction::parse("kl_div", name),
            _ => Err(bad_argument(
                "kl_div",
                format!("{name:?} is not a valid value for reduction ('none', 'batchmean', 'sum' or 'mean')"),
            )),
        }
    }

    /// `loss` reduced (per-element losses with no weights to normalise by).
    fn apply(self, loss: Tensor) -> Result<Tensor> {
        match self {
            Reduction::None => Ok(loss),
            Reduction::Mean => loss.mean(None, false),
            Reduction::Sum => loss.sum(None, false),
            Reduction::BatchMean => {
                let batch = loss.dims().first().copied().unwrap_or(1);
                loss.sum(None, false)?.binary_scalar(BinaryOp::Div, batch as f64)
            }
        }
    }
}

/// The options of [`Tensor::cross_entropy_loss`] and [`Tensor::nll_loss`] (PyTorch's
/// defaults: no weights, `ignore_index = -100`, mean, no smoothing).
#[derive(Clone, Debug)]
pub struct ClassLossOptions {
    /// A weight per class (`[classes]`, the input's dtype).
    pub weight: Option<Tensor>,
    /// A class-index target equal to this contributes nothing (nor to the mean's divisor).
    pub ignore_index: i64,
    /// How the per-element losses are reduced.
    pub reduction: Reduction,
    /// Mixes the target with the uniform distribution (`cross_entropy` only; in `[0, 1]`).
    pub label_smoothing: f64,
}

impl Default for ClassLossOptions {
    fn default() -> Self {
        ClassLossOptions { weight: None, ignore_index: -100, reduction: Reduction::Mean, label_smoothing: 0.0 }
    }
}

/// A checked class-index target: its one-hot mask over the input's class dim, which of its
/// entries count, and how many.
struct ClassTarget {
    /// `target == classes` broadcast to the input's shape (bool, lazily fused).
    onehot: Tensor,
    /// `target != ignore_index` when some entry is ignored (`None`: all count).
    valid: Option<Tensor>,
    /// How many entries count.
    counted: usize,
}

impl ClassTarget {
    /// Checks `target` (evaluated, integer, the input's shape without the class dim `cdim`)
    /// and builds its mask.
    fn new(op: &'static str, input: &Tensor, target: &Tensor, cdim: usize, ignore_index: i64) -> Result<ClassTarget> {
        let mut expected = input.dims().to_vec();
        let classes = expected.remove(cdim);
        if target.dims() != expected.as_slice() {
            return Err(bad_argument(op, target_shape_error(input.shape(), target.dims(), &expected)));
        }
        let values = class_values(op, target)?;
        check_class_indices(op, input, values.iter().copied(), ignore_index)?;
        let ignored = values.iter().filter(|&&t| t == i128::from(ignore_index)).count();
        // The indices and classes are compared in the input's float dtype (exact below 2^24
        // classes in float32), from a float copy of the values read for the check: an int
        // operand would cost its own kernel, as `tril`'s index vectors would.
        let dtype = if classes < 1 << 24 { input.dtype() } else { DType::F64 };
        let mut col = vec![1usize; input.ndim() - cdim];
        col[0] = classes;
        let mut tshape = target.dims().to_vec();
        tshape.insert(cdim, 1);
        let (t, classes_col) = with_element!(dtype, T => (
            Tensor::from_vec(values.iter().map(|&v| T::from_f64(v as f64)).collect::<Vec<T>>(), tshape)?,
            Tensor::from_vec((0..classes).map(|c| T::from_f64(c as f64)).collect::<Vec<T>>(), col)?,
        ));
        let onehot = t.eq_elem(&classes_col)?;
        let valid = match ignored {
            0 => None,
            _ => Some(t.binary_scalar(BinaryOp::Ne, ignore_index as f64)?.squeeze(Some(cdim as isize))?),
        };
        Ok(ClassTarget { onehot, valid, counted: values.len() - ignored })
    }

    /// `x` where the entry counts, 0 where it is ignored.
    fn keep_valid(&self, x: Tensor) -> Result<Tensor> {
        match &self.valid {
            Some(v) => v.where_cond(&x, &zero(x.dtype())),
            None => Ok(x),
        }
    }

    /// `loss` reduced: the mean divides by the counted weights (`wy`) or entries, as PyTorch.
    fn reduce(&self, loss: Tensor, wy: Option<&Tensor>, reduction: Reduction) -> Result<Tensor> {
        match (reduction, wy) {
            (Reduction::Mean, Some(wy)) => loss.sum(None, false)?.binary(BinaryOp::Div, &wy.sum(None, false)?),
            (Reduction::Mean, None) if self.valid.is_some() => {
                loss.sum(None, false)?.binary_scalar(BinaryOp::Div, self.counted as f64)
            }
            _ => reduction.apply(loss),
        }
    }
}

/// What is wrong with a class-index target of shape `got` for `input` (which needs `expected`).
fn target_shape_error(input: &crate::Shape, got: &[usize], expected: &[usize]) -> String {
    match (input.ndim(), got.len()) {
        (1, _) => {
            format!("an unbatched input {input} (logits [n, classes] without n) needs a 0-d target, got shape {got:?}")
        }
        (2, 1) => format!("{} targets for {} rows of input {input}", got[0], expected[0]),
        (2, _) => format!("target must be 1-D (one class index per row of input {input}), got shape {got:?}"),
        _ => format!("target shape {got:?} does not match input shape {input} without its class dim, {expected:?}"),
    }
}

/// The values of an evaluated integer class-index `target`; `i128` holds every int64 and uint64.
fn class_values(op: &'static str, target: &Tensor) -> Result<Vec<i128>> {
    if !target.dtype().is_int() {
        return Err(Error::BadType {
            op,
            reason: format!("target must hold integer class indices, got dtype {}", target.dtype()),
        });
    }
    let buffer = target
        .buffer()
        .filter(|b| b.len() == target.numel())
        .ok_or_else(|| bad_argument(op, "a class-index target must be evaluated (its values are range-checked)"))?;
    Ok(match buffer.dtype() {
        DType::U64 => buffer.as_slice::<u64>()?.iter().map(|&v| i128::from(v)).collect(),
        d => with_element!(d, T => buffer.as_slice::<T>()?.iter().map(|&v| i128::from(v.to_i64())).collect()),
    })
}

/// Checks class indices for the `input` of the class loss `op`: each must be in
/// `0..classes` or equal `ignore_index`; the first that is not is an [`Error::ClassIndex`]
/// naming its (flat) position and value.
pub fn check_class_indices(
    op: &'static str,
    input: &Tensor,
    targets: impl Iterator<Item = i128>,
    ignore_index: i64,
) -> Result<()> {
    let classes = match input.ndim() {
        0 => return Ok(()), // the loss itself reports the missing class dim
        1 => input.dims()[0],
        _ => input.dims()[1],
    };
    let limit = classes as i128;
    let bad = targets.enumerate().find(|&(_, t)| (t < 0 || t >= limit) && t != i128::from(ignore_index));
    match bad {
        Some((position, target)) => {
            Err(Error::ClassIndex { op, position, target, shape: input.shape().clone(), classes })
        }
        None => Ok(()),
    }
}

/// A zero of `dtype` as an operand.
fn zero(dtype: DType) -> Tensor {
    Tensor::operand_scalar(Scalar::new(0.0), dtype)
}

impl Tensor {
    /// The class dim of a class loss's input: 1, or 0 for an unbatched `[classes]` input.
    fn class_dim(&self, op: &'static str) -> Result<usize> {
        self.float_only(op)?;
        match self.ndim() {
            0 => Err(bad_argument(op, "input must have a class dim, got a 0-d tensor")),
            1 => Ok(0),
            _ => Ok(1),
        }
    }

    /// The class weights of `op`, checked (`[classes]`, the input's dtype) and shaped to
    /// broadcast along the input's class dim.
    fn class_weight(&self, op: &'static str, weight: Option<&Tensor>, cdim: usize) -> Result<Option<Tensor>> {
        let Some(w) = weight else { return Ok(None) };
        let classes = self.dims()[cdim];
        if w.dims() != [classes] {
            return Err(bad_argument(
                op,
                format!("weight must have shape [{classes}] (one per class), got {}", w.shape()),
            ));
        }
        if w.dtype() != self.dtype() {
            return Err(Error::DTypeMismatch { op, lhs: self.dtype(), rhs: w.dtype() });
        }
        let mut shape = vec![1isize; self.ndim() - cdim];
        shape[0] = classes as isize;
        w.reshape(&shape).map(Some)
    }

    /// PyTorch's `cross_entropy(input, target, weight, ignore_index, reduction,
    /// label_smoothing)`: `input` holds logits with the classes along dim 1 (`[n, classes]`,
    /// `[n, classes, d1, ...]`, or unbatched `[classes]`). An integer `target` holds class
    /// indices (the input's shape without the class dim; evaluated, as its values are checked:
    /// one outside `0..classes` other than `ignore_index` is an [`Error::ClassIndex`]); a float
    /// `target` of the input's shape holds class probabilities. Plain cross-entropy with class
    /// indices is two fused kernels: the target's one-hot is `arange(classes) == target`.
    pub fn cross_entropy_loss(&self, target: &Tensor, opts: &ClassLossOptions) -> Result<Tensor> {
        scoped("cross_entropy", || {
            const OP: &str = "cross_entropy";
            let cdim = self.class_dim(OP)?;
            let eps = opts.label_smoothing;
            if !(0.0..=1.0).contains(&eps) {
                return Err(bad_argument(OP, format!("label_smoothing must be between 0.0 and 1.0, got {eps}")));
            }
            let weight = self.class_weight(OP, opts.weight.as_ref(), cdim)?;
            if target.dtype().is_float() && target.dims() == self.dims() {
                return self.cross_entropy_probs(target, weight.as_ref(), cdim, opts.reduction, eps);
            }
            if target.dtype().is_float() || target.dtype() == DType::Bool {
                return Err(Error::BadType {
                    op: OP,
                    reason: format!(
                        "target must hold integer class indices (or class probabilities of the input's shape {}), \
                         got {} of shape {}",
                        self.shape(),
                        target.dtype(),
                        target.shape()
                    ),
                });
            }
            let t = ClassTarget::new(OP, self, target, cdim, opts.ignore_index)?;
            let d = cdim as isize;
            let xm = self.binary(BinaryOp::Sub, &stability_shift(self, d, true)?)?;
            let lse =
                xm.exp()?.sum(Some(&[d]), false)?.log()?.binary(BinaryOp::Add, &stability_shift(self, d, false)?)?;
            // `where`, not `x * onehot`: `-inf * 0` would be NaN for a masked-out logit.
            let picked = t.onehot.where_cond(self, &zero(self.dtype()))?.sum(Some(&[d]), false)?;
            let mut nll = lse.binary(BinaryOp::Sub, &picked)?;
            let wy = match &weight {
                Some(w) => Some(t.keep_valid(t.onehot.where_cond(w, &zero(w.dtype()))?.sum(Some(&[d]), false)?)?),
                None => None,
            };
            if let Some(wy) = &wy {
                nll = nll.binary(BinaryOp::Mul, wy)?;
            }
            let nll = t.reduce(t.keep_valid(nll)?, wy.as_ref(), opts.reduction)?;
            if eps == 0.0 {
                return Ok(nll);
            }
            let classes = self.dims()[cdim];
            let logp = xm.binary(BinaryOp::Sub, &xm.exp()?.sum(Some(&[d]), true)?.log()?)?;
            let logp = match &weight {
                Some(w) => logp.binary(BinaryOp::Mul, w)?,
                None => logp,
            };
            let smooth = t.keep_valid(logp.sum(Some(&[d]), false)?.neg()?)?;
            let smooth = t.reduce(smooth, wy.as_ref(), opts.reduction)?;
            nll.binary_scalar(BinaryOp::Mul, 1.0 - eps)?
                .binary(BinaryOp::Add, &smooth.binary_scalar(BinaryOp::Mul, eps / classes as f64)?)
        })
    }

    /// Cross-entropy against class probabilities `target` (the input's shape), as PyTorch:
    /// `-sum(weight * log_softmax(x) * target)` over the classes, the mean over the rest.
    fn cross_entropy_probs(
        &self,
        target: &Tensor,
        weight: Option<&Tensor>,
        cdim: usize,
        reduction: Reduction,
        eps: f64,
    ) -> Result<Tensor> {
        let d = cdim as isize;
        let classes = self.dims()[cdim];
        let xm = self.binary(BinaryOp::Sub, &stability_shift(self, d, true)?)?;
        let mut logp = xm.binary(BinaryOp::Sub, &xm.exp()?.sum(Some(&[d]), true)?.log()?)?;
        let target = match eps {
            0.0 => target.clone(),
            _ => target.binary_scalar(BinaryOp::Mul, 1.0 - eps)?.binary_scalar(BinaryOp::Add, eps / classes as f64)?,
        };
        if let Some(w) = weight {
            logp = logp.binary(BinaryOp::Mul, w)?;
        }
        let per = logp.binary(BinaryOp::Mul, &target)?.sum(Some(&[d]), false)?.neg()?;
        reduction.apply(per)
    }

    /// PyTorch's `nll_loss(input, target, weight, ignore_index, reduction)`: `input` holds
    /// log-probabilities with the classes along dim 1 (or unbatched `[classes]`), `target`
    /// class indices as for [`Tensor::cross_entropy_loss`]; each entry's loss is
    /// `-weight[t] * input[.., t, ..]`, the mean divides by the sum of the counted weights.
    /// `opts.label_smoothing` must be 0.
    pub fn nll_loss(&self, target: &Tensor, opts: &ClassLossOptions) -> Result<Tensor> {
        scoped("nll_loss", || {
            const OP: &str = "nll_loss";
            let cdim = self.class_dim(OP)?;
            if opts.label_smoothing != 0.0 {
                return Err(bad_argument(OP, "takes no label_smoothing"));
            }
            let weight = self.class_weight(OP, opts.weight.as_ref(), cdim)?;
            let t = ClassTarget::new(OP, self, target, cdim, opts.ignore_index)?;
            let d = [cdim as isize];
            let picked = t.onehot.where_cond(self, &zero(self.dtype()))?.sum(Some(&d), false)?;
            let wy = match &weight {
                Some(w) => Some(t.keep_valid(t.onehot.where_cond(w, &zero(w.dtype()))?.sum(Some(&d), false)?)?),
                None => None,
            };
            let mut nll = picked.neg()?;
            if let Some(wy) = &wy {
                nll = nll.binary(BinaryOp::Mul, wy)?;
            }
            t.reduce(t.keep_valid(nll)?, wy.as_ref(), opts.reduction)
        })
    }

    /// Mean cross-entropy of `self` (logits `[n, classes]`) against class indices `targets`
    /// (`n` of them), no index ignored: an index outside `0..classes` is an
    /// [`Error::IndexOutOfRange`]. See [`Tensor::cross_entropy_loss`] for all of PyTorch's options.
    pub fn cross_entropy(&self, targets: &[usize]) -> Result<Tensor> {
        let classes = self.dims().get(1).copied().unwrap_or(usize::MAX);
        if let Some(&t) = targets.iter().find(|&&t| t >= classes) {
            return Err(Error::IndexOutOfRange { op: "cross_entropy", index: t as isize, dim: 1, size: classes });
        }
        let indices: Vec<i128> = targets.iter().map(|&t| t as i128).collect();
        self.cross_entropy_indices(&indices)
    }

    /// Mean cross-entropy of `self` (logits `[n, classes]`) against class indices of any
    /// integer type as the caller gave them (`i128` holds every `i64` and `u64`), no index
    /// ignored: one outside `0..classes`, negative ones included, is an [`Error::ClassIndex`]
    /// naming its position and value.
    pub fn cross_entropy_indices(&self, targets: &[i128]) -> Result<Tensor> {
        // Indices first, negative ones whatever the logits' shape; then the number of rows.
        if self.ndim() == 2 {
            check_class_indices("cross_entropy", self, targets.iter().copied(), i64::MIN)?;
        } else if let Some((position, &target)) = targets.iter().enumerate().find(|(_, &t)| t < 0) {
            let shape = self.shape().clone();
            return Err(Error::ClassIndex { op: "cross_entropy", position, target, shape, classes: 0 });
        }
        if self.ndim() != 2 {
            return Err(bad_argument("cross_entropy", format!("needs logits [n, classes], got {}", self.shape())));
        }
        if targets.len() != self.dims()[0] {
            let n = self.dims()[0];
            return Err(bad_argument("cross_entropy", format!("{} targets for {n} rows of logits", targets.len())));
        }
        let target = Tensor::from_vec(targets.iter().map(|&t| t as i64).collect::<Vec<_>>(), [targets.len()])?;
        let opts = ClassLossOptions { ignore_index: i64::MIN, ..ClassLossOptions::default() };
        self.cross_entropy_loss(&target, &opts)
    }

    /// `(self - target)` for the elementwise loss `op`: float inputs, shapes that broadcast.
    fn loss_diff(&self, op: &'static str, target: &Tensor) -> Result<Tensor> {
        self.float_only(op)?;
        target.float_only(op)?;
        self.binary(BinaryOp::Sub, target)
    }

    /// Mean squared error `mean((self - target)^2)` (broadcasting).
    pub fn mse_loss(&self, target: &Tensor) -> Result<Tensor> {
        self.mse_loss_with(target, Reduction::Mean)
    }

    /// PyTorch's `mse_loss(input, target, reduction)`: `(input - target)^2`, reduced.
    pub fn mse_loss_with(&self, target: &Tensor, reduction: Reduction) -> Result<Tensor> {
        scoped("mse_loss", || reduction.apply(self.loss_diff("mse_loss", target)?.square()?))
    }

    /// PyTorch's `l1_loss(input, target, reduction)`: `|input - target|`, reduced.
    pub fn l1_loss(&self, target: &Tensor, reduction: Reduction) -> Result<Tensor> {
        scoped("l1_loss", || reduction.apply(self.loss_diff("l1_loss", target)?.abs()?))
    }

    /// PyTorch's `smooth_l1_loss(input, target, reduction, beta)`: with `d = |input - target|`,
    /// `0.5 d^2 / beta` where `d < beta`, else `d - 0.5 beta` (`beta = 0`: the L1 loss).
    pub fn smooth_l1_loss(&self, target: &Tensor, reduction: Reduction, beta: f64) -> Result<Tensor> {
        scoped("smooth_l1_loss", || {
            if beta.is_nan() || beta < 0.0 {
                return Err(bad_argument("smooth_l1_loss", format!("beta must be non-negative, got {beta}")));
            }
            let d = self.loss_diff("smooth_l1_loss", target)?.abs()?;
            if beta == 0.0 {
                return reduction.apply(d);
            }
            let quad = d.square()?.binary_scalar(BinaryOp::Mul, 0.5 / beta)?;
            let lin = d.binary_scalar(BinaryOp::Sub, 0.5 * beta)?;
            reduction.apply(d.binary_scalar(BinaryOp::Lt, beta)?.where_cond(&quad, &lin)?)
        })
    }

    /// PyTorch's `huber_loss(input, target, reduction, delta)`: with `d = |input - target|`,
    /// `0.5 d^2` where `d < delta`, else `delta (d - 0.5 delta)`; `delta > 0`.
    pub fn huber_loss(&self, target: &Tensor, reduction: Reduction, delta: f64) -> Result<Tensor> {
        scoped("huber_loss", || {
            if delta.is_nan() || delta <= 0.0 {
                return Err(bad_argument("huber_loss", format!("delta must be positive, got {delta}")));
            }
            let d = self.loss_diff("huber_loss", target)?.abs()?;
            let quad = d.square()?.binary_scalar(BinaryOp::Mul, 0.5)?;
            let lin = d.binary_scalar(BinaryOp::Sub, 0.5 * delta)?.binary_scalar(BinaryOp::Mul, delta)?;
            reduction.apply(d.binary_scalar(BinaryOp::Lt, delta)?.where_cond(&quad, &lin)?)
        })
    }

    /// The target of the binary loss `op`: a float tensor of exactly the input's shape.
    fn same_shape_target(&self, op: &'static str, target: &Tensor) -> Result<()> {
        self.float_only(op)?;
        target.float_only(op)?;
        if target.dims() != self.dims() {
            return Err(bad_argument(
                op,
                format!("target shape {} must be the same as input shape {}", target.shape(), self.shape()),
            ));
        }
        Ok(())
    }

    /// PyTorch's `binary_cross_entropy(input, target, weight, reduction)` of probabilities
    /// `input`: `-weight (target log(x) + (1 - target) log(1 - x))`, each log clamped at -100
    /// (so probabilities 0 and 1 give finite losses). `target` has the input's shape, `weight`
    /// broadcasts to it. Inputs outside `[0, 1]` give NaN (PyTorch raises; checking would
    /// need their values).
    pub fn binary_cross_entropy(
        &self,
        target: &Tensor,
        weight: Option<&Tensor>,
        reduction: Reduction,
    ) -> Result<Tensor> {
        scoped("binary_cross_entropy", || {
            self.same_shape_target("binary_cross_entropy", target)?;
            let log_x = self.log()?.clamp(Some(-100.0), None)?;
            let log_1mx = self.neg()?.log1p()?.clamp(Some(-100.0), None)?;
            // `(t - 1) log(1 - x) - t log(x)`, PyTorch's form.
            let a = target.binary_scalar(BinaryOp::Sub, 1.0)?.binary(BinaryOp::Mul, &log_1mx)?;
            let mut loss = a.binary(BinaryOp::Sub, &target.binary(BinaryOp::Mul, &log_x)?)?;
            if let Some(w) = weight {
                loss = loss.binary(BinaryOp::Mul, w)?;
            }
            reduction.apply(loss)
        })
    }

    /// PyTorch's `binary_cross_entropy_with_logits(input, target, weight, reduction,
    /// pos_weight)`: `-weight (pos_weight target log σ(x) + (1 - target) log(1 - σ(x)))`,
    /// computed as `(1 - t) x - (1 + (pos_weight - 1) t) log σ(x)` so it never overflows.
    pub fn binary_cross_entropy_with_logits(
        &self,
        target: &Tensor,
        weight: Option<&Tensor>,
        pos_weight: Option<&Tensor>,
        reduction: Reduction,
    ) -> Result<Tensor> {
        scoped("binary_cross_entropy_with_logits", || {
            self.same_shape_target("binary_cross_entropy_with_logits", target)?;
            let one_minus_t = target.rbinary_scalar(BinaryOp::Sub, 1.0)?;
            let log_sig = self.logsigmoid()?;
            let log_sig = match pos_weight {
                Some(pw) => {
                    let lw = pw.binary_scalar(BinaryOp::Sub, 1.0)?.binary(BinaryOp::Mul, target)?;
                    log_sig.binary(BinaryOp::Mul, &lw.binary_scalar(BinaryOp::Add, 1.0)?)?
                }
                None => log_sig,
            };
            let mut loss = one_minus_t.binary(BinaryOp::Mul, self)?.binary(BinaryOp::Sub, &log_sig)?;
            if let Some(w) = weight {
                loss = loss.binary(BinaryOp::Mul, w)?;
            }
            reduction.apply(loss)
        })
    }

    /// PyTorch's `kl_div(input, target, reduction, log_target)` of log-probabilities `input`:
    /// `target (log(target) - input)` (0 where `target` is 0), or with `log_target`
    /// `exp(target) (target - input)`; `'batchmean'` divides the sum by the batch size.
    pub fn kl_div(&self, target: &Tensor, reduction: Reduction, log_target: bool) -> Result<Tensor> {
        scoped("kl_div", || {
            self.float_only("kl_div")?;
            target.float_only("kl_div")?;
            let loss = if log_target {
                target.exp()?.binary(BinaryOp::Mul, &target.binary(BinaryOp::Sub, self)?)?
            } else {
                target.xlogy(target)?.binary(BinaryOp::Sub, &target.binary(BinaryOp::Mul, self)?)?
            };
            reduction.apply(loss)
        })
    }
}
