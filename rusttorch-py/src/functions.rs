//! Module-level functions: creation, evaluation of several tensors, threads, and the functional
//! form of every tensor method (`rusttorch.exp(t)`).

use crate::args::{dims, gelu_approx, number_arg, size_args, u64_arg, DimArg, IntSeq, ShapeArg, TensorArg, TensorSeq};
use crate::dtype::{float_dtype, opt_dtype};
use crate::errors::{guard, type_err, value_err};
use crate::numpy;
use crate::random::call_seed;
use crate::tensor::{build, clamp_op, eval_all, extremum, where_op, PyTensor};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use rusttorch_exec::{Engine, JitMode};
use rusttorch_ir::{scoped, BinaryOp, DType, ReduceOp, Result, Scalar, ScalarKind, Tensor};

// ---------------------------------------------------------------------- creation

/// A tensor holding a copy of ``data`` (a NumPy array, nested lists, a scalar or a tensor).
/// Without ``dtype``, NumPy input keeps its dtype; Python floats become float32, ints int64
/// and bools bool (as PyTorch).
#[pyfunction]
#[pyo3(signature = (data, dtype = None))]
pub fn tensor(data: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
    numpy::tensor_from_data(data, opt_dtype(dtype)?).map(PyTensor::from)
}

/// A tensor sharing the memory of a C-contiguous float32/float64/int32/int64/bool array (no
/// copy; the array is kept alive, and writing to it changes the tensor). Other layouts and
/// other real dtypes are copied.
#[pyfunction]
pub fn from_numpy(a: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
    numpy::from_numpy(a).map(PyTensor::from)
}

/// A tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``.
#[pyfunction]
#[pyo3(signature = (*size, dtype = None))]
pub fn zeros(size: &Bound<'_, PyTuple>, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
    let (shape, d) = (size_args("zeros", size)?, opt_dtype(dtype)?.unwrap_or(DType::F32));
    build(|| Tensor::zeros(shape, d))
}

/// A tensor of ones: ``ones(2, 3)`` or ``ones((2, 3))``.
#[pyfunction]
#[pyo3(signature = (*size, dtype = None))]
pub fn ones(size: &Bound<'_, PyTuple>, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
    let (shape, d) = (size_args("ones", size)?, opt_dtype(dtype)?.unwrap_or(DType::F32));
    build(|| Tensor::ones(shape, d))
}

/// A tensor whose values are not to be relied on: ``empty(2, 3)`` or ``empty((2, 3))``.
/// (Zeros here: a constant costs nothing until it is read.)
#[pyfunction]
#[pyo3(signature = (*size, dtype = None))]
pub fn empty(size: &Bound<'_, PyTuple>, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
    let (shape, d) = (size_args("empty", size)?, opt_dtype(dtype)?.unwrap_or(DType::F32));
    build(|| Tensor::zeros(shape, d))
}

/// The dtype PyTorch infers from a number of `kind`: bool, int64 or float32.
fn dtype_of_number(kind: ScalarKind) -> DType {
    match kind {
        ScalarKind::Bool => DType::Bool,
        ScalarKind::Int => DType::I64,
        ScalarKind::Float => DType::F32,
    }
}

/// A tensor with every element equal to ``fill_value``; without ``dtype``, a bool gives bool,
/// an int int64 and a float float32 (as PyTorch). An int is exact (outside int64 it is an
/// ``OverflowError``); a value is converted to ``dtype`` by the cast rule of ``.to()``.
#[pyfunction]
#[pyo3(signature = (shape, fill_value, dtype = None))]
pub fn full(shape: ShapeArg, fill_value: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
    let (v, kind) = number_arg(fill_value, "full")?;
    let d = opt_dtype(dtype)?.unwrap_or_else(|| dtype_of_number(kind));
    build(|| Tensor::full(shape.0, v, d))
}

