//! The loss functions of `torch.nn.functional` (`cross_entropy`, `nll_loss`, `mse_loss`...):
//! arguments converted here, the losses built by rusttorch-ir (`tensor/losses.rs`).

use crate::args::TensorArg;
use crate::errors::guard;
use crate::numpy::class_indices;
use crate::tensor::{build, eval_all, PyTensor};
use pyo3::prelude::*;
use rusttorch_ir::{check_class_indices, ClassLossOptions, Reduction, Tensor};

/// The reduction a loss `op` is called with: PyTorch's legacy `size_average`/`reduce` (either
/// given wins, each `True` by default) or the `reduction` string.
fn reduction_of(
    op: &'static str,
    size_average: Option<bool>,
    reduce: Option<bool>,
    reduction: &str,
) -> PyResult<Reduction> {
    if size_average.is_none() && reduce.is_none() {
        return guard(|| Reduction::parse(op, reduction));
    }
    Ok(match (reduce.unwrap_or(true), size_average.unwrap_or(true)) {
        (false, _) => Reduction::None,
        (true, true) => Reduction::Mean,
        (true, false) => Reduction::Sum,
    })
}

/// The target of the class loss `op` on `input`: a tensor as it is (an integer one evaluated,
/// as its values are checked), or an array or list: integers become an int64 tensor once
/// checked as given (so a uint64 beyond int64 is reported as given), anything else a tensor.
fn class_target(
    py: Python<'_>,
    op: &'static str,
    input: &Tensor,
    obj: &Bound<'_, PyAny>,
    ignore_index: i64,
) -> PyResult<Tensor> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        let t = t.get().tensor();
        if t.dtype().is_int() {
            eval_all(py, std::slice::from_ref(&t), true)?;
        }
        return Ok(t);
    }
    match class_indices(obj, input.dims())? {
        Some((values, shape)) => guard(|| {
            check_class_indices(op, input, values.iter().copied(), ignore_index)?;
            Tensor::from_vec(values.iter().map(|&v| v as i64).collect::<Vec<_>>(), shape)
        }),
        None => TensorArg::of(op, "target", obj),
    }
}

/// PyTorch's ``cross_entropy``: ``input`` holds logits with the classes along dim 1
/// (``[N, C]``, ``[N, C, d1, ...]`` or unbatched ``[C]``); ``target`` holds class indices (the
/// input's shape without the class dim; integers) or class probabilities (floats of the
/// input's shape). ``weight`` scales each class, entries equal to ``ignore_index`` count for
/// nothing, ``label_smoothing`` mixes the target with the uniform distribution.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (input, target, weight = None, size_average = None, ignore_index = -100, reduce = None, reduction = "mean", label_smoothing = 0.0))]
pub fn cross_entropy(
    py: Python<'_>,
    input: TensorArg,
    target: &Bound<'_, PyAny>,
    weight: Option<TensorArg>,
    size_average: Option<bool>,
    ignore_index: i64,
    reduce: Option<bool>,
    reduction: &str,
    label_smoothing: f64,
) -> PyResult<PyTensor> {
    let reduction = reduction_of("cross_entropy", size_average, reduce, reduction)?;
    let target = class_target(py, "cross_entropy", &input.0, target, ignore_index)?;
    let opts = ClassLossOptions { weight: weight.map(|w| w.0), ignore_index, reduction, label_smoothing };
    build(|| input.0.cross_entropy_loss(&target, &opts))
}

/// PyTorch's ``nll_loss``: ``-weight[t] * input[..., t, ...]`` for each class index ``t`` of
/// ``target``, ``input`` holding log-probabilities with the classes along dim 1.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (input, target, weight = None, size_average = None, ignore_index = -100, reduce = None, reduction = "mean"))]
pub fn nll_loss(
    py: Python<'_>,
    input: TensorArg,
    target: &Bound<'_, PyAny>,
    weight: Option<TensorArg>,
    size_average: Option<bool>,
    ignore_index: i64,
    reduce: Option<bool>,
    reduction: &str,
) -> PyResult<PyTensor> {
    let reduction = reduction_of("nll_loss", size_average, reduce, reduction)?;
    let target = class_target(py, "nll_loss", &input.0, target, ignore_index)?;
    let opts = ClassLossOptions { weight: weight.map(|w| w.0), ignore_index, reduction, label_smoothing: 0.0 };
    build(|| input.0.nll_loss(&target, &opts))
}

/// Mean squared error ``(input - target)**2``, reduced (``target`` broadcasts).
#[pyfunction]
#[pyo3(signature = (input, target, size_average = None, reduce = None, reduction = "mean"))]
pub fn mse_loss(
    input: TensorArg,
    target: TensorArg,
    size_average: Option<bool>,
    reduce: Option<bool>,
    reduction: &str,
) -> PyResult<PyTensor> {
    let reduction = reduction_of("mse_loss", size_average, reduce, reduction)?;
    build(|| input.0.mse_loss_with(&target.0, reduction))
}

