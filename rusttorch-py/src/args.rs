//! Argument types shared by methods and functions: shapes (`int` or sequence of ints), dims
//! (`int`, sequence or `None`), tensor-like inputs and binary operands.

use crate::errors::{type_err, value_err};
use crate::numpy::{numpy_scalar_value, operand_from_array, tensor_from_data};
use crate::tensor::PyTensor;
use ::numpy::PyUntypedArray;
use pyo3::prelude::*;
use pyo3::types::{PyFloat, PyInt};
use rusttorch_ir::{GeluApprox, Tensor};

/// A shape: an int or a sequence of ints, none negative.
pub struct ShapeArg(pub Vec<usize>);

impl<'a, 'py> FromPyObject<'a, 'py> for ShapeArg {
    type Error = PyErr;
    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let dims: Vec<i64> = match obj.extract::<i64>() {
            Ok(n) => vec![n],
            Err(_) => obj.extract().map_err(|_| {
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
            Ok(t) => Ok(TensorArg(t.get().0.clone())),
            Err(_) => tensor_from_data(&obj.to_owned(), None).map(TensorArg),
        }
    }
}

/// The other operand of a binary op with a tensor.
pub enum Operand {
    /// A tensor (NumPy arrays become one).
    Tensor(Tensor),
    /// A Python or NumPy real scalar: it takes the tensor's dtype.
    Scalar(f64),
}

/// `obj` as an operand of a binary op with a tensor of `like`'s dtype; `None` when its type is
/// not supported at all (the operator then returns `NotImplemented`).
pub fn operand(obj: &Bound<'_, PyAny>, like: &Tensor) -> PyResult<Option<Operand>> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(Some(Operand::Tensor(t.get().0.clone())));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Ok(Some(Operand::Scalar(f.value())));
    }
    if obj.is_instance_of::<PyInt>() {
        return Ok(Some(Operand::Scalar(obj.extract::<f64>()?)));
    }
    if let Ok(arr) = obj.cast::<PyUntypedArray>() {
        return operand_from_array(arr, like.dtype()).map(|t| Some(Operand::Tensor(t)));
    }
    Ok(numpy_scalar_value(obj)?.map(Operand::Scalar))
}

/// The `approximate=` argument of `gelu`.
pub fn gelu_approx(approximate: &str) -> PyResult<GeluApprox> {
    match approximate {
        "none" => Ok(GeluApprox::Erf),
        "tanh" => Ok(GeluApprox::Tanh),
        other => Err(value_err(format!("gelu: approximate must be 'none' or 'tanh', got {other:?}"))),
    }
}