/// ``start, start + step, ...`` up to but excluding ``stop``; ``arange(n)`` counts from 0.
/// Without ``dtype``, all-int arguments give int64, otherwise float32 (as PyTorch). All-int
/// arguments are computed exactly in int64 (an int outside int64 is an ``OverflowError``);
/// with a float among them the length is ``ceil((stop - start) / step)`` in float64.
#[pyfunction]
#[pyo3(signature = (start, stop = None, step = None, dtype = None))]
pub fn arange(
    start: &Bound<'_, PyAny>,
    stop: Option<&Bound<'_, PyAny>>,
    step: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    let num = |a: Option<&Bound<'_, PyAny>>| a.map(|a| number_arg(a, "arange")).transpose();
    let (start, stop) = (number_arg(start, "arange")?, num(stop)?);
    let step = num(step)?.unwrap_or((Scalar::int(1), ScalarKind::Int));
    let (start, stop) = match stop {
        Some(stop) => (start, stop),
        None => ((Scalar::int(0), ScalarKind::Int), start),
    };
    let all_int = [start, stop, step].iter().all(|(_, k)| *k != ScalarKind::Float);
    let d = opt_dtype(dtype)?.unwrap_or(if all_int { DType::I64 } else { DType::F32 });
    build(|| Tensor::arange(start.0, stop.0, step.0, d))
}

/// Uniform random numbers in ``[0, 1)``: ``rand(2, 3)`` or ``rand((2, 3))``. The numbers come
/// from ``seed=`` when given, else from ``generator=`` or the default generator (see
/// ``manual_seed``); the same seed gives the same numbers.
#[pyfunction]
#[pyo3(signature = (*size, generator = None, dtype = None, seed = None))]
pub fn rand(
    size: &Bound<'_, PyTuple>,
    generator: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    seed: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    random("rand", size, [generator, dtype, seed], Tensor::rand)
}

/// Standard normal random numbers: ``randn(2, 3)`` or ``randn((2, 3))``; ``seed=`` and
/// ``generator=`` as for ``rand``.
#[pyfunction]
#[pyo3(signature = (*size, generator = None, dtype = None, seed = None))]
pub fn randn(
    size: &Bound<'_, PyTuple>,
    generator: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    seed: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    random("randn", size, [generator, dtype, seed], Tensor::randn)
}

/// `rand`/`randn` (`op`, built by `make`) from their Python arguments.
fn random(
    op: &str,
    size: &Bound<'_, PyTuple>,
    [generator, dtype, seed]: [Option<&Bound<'_, PyAny>>; 3],
    make: fn(Vec<usize>, u64, DType) -> Result<Tensor>,
) -> PyResult<PyTensor> {
    let (shape, d) = (size_args(op, size)?, float_dtype(op, dtype)?);
    let seed = call_seed(op, seed, generator)?;
    build(|| make(shape, seed, d))
}

// ---------------------------------------------------------------------- evaluation

fn tensors_of(args: &Bound<'_, PyTuple>) -> PyResult<Vec<Tensor>> {
    args.iter()
        .map(|a| {
            a.cast::<PyTensor>()
                .map(|t| t.get().tensor())
                .map_err(|_| type_err(format!("expected rusttorch.Tensor arguments, got {}", a.get_type())))
        })
        .collect()
}

/// Evaluates several tensors in one plan, computing shared work once (``fuse=False``: the eager
/// op-by-op baseline). The GIL is released while it runs (kept for evaluations of a few
/// microseconds, as NumPy keeps it for small loops).
#[pyfunction]
#[pyo3(signature = (*tensors, fuse = true))]
pub fn eval(py: Python<'_>, tensors: &Bound<'_, PyTuple>, fuse: bool) -> PyResult<()> {
    eval_all(py, &tensors_of(tensors)?, fuse)
}

/// The optimized, fused plan that would evaluate these tensors together, as text; after each
/// kernel, which tier ran it last (the block VM or compiled code) and what the compiler did
/// with it.
#[pyfunction]
#[pyo3(signature = (*tensors))]
pub fn explain(py: Python<'_>, tensors: &Bound<'_, PyTuple>) -> PyResult<String> {
    crate::graph::explain(py, &tensors_of(tensors)?)
}

/// Sets the number of worker threads used for evaluation (a positive int).
#[pyfunction]
pub fn set_num_threads(n: &Bound<'_, PyAny>) -> PyResult<()> {
    let n = positive_int("set_num_threads", "the number of threads", n)?;
    guard(|| Engine::set_default_threads(n))
}

/// A positive int argument (`what` of `op`): a `ValueError` naming both otherwise.
fn positive_int(op: &str, what: &str, obj: &Bound<'_, PyAny>) -> PyResult<usize> {
    const EXPECTED: &str = "a positive int";
    match u64_arg(op, what, EXPECTED, obj)?.try_into() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(value_err(format!("{op}: {what} must be {EXPECTED}, got {obj}"))),
    }
}

