//! Module functions of the movement ops (`rusttorch.flip(t, dims)`, `split`, `meshgrid`'s
//! siblings, `broadcast_tensors`, `nn.functional.pad`) and the print options.

use crate::args::{count, number_arg, IntSeq, TensorArg, TensorSeq};
use crate::errors::{guard, type_err, value_err};
use crate::tensor::{build, counts_arg, repeat_interleave_op, split_op, to_numpy, PyTensor};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyInt, PyList, PyTuple};
use rusttorch_ir::print::{print_options, set_print_options, PrintOptions};
use rusttorch_ir::{scoped, PadMode, Scalar, Shape, Tensor};

/// `parts` as a tuple of tensors.
pub fn tensors_tuple(py: Python<'_>, parts: Vec<Tensor>) -> PyResult<Bound<'_, PyTuple>> {
    PyTuple::new(py, parts.into_iter().map(PyTensor::from))
}

/// The `split_size_or_sections` of `split`.
pub enum SplitArg {
    /// Pieces of this size.
    Size(usize),
    /// Pieces of these sizes.
    Sections(Vec<usize>),
}

/// `split_size_or_sections`: an int or a sequence of ints, none negative.
pub fn split_arg(obj: &Bound<'_, PyAny>) -> PyResult<SplitArg> {
    let neg = || value_err(format!("split: split_size_or_sections must not be negative, got {obj}"));
    if obj.is_instance_of::<PyInt>() {
        return obj.extract::<usize>().map(SplitArg::Size).map_err(|_| neg());
    }
    let v: Vec<isize> = obj
        .extract()
        .map_err(|_| type_err(format!("split: split_size_or_sections must be an int or a list of ints, got {obj}")))?;
    counts_arg("split", "split_size_or_sections", v).map(SplitArg::Sections)
}

/// The `repeats` of `repeat_interleave`: an int, or a sequence or integer tensor of counts
/// (a tensor is evaluated to read them). An empty list is no counts, whatever its dtype.
pub fn repeat_counts(obj: &Bound<'_, PyAny>) -> PyResult<Vec<usize>> {
    let values: Vec<isize> = if obj.is_instance_of::<PyInt>() {
        vec![obj.extract()?]
    } else if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        obj.extract().map_err(|_| type_err(format!("repeat_interleave: repeats must hold ints, got {obj}")))?
    } else {
        let t = TensorArg::of("repeat_interleave", "repeats", obj)?;
        if t.dtype().is_float() || t.ndim() > 1 {
            return Err(type_err(format!(
                "repeat_interleave: repeats must be an int or a 0-d/1-d integer tensor, got {} of shape {}",
                t.dtype(),
                t.shape()
            )));
        }
        let list = to_numpy(obj.py(), &t)?.call_method1("reshape", (-1,))?.call_method0("tolist")?;
        list.extract()?
    };
    counts_arg("repeat_interleave", "repeats", values)
}

/// ``input`` with the elements of ``dims`` reversed (a view).
#[pyfunction]
pub fn flip(input: TensorArg, dims: IntSeq) -> PyResult<PyTensor> {
    build(|| input.0.flip(&dims.0))
}

/// ``flip(input, 1)``.
#[pyfunction]
pub fn fliplr(input: TensorArg) -> PyResult<PyTensor> {
    build(|| input.0.fliplr())
}

/// ``flip(input, 0)``.
#[pyfunction]
pub fn flipud(input: TensorArg) -> PyResult<PyTensor> {
    build(|| input.0.flipud())
}

/// Elements shifted by ``shifts`` along ``dims``, wrapping around.
#[pyfunction]
#[pyo3(signature = (input, shifts, dims = None))]
pub fn roll(input: TensorArg, shifts: IntSeq, dims: Option<IntSeq>) -> PyResult<PyTensor> {
    build(|| input.0.roll(&shifts.0, &dims.map(|d| d.0).unwrap_or_default()))
}

/// Rotated by 90 degrees ``k`` times in the plane of ``dims``.
#[pyfunction]
#[pyo3(signature = (input, k = 1, dims = (0, 1)))]
pub fn rot90(input: TensorArg, k: i64, dims: (isize, isize)) -> PyResult<PyTensor> {
    build(|| input.0.rot90(k, [dims.0, dims.1]))
}

