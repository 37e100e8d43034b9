//! Argument types shared by methods and functions: shapes (`int` or sequence of ints), dims
//! (`int`, sequence or `None`), tensor-like inputs and binary operands.

use crate::errors::{type_err, type_name, value_err};
use crate::handle::PyTensor;
use crate::numpy::{int64, is_numpy_scalar, numpy_scalar_value, operand_from_array, tensor_from_data};
use ::numpy::PyUntypedArray;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyList, PyTuple};
use rusttorch_ir::tensor::Operand;
use rusttorch_ir::{GeluApprox, Scalar, ScalarKind, Tensor};

/// A shape: an int or a sequence of ints, none negative.
pub struct ShapeArg(pub Vec<usize>);

impl<'a, 'py> FromPyObject<'a, 'py> for ShapeArg {
    type Error = PyErr;
    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let dims: Vec<i64> = match obj.extract::<i64>() {
            Ok(n) => vec![n],
            Err(_) => obj.extract().map_err(|_| {
                if let Some(e) = int_overflow(&obj, "shape") {
                    return e;
                }
                type_err(format!(
                    "a shape must be an int or a tuple of ints, got {}",
                    obj.repr().map(|r| r.to_string()).unwrap_or_default()
                ))
            })?,
        };
        if let Some(d) = dims.iter().find(|&&d| d < 0) {
            return Err(value_err(format!("invalid shape {dims:?}: negative dimension {d}")));
        }
        Ok(ShapeArg(dims.into_iter().map(|d| d as usize).collect()))
    }
}

/// The `dim` of a reduction: an int or a sequence of ints (`None` is handled as `Option`).
pub struct DimArg(pub Vec<isize>);

impl<'a, 'py> FromPyObject<'a, 'py> for DimArg {
    type Error = PyErr;
    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        match obj.extract::<isize>() {
            Ok(d) => Ok(DimArg(vec![d])),
            Err(_) => obj.extract().map(DimArg).map_err(|_| {
                type_err(format!(
                    "dim must be an int or a tuple of ints, got {}",
                    obj.repr().map(|r| r.to_string()).unwrap_or_default()
                ))
            }),
        }
    }
}

/// Optional dims as the Rust API takes them.
pub fn dims(dim: &Option<DimArg>) -> Option<&[isize]> {
    dim.as_ref().map(|d| d.0.as_slice())
}

/// A tensor, or anything `rusttorch.tensor` accepts (copied).
pub struct TensorArg(pub Tensor);

impl<'a, 'py> FromPyObject<'a, 'py> for TensorArg {
    type Error = PyErr;
    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        match obj.cast::<PyTensor>() {
            Ok(t) => Ok(TensorArg(t.get().tensor())),
            Err(_) => tensor_from_data(&obj.to_owned(), None).map(TensorArg),
        }
    }
}

impl TensorArg {
    /// `obj` as the tensor argument `arg` of the function `op`: a conversion that fails says
    /// which call and which argument it was (`exp(): argument 'input' (a list) cannot be a
    /// tensor: ...`), as PyTorch's argument errors do.
    pub fn of(op: &str, arg: &str, obj: &Bound<'_, PyAny>) -> PyResult<Tensor> {
        obj.extract::<TensorArg>().map(|t| t.0).map_err(|e| {
            let py = obj.py();
            let msg = format!("{op}(): argument '{arg}' (a {}) cannot be a tensor: {}", type_name(obj), e.value(py));
            // The conversion's own exception class (TypeError, OverflowError, ValueError...).
            PyErr::from_type(e.get_type(py), msg)
        })
    }
}

/// The operands of `cat`/`stack`: a list or tuple of tensors or of anything `rusttorch.tensor`
/// accepts (copied). A bare tensor or array is refused: iterating it is rarely what was meant.
pub struct TensorSeq(pub Vec<Tensor>);