/// The number of worker threads used for evaluation.
#[pyfunction]
pub fn get_num_threads() -> usize {
    Engine::default_engine().threads()
}

/// Sets when elementwise kernels are compiled, for the whole process: ``"off"`` (every kernel
/// on the block VM; compiled code already made stays cached), ``"background"`` (the default:
/// a new kernel runs on the VM while it compiles), ``"sync"`` (compiled before its first
/// run), or ``None`` (back to ``RUSTTORCH_JIT``'s setting).
#[pyfunction]
pub fn set_jit(mode: &Bound<'_, PyAny>) -> PyResult<()> {
    use rusttorch_exec::jit::{available, set_mode};
    let mode: Option<String> = match mode.is_none() {
        true => None,
        false => Some(mode.extract().map_err(|_| {
            type_err(format!("set_jit: mode must be a str or None, got {}", crate::errors::type_name(mode)))
        })?),
    };
    let m = match mode.as_deref() {
        None => None,
        Some("off") => Some(JitMode::Off),
        Some("background") => Some(JitMode::Background),
        Some("sync") => Some(JitMode::Sync),
        Some(other) => {
            return Err(value_err(format!("set_jit: mode must be 'off', 'background', 'sync' or None, got '{other}'")))
        }
    };
    if !available() && matches!(m, Some(JitMode::Background | JitMode::Sync)) {
        return Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
            "set_jit({:?}): this build of rusttorch has no kernel compiler (built without LLVM 14)",
            mode.unwrap_or_default()
        )));
    }
    set_mode(m);
    Ok(())
}

/// When kernels are compiled now: ``"off"``, ``"background"`` or ``"sync"`` (``"off"`` where
/// rusttorch was built without the compiler).
#[pyfunction]
pub fn get_jit() -> &'static str {
    match rusttorch_exec::jit::effective_mode(Engine::default_engine().config().jit) {
        JitMode::Off => "off",
        JitMode::Background => "background",
        JitMode::Sync => "sync",
    }
}

// ---------------------------------------------------------------------- functional ops

/// ``x`` where ``x >= 0``, else ``negative_slope * x``.
#[pyfunction]
#[pyo3(signature = (input, negative_slope = 0.01))]
pub fn leaky_relu(input: TensorArg, negative_slope: f64) -> PyResult<PyTensor> {
    build(|| input.0.leaky_relu(negative_slope))
}

/// GELU: exact (``approximate="none"``) or the tanh approximation (``"tanh"``).
#[pyfunction]
#[pyo3(signature = (input, approximate = "none"))]
pub fn gelu(input: TensorArg, approximate: &str) -> PyResult<PyTensor> {
    let approx = gelu_approx(approximate)?;
    build(|| input.0.gelu(approx))
}

/// Softmax along ``dim``; ``dtype`` casts the input first.
#[pyfunction]
#[pyo3(signature = (input, dim, dtype = None))]
pub fn softmax(input: TensorArg, dim: isize, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
    let d = opt_dtype(dtype)?;
    build(|| scoped("softmax", || input.0.cast_opt(d)?.softmax(dim)))
}

/// Log-softmax along ``dim``; ``dtype`` casts the input first.
#[pyfunction]
#[pyo3(signature = (input, dim, dtype = None))]
pub fn log_softmax(input: TensorArg, dim: isize, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
    let d = opt_dtype(dtype)?;
    build(|| scoped("log_softmax", || input.0.cast_opt(d)?.log_softmax(dim)))
}

/// Sum over ``dim`` (an int, a tuple of ints, or ``None`` for all); ``dtype`` casts first and
/// is the result's dtype.
#[pyfunction]
#[pyo3(signature = (input, dim = None, keepdim = false, *, dtype = None))]
pub fn sum(
    input: TensorArg,
    dim: Option<DimArg>,
    keepdim: bool,
    dtype: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    let d = opt_dtype(dtype)?;
    build(|| input.0.sum_as(dims(&dim), keepdim, d))
}

/// Mean over ``dim`` (an int, a tuple of ints, or ``None`` for all); ``dtype`` casts first.
#[pyfunction]
#[pyo3(signature = (input, dim = None, keepdim = false, *, dtype = None))]
pub fn mean(
    input: TensorArg,
    dim: Option<DimArg>,
    keepdim: bool,
    dtype: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    let d = opt_dtype(dtype)?;
    build(|| input.0.mean_as(dims(&dim), keepdim, d))
}

