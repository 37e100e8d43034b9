//! `t[index]`: basic indexing translated into view ops of `rusttorch_ir::Tensor`. An int is a
//! `select` (the dim goes away), a slice a `slice` (any step), `None` an `unsqueeze`, and `...`
//! stands for as many full slices as the other items leave dims. Every result is a view.
//! Advanced indexing (lists, arrays, tensors, bools) is not supported: a `TypeError` names the
//! type.

use crate::errors::{guard, type_err};
use crate::tensor::PyTensor;
use ::numpy::PyUntypedArray;
use pyo3::exceptions::{PyIndexError, PyOverflowError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyEllipsis, PyNone, PySlice, PyTuple};
use rusttorch_ir::{Error, Tensor};

/// One item of an index tuple.
enum Item {
    Int(isize),
    Slice { start: Option<isize>, stop: Option<isize>, step: isize },
    NewAxis,
    Ellipsis,
}

impl Item {
    /// How many dims of the input this item consumes.
    fn consumes(&self) -> usize {
        match self {
            Item::Int(_) | Item::Slice { .. } => 1,
            Item::NewAxis | Item::Ellipsis => 0,
        }
    }
}

/// `t[index]`.
pub fn get_item(t: &Tensor, index: &Bound<'_, PyAny>) -> PyResult<Tensor> {
    let items: Vec<Item> = match index.cast::<PyTuple>() {
        Ok(tuple) => tuple.iter().map(|i| parse_item(&i)).collect::<PyResult<_>>()?,
        Err(_) => vec![parse_item(index)?],
    };
    let consumed: usize = items.iter().map(Item::consumes).sum();
    let ellipses = items.iter().filter(|i| matches!(i, Item::Ellipsis)).count();
    if ellipses > 1 {
        return Err(PyIndexError::new_err("an index can only have a single ellipsis ('...')"));
    }
    if consumed > t.ndim() {
        return Err(PyIndexError::new_err(format!(
            "too many indices for a tensor of shape {}: {consumed} given, {} dims",
            t.shape(),
            t.ndim()
        )));
    }
    guard(|| {
        // `d` is the dim of `cur` the next item applies to, `own` the dim of `t` it indexes (the
        // one an error names).
        let (mut cur, mut d, mut own) = (t.clone(), 0isize, 0usize);
        for item in &items {
            match *item {
                Item::Int(i) => {
                    cur = cur.select(d, i).map_err(|e| match e {
                        Error::IndexOutOfRange { op, index, size, .. } => {
                            Error::IndexOutOfRange { op, index, dim: own, size }
                        }
                        e => e,
                    })?;
                    own += 1;
                }
                Item::Slice { start, stop, step } => {
                    cur = cur.slice(d, start, stop, step)?;
                    d += 1;
                    own += 1;
                }
                Item::NewAxis => {
                    cur = cur.unsqueeze(d)?;
                    d += 1;
                }
                Item::Ellipsis => {
                    d += (t.ndim() - consumed) as isize;
                    own += t.ndim() - consumed;
                }
            }
        }
        Ok(cur)
    })
}

fn parse_item(obj: &Bound<'_, PyAny>) -> PyResult<Item> {
    if obj.is_instance_of::<PyNone>() {
        return Ok(Item::NewAxis);
    }
    if obj.is_instance_of::<PyEllipsis>() {
        return Ok(Item::Ellipsis);
    }
    if let Ok(s) = obj.cast::<PySlice>() {
        let step = bound(&s.getattr("step")?)?.unwrap_or(1);
        return Ok(Item::Slice { start: bound(&s.getattr("start")?)?, stop: bound(&s.getattr("stop")?)?, step });
    }
    // bool is an int in Python, but NumPy treats it as a mask: refuse rather than guess.
    // Tensors and arrays are refused before `__index__`, which 0-d integer arrays have.
    let advanced =
        obj.is_instance_of::<PyBool>() || obj.is_instance_of::<PyTensor>() || obj.is_instance_of::<PyUntypedArray>();
    if !advanced {
        if let Ok(i) = obj.extract::<isize>() {
            return Ok(Item::Int(i));
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