/// NumPy's ``tile``.
#[pyfunction]
pub fn tile(input: TensorArg, dims: IntSeq) -> PyResult<PyTensor> {
    let dims = counts_arg("tile", "dims", dims.0)?;
    build(|| input.0.tile(&dims))
}

/// Each element repeated ``repeats`` times along ``dim``.
#[pyfunction]
#[pyo3(signature = (input, repeats, dim = None))]
pub fn repeat_interleave(input: TensorArg, repeats: &Bound<'_, PyAny>, dim: Option<isize>) -> PyResult<PyTensor> {
    repeat_interleave_op(&input.0, repeats, dim)
}

/// Views of consecutive pieces of ``dim`` (see ``Tensor.split``).
#[pyfunction]
#[pyo3(signature = (tensor, split_size_or_sections, dim = 0))]
pub fn split<'py>(
    py: Python<'py>,
    tensor: TensorArg,
    split_size_or_sections: &Bound<'py, PyAny>,
    dim: isize,
) -> PyResult<Bound<'py, PyTuple>> {
    split_op(py, &tensor.0, split_arg(split_size_or_sections)?, dim)
}

/// At most ``chunks`` views of ``dim``.
#[pyfunction]
#[pyo3(signature = (input, chunks, dim = 0))]
pub fn chunk(py: Python<'_>, input: TensorArg, chunks: i64, dim: isize) -> PyResult<Bound<'_, PyTuple>> {
    let chunks = count("chunk", "chunks", chunks)?;
    tensors_tuple(py, guard(|| input.0.chunk(chunks, dim))?)
}

/// The slices along ``dim``, each without that dim.
#[pyfunction]
#[pyo3(signature = (input, dim = 0))]
pub fn unbind(py: Python<'_>, input: TensorArg, dim: isize) -> PyResult<Bound<'_, PyTuple>> {
    tensors_tuple(py, guard(|| input.0.unbind(dim))?)
}

/// ``length`` elements of ``dim`` from ``start`` (a view).
#[pyfunction]
pub fn narrow(input: TensorArg, dim: isize, start: isize, length: i64) -> PyResult<PyTensor> {
    let length = count("narrow", "length", length)?;
    build(|| input.0.narrow(dim, start, length))
}

/// Dims ``source`` moved to ``destination``.
#[pyfunction]
pub fn movedim(input: TensorArg, source: IntSeq, destination: IntSeq) -> PyResult<PyTensor> {
    build(|| input.0.movedim(&source.0, &destination.0))
}

/// ``movedim`` (NumPy's name).
#[pyfunction]
pub fn moveaxis(input: TensorArg, source: IntSeq, destination: IntSeq) -> PyResult<PyTensor> {
    build(|| scoped("moveaxis", || input.0.movedim(&source.0, &destination.0)))
}

/// ``transpose`` (NumPy's name).
#[pyfunction]
pub fn swapaxes(input: TensorArg, axis0: isize, axis1: isize) -> PyResult<PyTensor> {
    build(|| scoped("swapaxes", || input.0.transpose(axis0, axis1)))
}

/// ``transpose``.
#[pyfunction]
pub fn swapdims(input: TensorArg, dim0: isize, dim1: isize) -> PyResult<PyTensor> {
    build(|| scoped("swapdims", || input.0.transpose(dim0, dim1)))
}

/// Dim ``dim`` split into ``sizes``.
#[pyfunction]
pub fn unflatten(input: TensorArg, dim: isize, sizes: IntSeq) -> PyResult<PyTensor> {
    build(|| input.0.unflatten(dim, &sizes.0))
}

/// A new tensor with ``input``'s values.
#[pyfunction]
pub fn clone(input: TensorArg) -> PyTensor {
    PyTensor::from(input.0)
}

/// Number of elements of ``input``.
#[pyfunction]
pub fn numel(input: TensorArg) -> usize {
    input.0.numel()
}

/// Every tensor broadcast to their common shape (views).
#[pyfunction]
#[pyo3(signature = (*tensors))]
pub fn broadcast_tensors<'py>(py: Python<'py>, tensors: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, PyTuple>> {
    let ts = tensors.extract::<TensorSeq>()?.0;
    tensors_tuple(py, guard(|| Tensor::broadcast_tensors(&ts))?)
}

/// The shape that all ``shapes`` (ints or tuples of ints) broadcast to.
#[pyfunction]
#[pyo3(signature = (*shapes))]
pub fn broadcast_shapes<'py>(py: Python<'py>, shapes: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, PyTuple>> {
    let shapes: Vec<Shape> = shapes
        .iter()
        .map(|s| s.extract::<crate::args::ShapeArg>().map(|s| Shape::from(s.0)))
        .collect::<PyResult<_>>()?;
    let out = guard(|| Tensor::broadcast_shapes(&shapes))?;
    PyTuple::new(py, out.dims())
}

/// Pads the last ``len(pad) // 2`` dims of ``input``: ``pad = (left, right, top, bottom,
/// ...)`` from the last dim backwards; ``mode`` is ``'constant'`` (with ``value``; negative
/// amounts crop), ``'reflect'``, ``'replicate'`` or ``'circular'``.
#[pyfunction(name = "_pad")]
#[pyo3(signature = (input, pad, mode = "constant", value = None))]
pub fn pad(input: TensorArg, pad: IntSeq, mode: &str, value: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
    let v = match value.filter(|v| !v.is_none()) {
        Some(v) => number_arg(v, "pad")?.0,
        None => Scalar::int(0),
    };
    build(|| input.0.pad(&pad.0, PadMode::from_name(mode, v)?))
}

/// Sets how tensors print, as PyTorch's ``set_printoptions``: ``precision`` (digits after the
/// point, 4), ``threshold`` (elements before summarising with ``...``, 1000), ``edgeitems``
/// (items kept at each end, 3), ``linewidth`` (80), ``sci_mode`` (``None`` chooses), and
/// ``profile`` (``'default'``, ``'short'`` or ``'full'``) first. Options not given are kept,
/// except ``sci_mode``, which is always set (as PyTorch).
#[pyfunction]
#[pyo3(signature = (precision = None, threshold = None, edgeitems = None, linewidth = None, profile = None, sci_mode = None))]
pub fn set_printoptions(
    precision: Option<usize>,
    threshold: Option<f64>,
    edgeitems: Option<usize>,
    linewidth: Option<usize>,
    profile: Option<&str>,
    sci_mode: Option<bool>,
) -> PyResult<()> {
    let mut o = print_options();
    match profile {
        None => {}
        Some("default") => o = PrintOptions::default(),
        Some("short") => o = PrintOptions { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80, ..o },
        Some("full") => o = PrintOptions { precision: 4, threshold: usize::MAX, edgeitems: 3, linewidth: 80, ..o },
        Some(p) => {
            return Err(value_err(format!("set_printoptions: profile must be 'default', 'short' or 'full', got {p:?}")))
        }
    }
    if let Some(t) = threshold {
        if t.is_nan() || t < 0.0 {
            return Err(value_err(format!("set_printoptions: threshold must be >= 0, got {t}")));
        }
        // Saturating: `float('inf')` prints everything, as in PyTorch.
        o.threshold = t as usize;
    }
    o.precision = precision.unwrap_or(o.precision);
    o.edgeitems = edgeitems.unwrap_or(o.edgeitems);
    o.linewidth = linewidth.unwrap_or(o.linewidth);
    o.sci_mode = sci_mode;
    set_print_options(o);
    Ok(())
}

/// The print options as a dict (``precision``, ``threshold``, ``edgeitems``, ``linewidth``,
/// ``sci_mode``).
#[pyfunction]
pub fn get_printoptions(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let o = print_options();
    let d = PyDict::new(py);
    d.set_item("precision", o.precision)?;
    if o.threshold == usize::MAX {
        d.set_item("threshold", f64::INFINITY)?;
    } else {
        d.set_item("threshold", o.threshold)?;
    }
    d.set_item("edgeitems", o.edgeitems)?;
    d.set_item("linewidth", o.linewidth)?;
    d.set_item("sci_mode", o.sci_mode)?;
    Ok(d)
}
