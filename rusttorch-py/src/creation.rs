//! Creation functions beyond `zeros`/`arange`/`rand`: `linspace`, `logspace`, `eye`,
//! `tril_indices`, `meshgrid`, the `*_like` family, and `randint`, `randperm`, `normal`,
//! `bernoulli`, `multinomial`.

use crate::args::{count, number, ShapeArg, TensorArg};
use crate::dtype::{float_dtype, opt_dtype};
use crate::errors::{type_err, value_err};
use crate::random::call_seed;
use crate::shape_fns::tensors_tuple;
use crate::tensor::{build, eval_all, PyTensor};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use rusttorch_ir::{DType, Scalar, Tensor};

type Obj<'a, 'py> = Option<&'a Bound<'py, PyAny>>;

/// A float argument (`start`, `end`...): a number or a one-element tensor.
fn float_arg(obj: &Bound<'_, PyAny>, op: &str, what: &str) -> PyResult<f64> {
    match number(obj, op)? {
        Some((v, _)) => Ok(v.get()),
        None => obj
            .extract::<f64>()
            .map_err(|_| type_err(format!("{op}: {what} must be a number, got '{}'", crate::errors::type_name(obj)))),
    }
}

/// ``steps`` values evenly spaced from ``start`` to ``end`` inclusive (float32 by default).
#[pyfunction]
#[pyo3(signature = (start, end, steps, *, dtype = None))]
pub fn linspace(start: &Bound<'_, PyAny>, end: &Bound<'_, PyAny>, steps: i64, dtype: Obj) -> PyResult<PyTensor> {
    let (a, b) = (float_arg(start, "linspace", "start")?, float_arg(end, "linspace", "end")?);
    let steps = count("linspace", "steps", steps)?;
    let d = opt_dtype(dtype)?.unwrap_or(DType::F32);
    build(|| Tensor::linspace(a, b, steps, d))
}

/// ``base ** linspace(start, end, steps)`` (float32 by default).
#[pyfunction]
#[pyo3(signature = (start, end, steps, base = 10.0, *, dtype = None))]
pub fn logspace(
    start: &Bound<'_, PyAny>,
    end: &Bound<'_, PyAny>,
    steps: i64,
    base: f64,
    dtype: Obj,
) -> PyResult<PyTensor> {
    let (a, b) = (float_arg(start, "logspace", "start")?, float_arg(end, "logspace", "end")?);
    let steps = count("logspace", "steps", steps)?;
    let d = opt_dtype(dtype)?.unwrap_or(DType::F32);
    build(|| Tensor::logspace(a, b, steps, base, d))
}

/// The ``n x m`` identity (``m = n`` by default), float32 by default.
#[pyfunction]
#[pyo3(signature = (n, m = None, *, dtype = None))]
pub fn eye(n: i64, m: Option<i64>, dtype: Obj) -> PyResult<PyTensor> {
    let d = opt_dtype(dtype)?.unwrap_or(DType::F32);
    let n = count("eye", "n", n)?;
    let m = m.map(|m| count("eye", "m", m)).transpose()?.unwrap_or(n);
    build(|| Tensor::eye(n, m, d))
}

/// The ``[2, N]`` coordinates of the lower triangle of a ``row x col`` matrix (int64).
#[pyfunction]
#[pyo3(signature = (row, col, offset = 0, *, dtype = None))]
pub fn tril_indices(row: i64, col: i64, offset: i64, dtype: Obj) -> PyResult<PyTensor> {
    let d = opt_dtype(dtype)?.unwrap_or(DType::I64);
    let (row, col) = (count("tril_indices", "row", row)?, count("tril_indices", "col", col)?);
    build(|| Tensor::tril_indices(row, col, offset, d))
}

/// The ``[2, N]`` coordinates of the upper triangle of a ``row x col`` matrix (int64).
#[pyfunction]
#[pyo3(signature = (row, col, offset = 0, *, dtype = None))]
pub fn triu_indices(row: i64, col: i64, offset: i64, dtype: Obj) -> PyResult<PyTensor> {
    let d = opt_dtype(dtype)?.unwrap_or(DType::I64);
    let (row, col) = (count("triu_indices", "row", row)?, count("triu_indices", "col", col)?);
    build(|| Tensor::triu_indices(row, col, offset, d))
}