macro_rules! reduce_fns {
    ($($(#[$doc:meta])* $name:ident => $method:ident;)*) => {$(
        $(#[$doc])*
        #[pyfunction]
        #[pyo3(signature = (input, dim = None, keepdim = false))]
        pub fn $name(input: TensorArg, dim: Option<DimArg>, keepdim: bool) -> PyResult<PyTensor> {
            build(|| scoped(stringify!($name), || input.0.$method(dims(&dim), keepdim)))
        }
    )*};
}

reduce_fns! {
    /// Maximum over ``dim`` (an int, a tuple of ints, or ``None`` for all), values only.
    amax => max;
    /// Minimum over ``dim`` (an int, a tuple of ints, or ``None`` for all), values only.
    amin => min;
}

/// ``max(input)``: the maximum (a 0-d tensor); ``max(input, dim, keepdim=False)``: the named
/// tuple ``(values, indices)`` of the maxima along ``dim`` and their first indices;
/// ``max(input, other)``: the elementwise maximum (``maximum``), as PyTorch's overloads.
#[pyfunction]
#[pyo3(signature = (input, dim = None, keepdim = false, *, other = None))]
pub fn max<'py>(
    py: Python<'py>,
    input: TensorArg,
    dim: Option<&Bound<'py, PyAny>>,
    keepdim: bool,
    other: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    extremum(py, &PyTensor::from(input.0), ReduceOp::Max, dim, keepdim, other)
}

/// ``min(input)``, ``min(input, dim, keepdim=False)`` (the named tuple ``(values,
/// indices)``) or ``min(input, other)`` (elementwise), as ``max``.
#[pyfunction]
#[pyo3(signature = (input, dim = None, keepdim = false, *, other = None))]
pub fn min<'py>(
    py: Python<'py>,
    input: TensorArg,
    dim: Option<&Bound<'py, PyAny>>,
    keepdim: bool,
    other: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    extremum(py, &PyTensor::from(input.0), ReduceOp::Min, dim, keepdim, other)
}

/// ``a op b`` where either side may be a tensor, a NumPy array or a scalar.
fn binary_fn(a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>, op: BinaryOp) -> PyResult<PyTensor> {
    if let Ok(t) = a.cast::<PyTensor>() {
        t.get().apply_or_raise(b, op, false)
    } else if let Ok(t) = b.cast::<PyTensor>() {
        t.get().apply_or_raise(a, op, true)
    } else {
        PyTensor::from(numpy::tensor_from_data(a, None)?).apply_or_raise(b, op, false)
    }
}

/// Elementwise maximum, broadcasting.
#[pyfunction]
pub fn maximum(input: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
    binary_fn(input, other, BinaryOp::Maximum)
}

/// Elementwise minimum, broadcasting.
#[pyfunction]
pub fn minimum(input: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
    binary_fn(input, other, BinaryOp::Minimum)
}

/// ``input ** exponent``, broadcasting.
#[pyfunction]
pub fn pow(input: &Bound<'_, PyAny>, exponent: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
    binary_fn(input, exponent, BinaryOp::Pow)
}

/// The same elements in a new shape (an int or a tuple of ints); one size may be ``-1``.
#[pyfunction]
pub fn reshape(input: TensorArg, shape: IntSeq) -> PyResult<PyTensor> {
    let shape = shape.0;
    build(|| input.0.reshape(&shape))
}

/// Layer normalisation over the trailing dims given by ``normalized_shape`` (an int or a tuple
/// equal to the input's trailing dims), with optional elementwise ``weight`` and ``bias`` of
/// that shape.
#[pyfunction]
#[pyo3(signature = (input, normalized_shape, weight = None, bias = None, eps = 1e-5))]
pub fn layer_norm(
    input: TensorArg,
    normalized_shape: ShapeArg,
    weight: Option<TensorArg>,
    bias: Option<TensorArg>,
    eps: f64,
) -> PyResult<PyTensor> {
    let (weight, bias) = (weight.as_ref().map(|w| &w.0), bias.as_ref().map(|b| &b.0));
    build(|| input.0.layer_norm_shaped(&normalized_shape.0, weight, bias, eps))
}

/// RMS normalisation over the trailing dims given by ``normalized_shape``:
/// ``x / sqrt(mean(x**2) + eps) * weight``, with an optional ``weight`` of that shape.
#[pyfunction]
#[pyo3(signature = (input, normalized_shape, weight = None, eps = 1e-6))]
pub fn rms_norm(
    input: TensorArg,
    normalized_shape: ShapeArg,
    weight: Option<TensorArg>,
    eps: f64,
) -> PyResult<PyTensor> {
    build(|| input.0.rms_norm_shaped(&normalized_shape.0, weight.as_ref().map(|w| &w.0), eps))
}

