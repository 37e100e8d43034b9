//! `t[index]`: the Python index (an item or a tuple of ints, slices, `None` and `...`) as
//! `rusttorch_ir` index items, which `Tensor::index` turns into views. Advanced indexing (lists,
//! arrays, tensors, bools) is not supported: a `TypeError` names the type.

use crate::errors::type_err;
use crate::handle::PyTensor;
use ::numpy::PyUntypedArray;
use pyo3::exceptions::{PyIndexError, PyOverflowError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyEllipsis, PyNone, PySlice, PyTuple};
use rusttorch_ir::tensor::IndexItem;

/// The items of the index `index` (one item, or a tuple of them).
pub fn index_items(index: &Bound<'_, PyAny>) -> PyResult<Vec<IndexItem>> {
    match index.cast::<PyTuple>() {
        Ok(tuple) => tuple.iter().map(|i| parse_item(&i)).collect(),
        Err(_) => Ok(vec![parse_item(index)?]),
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