/// Coordinate grids of 1-d tensors (views), ``indexing='ij'`` (matrix) or ``'xy'``
/// (Cartesian: the first two dims exchanged); tensors given separately or as one list.
#[pyfunction]
#[pyo3(signature = (*tensors, indexing = "ij"))]
pub fn meshgrid<'py>(py: Python<'py>, tensors: &Bound<'py, PyTuple>, indexing: &str) -> PyResult<Bound<'py, PyTuple>> {
    let xy = match indexing {
        "ij" => false,
        "xy" => true,
        other => return Err(value_err(format!("meshgrid: indexing must be 'ij' or 'xy', got {other:?}"))),
    };
    let items: Vec<Bound<'py, PyAny>> = match tensors.len() {
        1 if tensors.get_item(0)?.is_instance_of::<PyList>() || tensors.get_item(0)?.is_instance_of::<PyTuple>() => {
            tensors.get_item(0)?.try_iter()?.collect::<PyResult<_>>()?
        }
        _ => tensors.iter().collect(),
    };
    let ts: Vec<Tensor> = items.iter().map(|t| TensorArg::of("meshgrid", "tensors", t)).collect::<PyResult<_>>()?;
    tensors_tuple(py, crate::errors::guard(|| Tensor::meshgrid(&ts, xy))?)
}