/// Matrix product with NumPy semantics (``input @ other``): 1-d · 1-d is a dot product, a
/// 1-d operand is a row (left) or column (right) vector, leading batch dims broadcast.
#[pyfunction]
pub fn matmul(input: TensorArg, other: TensorArg) -> PyResult<PyTensor> {
    build(|| input.0.matmul(&other.0))
}

/// Softplus ``log(1 + e**(beta*x)) / beta``, and ``x`` where ``beta*x > threshold``
/// (PyTorch's); computed so that it never overflows nor loses tiny values.
#[pyfunction]
#[pyo3(signature = (input, beta = 1.0, threshold = 20.0))]
pub fn softplus(input: TensorArg, beta: f64, threshold: f64) -> PyResult<PyTensor> {
    build(|| input.0.softplus(beta, threshold))
}

/// Limits values to ``[min, max]`` (either bound may be ``None``); NaN stays NaN.
#[pyfunction]
#[pyo3(signature = (input, min = None, max = None))]
pub fn clamp(input: TensorArg, min: Option<&Bound<'_, PyAny>>, max: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
    clamp_op(&input.0, min, max)
}

/// ``input`` where ``condition`` holds, else ``other`` (tensors, arrays or scalars,
/// broadcasting; a non-bool condition means ``!= 0``).
/// With ``condition`` alone: ``nonzero(condition, as_tuple=True)``.
#[pyfunction]
#[pyo3(name = "where", signature = (condition, input = None, other = None))]
pub fn where_fn<'py>(
    condition: &Bound<'py, PyAny>,
    input: Option<&Bound<'py, PyAny>>,
    other: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = condition.py();
    match (input, other) {
        (Some(i), Some(o)) => Ok(where3(condition, i, o)?.into_pyobject(py)?.into_any()),
        (None, None) => {
            crate::dynamic::nonzero_as_tuple(py, &crate::args::TensorArg::of("where", "condition", condition)?)
        }
        _ => Err(type_err("where() takes a condition alone or a condition, input and other")),
    }
}

fn where3(condition: &Bound<'_, PyAny>, input: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
    match input.cast::<PyTensor>() {
        Ok(t) => where_op(condition, &t.get().tensor(), other),
        Err(_) => match other.cast::<PyTensor>() {
            // A scalar `input` takes its dtype next to the tensor `other`.
            Ok(o) => {
                let o = o.get().tensor();
                let x = crate::args::operand(input, "where")?
                    .ok_or_else(|| type_err(format!("where: unsupported operand {}", input.get_type())))?
                    .into_tensor(&o);
                where_op(condition, &x, other)
            }
            Err(_) => where_op(condition, &numpy::tensor_from_data(input, None)?, other),
        },
    }
}

/// Index of the first maximum along ``dim`` (of the flattened input when ``None``), int64.
#[pyfunction]
#[pyo3(signature = (input, dim = None, keepdim = false))]
pub fn argmax(input: TensorArg, dim: Option<isize>, keepdim: bool) -> PyResult<PyTensor> {
    build(|| input.0.argmax(dim, keepdim))
}

/// Index of the first minimum along ``dim`` (of the flattened input when ``None``), int64.
#[pyfunction]
#[pyo3(signature = (input, dim = None, keepdim = false))]
pub fn argmin(input: TensorArg, dim: Option<isize>, keepdim: bool) -> PyResult<PyTensor> {
    build(|| input.0.argmin(dim, keepdim))
}