/// Mean absolute error ``|input - target|``, reduced (``target`` broadcasts).
#[pyfunction]
#[pyo3(signature = (input, target, size_average = None, reduce = None, reduction = "mean"))]
pub fn l1_loss(
    input: TensorArg,
    target: TensorArg,
    size_average: Option<bool>,
    reduce: Option<bool>,
    reduction: &str,
) -> PyResult<PyTensor> {
    let reduction = reduction_of("l1_loss", size_average, reduce, reduction)?;
    build(|| input.0.l1_loss(&target.0, reduction))
}

/// Smooth L1: ``0.5 d**2 / beta`` where ``d = |input - target| < beta``, else ``d - 0.5 beta``.
#[pyfunction]
#[pyo3(signature = (input, target, size_average = None, reduce = None, reduction = "mean", beta = 1.0))]
pub fn smooth_l1_loss(
    input: TensorArg,
    target: TensorArg,
    size_average: Option<bool>,
    reduce: Option<bool>,
    reduction: &str,
    beta: f64,
) -> PyResult<PyTensor> {
    let reduction = reduction_of("smooth_l1_loss", size_average, reduce, reduction)?;
    build(|| input.0.smooth_l1_loss(&target.0, reduction, beta))
}

/// Huber: ``0.5 d**2`` where ``d = |input - target| < delta``, else ``delta (d - 0.5 delta)``.
#[pyfunction]
#[pyo3(signature = (input, target, reduction = "mean", delta = 1.0))]
pub fn huber_loss(input: TensorArg, target: TensorArg, reduction: &str, delta: f64) -> PyResult<PyTensor> {
    let reduction = reduction_of("huber_loss", None, None, reduction)?;
    build(|| input.0.huber_loss(&target.0, reduction, delta))
}

/// Binary cross-entropy of probabilities ``input`` against ``target`` (same shape), each log
/// clamped at -100 as PyTorch's; ``weight`` broadcasts.
#[pyfunction]
#[pyo3(signature = (input, target, weight = None, size_average = None, reduce = None, reduction = "mean"))]
pub fn binary_cross_entropy(
    input: TensorArg,
    target: TensorArg,
    weight: Option<TensorArg>,
    size_average: Option<bool>,
    reduce: Option<bool>,
    reduction: &str,
) -> PyResult<PyTensor> {
    let reduction = reduction_of("binary_cross_entropy", size_average, reduce, reduction)?;
    build(|| input.0.binary_cross_entropy(&target.0, weight.as_ref().map(|w| &w.0), reduction))
}

/// Binary cross-entropy of logits ``input`` (a stable form that never overflows);
/// ``pos_weight`` scales the positive term (broadcast along the last dim), ``weight`` all.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (input, target, weight = None, size_average = None, reduce = None, reduction = "mean", pos_weight = None))]
pub fn binary_cross_entropy_with_logits(
    input: TensorArg,
    target: TensorArg,
    weight: Option<TensorArg>,
    size_average: Option<bool>,
    reduce: Option<bool>,
    reduction: &str,
    pos_weight: Option<TensorArg>,
) -> PyResult<PyTensor> {
    let reduction = reduction_of("binary_cross_entropy_with_logits", size_average, reduce, reduction)?;
    let (w, pw) = (weight.as_ref().map(|w| &w.0), pos_weight.as_ref().map(|w| &w.0));
    build(|| input.0.binary_cross_entropy_with_logits(&target.0, w, pw, reduction))
}

/// Kullback-Leibler divergence of log-probabilities ``input`` from ``target`` (probabilities,
/// or log-probabilities with ``log_target``); ``'batchmean'`` divides the sum by the batch size.
#[pyfunction]
#[pyo3(signature = (input, target, size_average = None, reduce = None, reduction = "mean", log_target = false))]
pub fn kl_div(
    input: TensorArg,
    target: TensorArg,
    size_average: Option<bool>,
    reduce: Option<bool>,
    reduction: &str,
    log_target: bool,
) -> PyResult<PyTensor> {
    let reduction = match (size_average, reduce) {
        (None, None) => guard(|| Reduction::parse_kl(reduction))?,
        _ => reduction_of("kl_div", size_average, reduce, reduction)?,
    };
    build(|| input.0.kl_div(&target.0, reduction, log_target))
}

/// Registers the losses on the extension module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(cross_entropy, m)?)?;
    m.add_function(wrap_pyfunction!(nll_loss, m)?)?;
    m.add_function(wrap_pyfunction!(mse_loss, m)?)?;
    m.add_function(wrap_pyfunction!(l1_loss, m)?)?;
    m.add_function(wrap_pyfunction!(smooth_l1_loss, m)?)?;
    m.add_function(wrap_pyfunction!(huber_loss, m)?)?;
    m.add_function(wrap_pyfunction!(binary_cross_entropy, m)?)?;
    m.add_function(wrap_pyfunction!(binary_cross_entropy_with_logits, m)?)?;
    m.add_function(wrap_pyfunction!(kl_div, m)?)
}