macro_rules! like_fn {
    ($(#[$doc:meta])* $name:ident, $value:expr) => {
        $(#[$doc])*
        #[pyfunction]
        #[pyo3(signature = (input, *, dtype = None))]
        pub fn $name(input: TensorArg, dtype: Obj) -> PyResult<PyTensor> {
            let d = opt_dtype(dtype)?;
            build(|| input.0.full_like($value, d))
        }
    };
}

like_fn!(
    /// Zeros of ``input``'s shape (and dtype unless ``dtype`` is given).
    zeros_like, 0i64
);
like_fn!(
    /// Ones of ``input``'s shape (and dtype unless ``dtype`` is given).
    ones_like, 1i64
);
like_fn!(
    /// A tensor of ``input``'s shape whose values are not to be relied on (zeros here).
    empty_like, 0i64
);

/// ``fill_value`` everywhere, in ``input``'s shape (and dtype unless ``dtype`` is given).
#[pyfunction]
#[pyo3(signature = (input, fill_value, *, dtype = None))]
pub fn full_like(input: TensorArg, fill_value: &Bound<'_, PyAny>, dtype: Obj) -> PyResult<PyTensor> {
    let v = match number(fill_value, "full_like")? {
        Some((v, _)) => v,
        None => Scalar::new(float_arg(fill_value, "full_like", "fill_value")?),
    };
    let d = opt_dtype(dtype)?;
    build(|| input.0.full_like(v, d))
}

/// Uniform numbers in ``[0, 1)`` of ``input``'s shape (a float dtype).
#[pyfunction]
#[pyo3(signature = (input, *, generator = None, dtype = None, seed = None))]
pub fn rand_like(input: TensorArg, generator: Obj, dtype: Obj, seed: Obj) -> PyResult<PyTensor> {
    let d = opt_dtype(dtype)?;
    let seed = call_seed("rand_like", seed, generator)?;
    build(|| input.0.rand_like(seed, d))
}

/// Standard normal numbers of ``input``'s shape (a float dtype).
#[pyfunction]
#[pyo3(signature = (input, *, generator = None, dtype = None, seed = None))]
pub fn randn_like(input: TensorArg, generator: Obj, dtype: Obj, seed: Obj) -> PyResult<PyTensor> {
    let d = opt_dtype(dtype)?;
    let seed = call_seed("randn_like", seed, generator)?;
    build(|| input.0.randn_like(seed, d))
}

/// `randint`'s `(low, high)` from one or two ints.
fn bounds(op: &str, ints: &[i64]) -> PyResult<(i64, i64)> {
    match ints {
        [high] => Ok((0, *high)),
        [low, high] => Ok((*low, *high)),
        _ => Err(type_err(format!("{op}: expected (high) or (low, high), got {} bounds", ints.len()))),
    }
}

/// Integers uniform in ``[low, high)`` of ``input``'s shape: ``randint_like(t, high)`` or
/// ``randint_like(t, low, high)``.
#[pyfunction]
#[pyo3(signature = (input, *bounds_, generator = None, dtype = None, seed = None))]
pub fn randint_like(input: TensorArg, bounds_: Vec<i64>, generator: Obj, dtype: Obj, seed: Obj) -> PyResult<PyTensor> {
    let (low, high) = bounds("randint_like", &bounds_)?;
    let d = opt_dtype(dtype)?;
    let seed = call_seed("randint_like", seed, generator)?;
    build(|| input.0.randint_like(low, high, seed, d))
}

/// Integers uniform in ``[low, high)`` (int64 by default): ``randint(high, size)`` or
/// ``randint(low, high, size)``; ``size`` may be given by keyword.
#[pyfunction]
#[pyo3(signature = (*args, size = None, generator = None, dtype = None, seed = None))]
pub fn randint(
    args: &Bound<'_, PyTuple>,
    size: Option<ShapeArg>,
    generator: Obj,
    dtype: Obj,
    seed: Obj,
) -> PyResult<PyTensor> {
    let (ints, shape) = match size {
        Some(s) => (args.extract::<Vec<i64>>()?, s.0),
        None if args.len() >= 2 => {
            let last = args.get_item(args.len() - 1)?;
            (args.get_slice(0, args.len() - 1).extract::<Vec<i64>>()?, last.extract::<ShapeArg>()?.0)
        }
        None => return Err(type_err("randint() missing its size: randint(high, size) or randint(low, high, size)")),
    };
    let (low, high) = bounds("randint", &ints)?;
    let d = opt_dtype(dtype)?.unwrap_or(DType::I64);
    let seed = call_seed("randint", seed, generator)?;
    build(|| Tensor::randint(low, high, shape, seed, d))
}

/// A random permutation of ``0..n`` (int64 by default).
#[pyfunction]
#[pyo3(signature = (n, *, generator = None, dtype = None, seed = None))]
pub fn randperm(n: i64, generator: Obj, dtype: Obj, seed: Obj) -> PyResult<PyTensor> {
    let n = count("randperm", "n", n)?;
    let d = opt_dtype(dtype)?.unwrap_or(DType::I64);
    let seed = call_seed("randperm", seed, generator)?;
    build(|| Tensor::randperm(n, seed, d))
}

/// Normal random numbers: ``normal(mean, std)`` with tensor ``mean`` and/or ``std`` (their
/// broadcast shape), or ``normal(mean, std, size)`` with two numbers.
#[pyfunction]
#[pyo3(signature = (mean, std = None, size = None, *, generator = None, dtype = None, seed = None))]
pub fn normal(
    mean: &Bound<'_, PyAny>,
    std: Obj,
    size: Option<ShapeArg>,
    generator: Obj,
    dtype: Obj,
    seed: Obj,
) -> PyResult<PyTensor> {
    let one = Scalar::new(1.0);
    let std_num = match std {
        None => Some(one),
        Some(s) => number(s, "normal")?.map(|n| n.0),
    };
    let seed = call_seed("normal", seed, generator)?;
    match (number(mean, "normal")?, std_num) {
        (Some((m, _)), Some(s)) => {
            let shape = size.ok_or_else(|| type_err("normal: with a number mean and std, give size"))?.0;
            let d = float_dtype("normal", dtype)?;
            build(|| Tensor::normal_scalar(m.get(), s.get(), shape, seed, d))
        }
        _ => {
            let m = TensorArg::of("normal", "mean", mean)?;
            let s = match std {
                Some(s) => TensorArg::of("normal", "std", s)?,
                None => Tensor::scalar(1.0, DType::F32),
            };
            build(|| Tensor::normal(&m, &s, seed))
        }
    }
}

/// 1 with probability ``input`` (elementwise), else 0, in ``input``'s float dtype.
#[pyfunction]
#[pyo3(signature = (input, *, generator = None, seed = None))]
pub fn bernoulli(input: TensorArg, generator: Obj, seed: Obj) -> PyResult<PyTensor> {
    let seed = call_seed("bernoulli", seed, generator)?;
    build(|| input.0.bernoulli(seed))
}

/// `multinomial` of `t`, which is evaluated first to read its weights.
pub fn multinomial_op(
    py: Python<'_>,
    t: &Tensor,
    num_samples: i64,
    replacement: bool,
    generator: Obj,
) -> PyResult<PyTensor> {
    let num_samples = count("multinomial", "num_samples", num_samples)?;
    eval_all(py, std::slice::from_ref(t), true)?;
    let seed = call_seed("multinomial", None, generator)?;
    build(|| t.multinomial(num_samples, replacement, seed))
}

/// ``num_samples`` category indices per row of the weights ``input`` (1-d or 2-d), with or
/// without ``replacement``; ``input`` is evaluated to read them.
#[pyfunction]
#[pyo3(signature = (input, num_samples, replacement = false, *, generator = None))]
pub fn multinomial(
    py: Python<'_>,
    input: TensorArg,
    num_samples: i64,
    replacement: bool,
    generator: Obj,
) -> PyResult<PyTensor> {
    multinomial_op(py, &input.0, num_samples, replacement, generator)
}
