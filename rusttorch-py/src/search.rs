//! Searching sorted sequences as Python functions: `searchsorted`, `bucketize`, `isin`
//! (PyTorch's signatures; a number may stand for a tensor where PyTorch allows one).

use crate::args::{number, TensorArg};
use crate::errors::type_err;
use crate::handle::{build, PyTensor};
use pyo3::prelude::*;
use rusttorch_ir::tensor::{search_side, Operand};
use rusttorch_ir::{Scalar, ScalarKind, Tensor};

/// A tensor argument that may also be a Python or NumPy number.
enum TensorOrNumber {
    Tensor(Tensor),
    Number(Scalar, ScalarKind),
}

impl TensorOrNumber {
    /// `obj` as the argument `arg` of `op`.
    fn of(op: &str, arg: &str, obj: &Bound<'_, PyAny>) -> PyResult<TensorOrNumber> {
        Ok(match number(obj, op)? {
            Some((v, kind)) => TensorOrNumber::Number(v, kind),
            None => TensorOrNumber::Tensor(TensorArg::of(op, arg, obj)?),
        })
    }
}

/// For each element of ``input``, the index at which it would be inserted into its line of
/// ``sorted_sequence`` (1-d, or searched along its last dim with ``input``'s leading dims) to
/// keep it sorted: the first such index, or the last with ``right=True`` / ``side='right'``.
/// ``sorter`` holds the int64 indices that sort each line. NaN sorts last.
#[pyfunction]
#[pyo3(signature = (sorted_sequence, input, *, out_int32 = false, right = false, side = None, sorter = None))]
pub fn searchsorted(
    sorted_sequence: &Bound<'_, PyAny>,
    input: &Bound<'_, PyAny>,
    out_int32: bool,
    right: bool,
    side: Option<String>,
    sorter: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    let seq = TensorArg::of("searchsorted", "sorted_sequence", sorted_sequence)?;
    let sorter = sorter.map(|s| TensorArg::of("searchsorted", "sorter", s)).transpose()?;
    let input = TensorOrNumber::of("searchsorted", "input", input)?;
    build(|| {
        let right = search_side("searchsorted", right, side.as_deref())?;
        match input {
            TensorOrNumber::Tensor(v) => seq.searchsorted(&v, right, sorter.as_ref(), out_int32),
            TensorOrNumber::Number(v, kind) => seq.searchsorted_scalar(v, kind, right, sorter.as_ref(), out_int32),
        }
    })
}

/// The index of the bucket of ``boundaries`` (1-d, sorted) each element of ``input`` falls in:
/// ``boundaries[i-1] < x <= boundaries[i]``, or ``boundaries[i-1] <= x < boundaries[i]`` with
/// ``right=True``.
#[pyfunction]
#[pyo3(signature = (input, boundaries, *, out_int32 = false, right = false))]
pub fn bucketize(
    input: &Bound<'_, PyAny>,
    boundaries: &Bound<'_, PyAny>,
    out_int32: bool,
    right: bool,
) -> PyResult<PyTensor> {
    let input = TensorOrNumber::of("bucketize", "input", input)?;
    let boundaries = TensorArg::of("bucketize", "boundaries", boundaries)?;
    build(|| match input {
        TensorOrNumber::Tensor(x) => x.bucketize(&boundaries, right, out_int32),
        TensorOrNumber::Number(v, kind) => Tensor::bucketize_scalar(v, kind, &boundaries, right, out_int32),
    })
}

/// A bool tensor of ``elements``' shape: whether each element is in ``test_elements`` (with
/// ``invert=True``: is not). Either may be a number; ``assume_unique`` changes nothing.
#[pyfunction]
#[pyo3(signature = (elements, test_elements, *, assume_unique = false, invert = false))]
pub fn isin(
    elements: &Bound<'_, PyAny>,
    test_elements: &Bound<'_, PyAny>,
    assume_unique: bool,
    invert: bool,
) -> PyResult<PyTensor> {
    let _ = assume_unique;
    let elements = TensorOrNumber::of("isin", "elements", elements)?;
    let test = TensorOrNumber::of("isin", "test_elements", test_elements)?;
    // A number takes the other side's dtype unless its kind is higher (as in `x == 2`).
    let (x, t) = match (elements, test) {
        (TensorOrNumber::Tensor(x), TensorOrNumber::Tensor(t)) => (x, t),
        (TensorOrNumber::Number(v, k), TensorOrNumber::Tensor(t)) => (Operand::Scalar(v, k).into_tensor(&t), t),
        (TensorOrNumber::Tensor(x), TensorOrNumber::Number(v, k)) => {
            let t = Operand::Scalar(v, k).into_tensor(&x);
            (x, t)
        }
        _ => return Err(type_err("isin(): at least one of elements and test_elements must be a tensor")),
    };
    build(|| x.isin(&t, invert))
}

/// Adds the search functions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(searchsorted, m)?)?;
    m.add_function(wrap_pyfunction!(bucketize, m)?)?;
    m.add_function(wrap_pyfunction!(isin, m)?)
}