impl<'a, 'py> FromPyObject<'a, 'py> for TensorSeq {
    type Error = PyErr;
    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let items = if let Ok(list) = obj.cast::<PyList>() {
            list.iter().collect::<Vec<_>>()
        } else if let Ok(tuple) = obj.cast::<PyTuple>() {
            tuple.iter().collect()
        } else {
            return Err(type_err(format!("expected a list or tuple of tensors, got {}", obj.get_type())));
        };
        items.iter().map(|t| t.extract::<TensorArg>().map(|t| t.0)).collect::<PyResult<_>>().map(TensorSeq)
    }
}

/// A Python or NumPy real number: its value (an int exactly) and its kind; `None` for any other
/// object. An int outside int64 is an `OverflowError` naming `op`, as in PyTorch (it could only
/// be wrapped or rounded).
pub fn number(obj: &Bound<'_, PyAny>, op: &str) -> PyResult<Option<(Scalar, ScalarKind)>> {
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Ok(Some((Scalar::new(f.value()), ScalarKind::Float)));
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Some((Scalar::from(b.is_true()), ScalarKind::Bool)));
    }
    if obj.is_instance_of::<PyInt>() {
        return Ok(Some((Scalar::int(int64(obj, op)?), ScalarKind::Int)));
    }
    numpy_scalar_value(obj, op)
}

/// A number argument (`full`'s fill value, `arange`'s bounds): [`number`], or anything with
/// `__float__` (a one-element tensor) as a float.
pub fn number_arg(obj: &Bound<'_, PyAny>, op: &str) -> PyResult<(Scalar, ScalarKind)> {
    match number(obj, op)? {
        Some(n) => Ok(n),
        None => Ok((Scalar::new(obj.extract::<f64>()?), ScalarKind::Float)),
    }
}

/// `obj` as an operand of the binary op `op` with a tensor: a tensor (NumPy arrays become one)
/// or a Python or NumPy real scalar and its kind; `None` when its type is not supported at all
/// (the operator then returns `NotImplemented`).
pub fn operand(obj: &Bound<'_, PyAny>, op: &str) -> PyResult<Option<Operand>> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(Some(Operand::Tensor(t.get().tensor())));
    }
    if let Ok(arr) = obj.cast::<PyUntypedArray>() {
        return operand_from_array(arr).map(|t| Some(Operand::Tensor(t)));
    }
    Ok(number(obj, op)?.map(|(v, k)| Operand::Scalar(v, k)))
}

/// The `approximate=` argument of `gelu`.
pub fn gelu_approx(approximate: &str) -> PyResult<GeluApprox> {
    match approximate {
        "none" => Ok(GeluApprox::Erf),
        "tanh" => Ok(GeluApprox::Tanh),
        other => Err(value_err(format!("gelu: approximate must be 'none' or 'tanh', got {other:?}"))),
    }
}

/// The `OverflowError` for the first Python int outside int64 in `obj` (an int or a flat
/// sequence), if there is one: such an int is out of range, not of the wrong type.
fn int_overflow(obj: &Bound<'_, PyAny>, what: &str) -> Option<PyErr> {
    let items: Vec<Bound<'_, PyAny>> = match obj.try_iter() {
        Ok(items) => items.flatten().collect(),
        Err(_) => vec![obj.clone()],
    };
    let int = |o: &Bound<'_, PyAny>| o.is_instance_of::<PyInt>() && !o.is_instance_of::<PyBool>();
    items.iter().filter(|o| int(o)).find_map(|o| int64(o, what).err())
}

/// Ints given as separate arguments (`t.permute(1, 0)`) or as one sequence (`t.permute((1, 0))`),
/// the two spellings PyTorch's size- and dim-taking methods accept.
pub fn int_args(what: &str, args: &Bound<'_, PyTuple>) -> PyResult<Vec<isize>> {
    let bad = |obj: &Bound<'_, PyAny>| {
        // An int outside int64 is an overflow (as for every other int argument), not a wrong type.
        if let Some(e) = int_overflow(obj, what) {
            return e;
        }
        type_err(format!(
            "{what} takes ints or one tuple of ints, got {}",
            obj.repr().map(|r| r.to_string()).unwrap_or_default()
        ))
    };
    if args.len() == 1 {
        let only = args.get_item(0)?;
        if only.extract::<isize>().is_err() {
            return only.extract().map_err(|_| bad(&only));
        }
    }
    args.extract().map_err(|_| bad(args.as_any()))
}

