//! `t[index]`: the Python index (an item or a tuple of ints, slices, `None`, `...`, and integer
//! tensors, arrays or lists) as `rusttorch_ir` index items, which `Tensor::index_with` turns
//! into views, gathers and scatters. Bool tensors are masks (evaluated where their true count
//! decides a shape).

use crate::errors::type_err;
use crate::handle::{eval_all, PyTensor};
use crate::numpy::tensor_from_data;
use ::numpy::PyUntypedArray;
use pyo3::exceptions::{PyIndexError, PyOverflowError};
use pyo3::prelude::*;
use pyo3::types::PyList;
use pyo3::types::{PyBool, PyEllipsis, PyNone, PySlice, PyTuple};
use rusttorch_ir::tensor::Index;
use rusttorch_ir::tensor::IndexItem;
use rusttorch_ir::DType;

/// The items of the index `index` (one item, or a tuple of them).
pub fn index_items(index: &Bound<'_, PyAny>) -> PyResult<Vec<Index>> {
    match index.cast::<PyTuple>() {
        Ok(tuple) => tuple.iter().map(|i| parse_index(&i)).collect(),
        Err(_) => Ok(vec![parse_index(index)?]),
    }
}

/// One item: an integer tensor, array or list (evaluated, so its indices are checked when
/// the index is built), or a basic item.
fn parse_index(obj: &Bound<'_, PyAny>) -> PyResult<Index> {
    let t = match obj.cast::<PyTensor>() {
        Ok(t) => t.get().tensor(),
        Err(_) if obj.is_instance_of::<PyUntypedArray>() || obj.is_instance_of::<PyList>() => {
            let t = tensor_from_data(obj, None)?;
            // `t[[]]` selects nothing: an empty list is an empty int index, as NumPy's.
            if t.numel() == 0 && t.dtype().is_float() {
                t.cast(DType::I64).map_err(crate::errors::to_py_err)?
            } else {
                t
            }
        }
        Err(_) => return parse_item(obj).map(Index::Basic),
    };
    match t.dtype() {
        d if d.is_int() => {
            // Any int dtype indexes as NumPy's do; the gathers read int32/int64.
            let t = if matches!(d, DType::I32 | DType::I64) {
                t
            } else {
                t.cast(DType::I64).map_err(crate::errors::to_py_err)?
            };
            eval_all(obj.py(), std::slice::from_ref(&t), true)?;
            Ok(Index::Tensor(t))
        }
        // Evaluated by the caller when the index needs its values (reads, most writes).
        DType::Bool => Ok(Index::Mask(t)),
        d => Err(pyo3::exceptions::PyIndexError::new_err(format!(
            "tensors used as indices must be integers or bools, got {d}"
        ))),
    }
}

/// One item of an index: `None`, `...`, a slice or an int.
fn parse_item(obj: &Bound<'_, PyAny>) -> PyResult<IndexItem> {
    if obj.is_instance_of::<PyNone>() {
        return Ok(IndexItem::NewAxis);
    }
    if obj.is_instance_of::<PyEllipsis>() {
        return Ok(IndexItem::Ellipsis);
    }
    if let Ok(s) = obj.cast::<PySlice>() {
        let step = bound(&s.getattr("step")?)?.unwrap_or(1);
        return Ok(IndexItem::Slice { start: bound(&s.getattr("start")?)?, stop: bound(&s.getattr("stop")?)?, step });
    }
    // bool is an int in Python, but NumPy treats it as a mask: refuse rather than guess.
    // Tensors and arrays are refused before `__index__`, which 0-d integer arrays have.
    let advanced =
        obj.is_instance_of::<PyBool>() || obj.is_instance_of::<PyTensor>() || obj.is_instance_of::<PyUntypedArray>();
    if !advanced {
        if let Ok(i) = obj.extract::<isize>() {
            return Ok(IndexItem::Int(i));
        }
        if is_int_like(obj) {
            return Err(PyIndexError::new_err(format!("index {obj} is out of range")));
        }
    }
    Err(type_err(format!(
        "unsupported index type '{}': only ints, slices, None and ... are supported",
        obj.get_type().name().map(|n| n.to_string()).unwrap_or_default()
    )))
}

/// Evaluates the masks among `items` that are not evaluated yet.
pub fn eval_masks(py: Python<'_>, items: &[Index]) -> PyResult<()> {
    let lazy = Index::lazy_masks(items);
    if lazy.is_empty() {
        return Ok(());
    }
    eval_all(py, &lazy, true)
}

/// Whether `obj` has `__index__` (an int too large for `isize` lands here).
fn is_int_like(obj: &Bound<'_, PyAny>) -> bool {
    obj.hasattr("__index__").unwrap_or(false)
}

/// A slice bound: `None`, or an int clamped to `isize` (Python allows `t[:10**30]`).
fn bound(obj: &Bound<'_, PyAny>) -> PyResult<Option<isize>> {
    if obj.is_none() {
        return Ok(None);
    }
    match obj.extract::<isize>() {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_instance_of::<PyOverflowError>(obj.py()) => {
            let negative = obj.lt(0)?;
            Ok(Some(if negative { isize::MIN / 2 } else { isize::MAX / 2 }))
        }
        Err(_) => Err(type_err(format!(
            "slice indices must be ints or None, got '{}'",
            obj.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        ))),
    }
}