macro_rules! binary_fns {
    ($($(#[$doc:meta])* $name:ident => $op:expr;)*) => {$(
        $(#[$doc])*
        #[pyfunction]
        pub fn $name(input: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
            binary_fn(input, other, $op)
        }
    )*};
}

binary_fns! {
    /// ``input == other`` elementwise (bool).
    eq => BinaryOp::Eq;
    /// ``input != other`` elementwise (bool).
    ne => BinaryOp::Ne;
    /// ``input < other`` elementwise (bool).
    lt => BinaryOp::Lt;
    /// ``input <= other`` elementwise (bool).
    le => BinaryOp::Le;
    /// ``input > other`` elementwise (bool).
    gt => BinaryOp::Gt;
    /// ``input >= other`` elementwise (bool).
    ge => BinaryOp::Ge;
    /// ``floor(input / other)`` with Python's signs (integer division by zero gives 0).
    floor_divide => BinaryOp::FloorDiv;
    /// Python's ``%``: the result takes the divisor's sign.
    remainder => BinaryOp::Rem;
    /// ``&`` on ints and bools.
    bitwise_and => BinaryOp::And;
    /// ``|`` on ints and bools.
    bitwise_or => BinaryOp::Or;
    /// ``^`` on ints and bools.
    bitwise_xor => BinaryOp::Xor;
}

/// Logical and of truth values, bool result.
#[pyfunction]
pub fn logical_and(input: TensorArg, other: TensorArg) -> PyResult<PyTensor> {
    build(|| input.0.logical_and(&other.0))
}
/// Logical or of truth values, bool result.
#[pyfunction]
pub fn logical_or(input: TensorArg, other: TensorArg) -> PyResult<PyTensor> {
    build(|| input.0.logical_or(&other.0))
}
/// Logical xor of truth values, bool result.
#[pyfunction]
pub fn logical_xor(input: TensorArg, other: TensorArg) -> PyResult<PyTensor> {
    build(|| input.0.logical_xor(&other.0))
}

/// ``log(sum(exp(x)))`` along ``dim``, shifted by the max so it never overflows; as in
/// PyTorch, a row of ``-inf`` gives ``-inf`` and a row holding ``+inf`` gives ``+inf``.
#[pyfunction]
#[pyo3(signature = (input, dim, keepdim = false))]
pub fn logsumexp(input: TensorArg, dim: isize, keepdim: bool) -> PyResult<PyTensor> {
    build(|| input.0.logsumexp(dim, keepdim))
}

/// ``input`` with ``dim0`` and ``dim1`` swapped (a view).
#[pyfunction]
pub fn transpose(input: TensorArg, dim0: isize, dim1: isize) -> PyResult<PyTensor> {
    build(|| input.0.transpose(dim0, dim1))
}

/// ``input`` with its dims reordered (a view): output dim ``i`` is input dim ``dims[i]``.
#[pyfunction]
pub fn permute(input: TensorArg, dims: IntSeq) -> PyResult<PyTensor> {
    build(|| input.0.permute(&dims.0))
}

/// ``input`` broadcast to ``shape`` (a view); ``-1`` keeps a size.
#[pyfunction]
pub fn broadcast_to(input: TensorArg, shape: IntSeq) -> PyResult<PyTensor> {
    build(|| scoped("broadcast_to", || input.0.expand(&shape.0)))
}

/// ``input`` with dims ``start_dim..=end_dim`` merged into one.
#[pyfunction]
#[pyo3(signature = (input, start_dim = 0, end_dim = -1))]
pub fn flatten(input: TensorArg, start_dim: isize, end_dim: isize) -> PyResult<PyTensor> {
    build(|| input.0.flatten(start_dim, end_dim))
}

/// ``input`` with a size-1 dim inserted at ``dim``.
#[pyfunction]
pub fn unsqueeze(input: TensorArg, dim: isize) -> PyResult<PyTensor> {
    build(|| input.0.unsqueeze(dim))
}

/// ``input`` with size-1 dims removed: all of them, or those among ``dim``.
#[pyfunction]
#[pyo3(signature = (input, dim = None))]
pub fn squeeze(input: TensorArg, dim: Option<DimArg>) -> PyResult<PyTensor> {
    build(|| match dim {
        None => input.0.squeeze(None),
        Some(d) => input.0.squeeze_dims(&d.0),
    })
}

/// ``tensors`` (a list or tuple) joined along the existing dim ``dim``; their other dims must
/// match, and their dtypes promote.
#[pyfunction]
#[pyo3(signature = (tensors, dim = 0))]
pub fn cat(tensors: TensorSeq, dim: isize) -> PyResult<PyTensor> {
    build(|| Tensor::cat(&tensors.0, dim))
}

/// ``tensors`` (a list or tuple, all of one shape) joined along a new dim ``dim``; their dtypes
/// promote.
#[pyfunction]
#[pyo3(signature = (tensors, dim = 0))]
pub fn stack(tensors: TensorSeq, dim: isize) -> PyResult<PyTensor> {
    build(|| Tensor::stack(&tensors.0, dim))
}