/// The size of a creation function (`zeros(2, 3)` or `zeros((2, 3))`, as PyTorch's): ints as
/// separate arguments or one sequence, none negative. `op` names the function in errors.
pub fn size_args(op: &str, args: &Bound<'_, PyTuple>) -> PyResult<Vec<usize>> {
    if args.is_empty() {
        return Err(type_err(format!("{op}() missing its size: give ints (`{op}(2, 3)`) or one tuple of ints")));
    }
    let dims = int_args(op, args)?;
    if let Some(d) = dims.iter().find(|&&d| d < 0) {
        return Err(value_err(format!("{op}: trying to create a tensor with negative dimension {d}: {dims:?}")));
    }
    Ok(dims.into_iter().map(|d| d as usize).collect())
}

/// The argument `what` of `op` as a `u64`: a `TypeError` unless it is a Python int (a bool is
/// not), a `ValueError` saying it must be `expected` when it is negative or too large.
pub fn u64_arg(op: &str, what: &str, expected: &str, obj: &Bound<'_, PyAny>) -> PyResult<u64> {
    if !obj.is_instance_of::<PyInt>() || obj.is_instance_of::<PyBool>() {
        return Err(type_err(format!("{op}: {what} must be an int, got '{}'", type_name(obj))));
    }
    obj.extract::<u64>().map_err(|_| value_err(format!("{op}: {what} must be {expected}, got {obj}")))
}

/// A sequence of ints given as one argument (`broadcast_to(t, (2, 3))`); `-1` allowed.
pub struct IntSeq(pub Vec<isize>);

impl<'a, 'py> FromPyObject<'a, 'py> for IntSeq {
    type Error = PyErr;
    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        match obj.extract::<isize>() {
            Ok(n) => Ok(IntSeq(vec![n])),
            Err(_) => obj.extract().map(IntSeq).map_err(|_| {
                type_err(format!(
                    "expected an int or a tuple of ints, got {}",
                    obj.repr().map(|r| r.to_string()).unwrap_or_default()
                ))
            }),
        }
    }
}

/// The other operand of `@`: a tensor or a NumPy array (copied); `None` for anything else
/// (scalars included: `@` has no scalar form), so the operator returns `NotImplemented`.
pub fn matmul_operand(obj: &Bound<'_, PyAny>) -> PyResult<Option<Tensor>> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(Some(t.get().tensor()));
    }
    match obj.cast::<PyUntypedArray>() {
        Ok(arr) => operand_from_array(arr).map(Some),
        Err(_) => Ok(None),
    }
}

/// The right operand of an in-place operator (`t += x`), accepted when its type is one a binary
/// op supports; otherwise extraction fails and pyo3 returns `NotImplemented`, so Python raises
/// its usual `TypeError: unsupported operand type(s) for +=`.
pub struct InplaceOperand<'py>(pub Bound<'py, PyAny>);

impl<'a, 'py> FromPyObject<'a, 'py> for InplaceOperand<'py> {
    type Error = PyErr;
    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let supported = obj.is_instance_of::<PyTensor>()
            || obj.is_instance_of::<PyFloat>()
            || obj.is_instance_of::<PyInt>()
            || obj.is_instance_of::<PyUntypedArray>()
            || is_numpy_scalar(&obj)?;
        if supported {
            Ok(InplaceOperand(obj.to_owned()))
        } else {
            Err(type_err(format!("unsupported operand type {}", obj.get_type())))
        }
    }
}

/// A count argument `what` of `op` (a size, a number of steps or samples): a `ValueError`
/// naming both when it is negative.
pub fn count(op: &str, what: &str, v: i64) -> PyResult<usize> {
    usize::try_from(v).map_err(|_| value_err(format!("{op}: {what} must be non-negative, got {v}")))
}
