//! `rusttorch.float32`, `float64`, `int32`, `int64`, `bool`: dtype objects, and parsing of every `dtype=`
//! argument (dtype objects, strings such as `"float32"`, NumPy dtypes and scalar types).

use crate::errors::type_err;
use ::numpy::{PyArrayDescr, PyArrayDescrMethods};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyString;
use rusttorch_ir::DType;

/// A tensor element type (`rusttorch.float32`, `float64`, `int32`, `int64`, `bool`).
#[pyclass(name = "dtype", module = "rusttorch", frozen)]
pub struct PyDType(pub DType);

#[pymethods]
impl PyDType {
    /// The NumPy-style name, e.g. ``"float32"``.
    #[getter]
    fn name(&self) -> &'static str {
        self.0.name()
    }

    /// Bytes per element.
    #[getter]
    fn itemsize(&self) -> usize {
        self.0.size_of()
    }

    /// The matching ``numpy.dtype``; ``numpy.dtype(rusttorch.float32)`` reads it.
    #[getter]
    fn numpy_dtype<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArrayDescr>> {
        to_descr(py, self.0)
    }

    /// The matching ``numpy.dtype`` under the attribute NumPy looks for, so that a dtype object
    /// is accepted wherever NumPy takes a dtype (``np.dtype(rt.int64)``, ``arr.astype(rt.float32)``).
    #[getter]
    fn dtype<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArrayDescr>> {
        to_descr(py, self.0)
    }

    /// Whether this is a floating-point dtype.
    #[getter]
    fn is_floating_point(&self) -> bool {
        self.0.is_float()
    }

    fn __repr__(&self) -> String {
        format!("rusttorch.{}", self.0.name())
    }

    fn __str__(&self) -> &'static str {
        self.0.name()
    }

    /// Equal to the same dtype in any accepted spelling (dtype object, name, NumPy dtype).
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        parse_dtype(other).is_ok_and(|d| d == self.0)
    }

    fn __ne__(&self, other: &Bound<'_, PyAny>) -> bool {
        !self.__eq__(other)
    }

    /// Hashes as its name does (Python's own `hash("float32")`), so a dtype and its name,
    /// which compare equal, are one key of a dict or set.
    fn __hash__(&self, py: Python<'_>) -> PyResult<isize> {
        PyString::new(py, self.0.name()).hash()
    }
}

/// The one dtype object for `d` (so `t.dtype is rusttorch.float32` holds).
pub fn dtype_object(py: Python<'_>, d: DType) -> Bound<'_, PyDType> {
    static OBJECTS: PyOnceLock<Vec<Py<PyDType>>> = PyOnceLock::new();
    let all = OBJECTS.get_or_init(py, || {
        DType::ALL.iter().map(|&d| Py::new(py, PyDType(d)).expect("allocating a dtype object")).collect()
    });
    let i = DType::ALL.iter().position(|&x| x == d).unwrap_or(0);
    all[i].bind(py).clone()
}

/// The RustTorch dtype of a NumPy dtype, if it has one.
pub fn from_descr(descr: &Bound<'_, PyArrayDescr>) -> Option<DType> {
    if descr.is_native_byteorder() == Some(false) || descr.has_fields() || descr.has_subarray() {
        return None;
    }
    numpy_dtype(descr)
}

/// The RustTorch dtype of a NumPy dtype of any byte order (`None` for complex, objects,
/// strings, ...). bfloat16 is `ml_dtypes.bfloat16`, the NumPy dtype JAX and PyTorch use.
pub fn numpy_dtype(descr: &Bound<'_, PyArrayDescr>) -> Option<DType> {
    Some(match (descr.kind(), descr.itemsize()) {
        (b'f', 2) => DType::F16,
        (b'f', 4) => DType::F32,
        (b'f', 8) => DType::F64,
        (b'i', 1) => DType::I8,
        (b'i', 2) => DType::I16,
        (b'i', 4) => DType::I32,
        (b'i', 8) => DType::I64,
        (b'u', 1) => DType::U8,
        (b'u', 2) => DType::U16,
        (b'u', 4) => DType::U32,
        (b'u', 8) => DType::U64,
        (b'b', 1) => DType::Bool,
        (b'V', 2) if descr.typeobj().name().is_ok_and(|n| n == "bfloat16") => DType::BF16,
        _ => return None,
    })
}

/// The NumPy dtype for a RustTorch dtype (bfloat16 needs the `ml_dtypes` package, which
/// defines NumPy's bfloat16; without it converting a bfloat16 tensor raises TypeError).
pub fn to_descr(py: Python<'_>, d: DType) -> PyResult<Bound<'_, PyArrayDescr>> {
    if d == DType::BF16 {
        let ml = py.import("ml_dtypes").map_err(|_| {
            type_err("bfloat16 has no NumPy dtype without the ml_dtypes package: convert with .float() first, or pip install ml_dtypes")
        })?;
        return PyArrayDescr::new(py, &ml.getattr("bfloat16")?);
    }
    // The typed descriptors are cached by rust-numpy; parsing a name costs a few hundred ns per
    // call, which `.numpy()` and `np.asarray(t)` would pay every time.
    Ok(match d {
        DType::F32 => ::numpy::dtype::<f32>(py),
        DType::F64 => ::numpy::dtype::<f64>(py),
        DType::I32 => ::numpy::dtype::<i32>(py),
        DType::I64 => ::numpy::dtype::<i64>(py),
        DType::Bool => ::numpy::dtype::<bool>(py),
        DType::I8 => ::numpy::dtype::<i8>(py),
        DType::I16 => ::numpy::dtype::<i16>(py),
        DType::U8 => ::numpy::dtype::<u8>(py),
        DType::U16 => ::numpy::dtype::<u16>(py),
        DType::U32 => ::numpy::dtype::<u32>(py),
        DType::U64 => ::numpy::dtype::<u64>(py),
        _ => return PyArrayDescr::new(py, d.name()),
    })
}

/// Any dtype spelling: a `rusttorch.dtype`, a name (`"float32"`, `"f8"`, ...), or whatever
/// `numpy.dtype(...)` accepts (`np.float32`, `np.dtype("float64")`, `float`).
pub fn parse_dtype(obj: &Bound<'_, PyAny>) -> PyResult<DType> {
    if let Ok(d) = obj.cast::<PyDType>() {
        return Ok(d.get().0);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        let s = s.to_cow()?;
        let name = s.strip_prefix("rusttorch.").or_else(|| s.strip_prefix("torch.")).unwrap_or(&s);
        return DType::from_name(name).ok_or_else(|| type_err(format!("unknown dtype {s:?}")));
    }
    let descr = PyArrayDescr::new(obj.py(), obj).map_err(|_| type_err(format!("not a dtype: {obj}")))?;
    from_descr(&descr).ok_or_else(|| type_err(format!("unsupported dtype {descr}")))
}

/// An optional `dtype=` argument (`None` when absent or `None`).
pub fn opt_dtype(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<DType>> {
    match obj {
        Some(o) if !o.is_none() => parse_dtype(o).map(Some),
        _ => Ok(None),
    }
}

/// The `dtype=` of `op` (`rand`/`randn`): float32 by default, and a float dtype.
pub fn float_dtype(op: &str, obj: Option<&Bound<'_, PyAny>>) -> PyResult<DType> {
    let d = opt_dtype(obj)?.unwrap_or(DType::F32);
    if d.is_float() {
        Ok(d)
    } else {
        Err(type_err(format!("{op}: dtype {d} is not supported here: random numbers are float32 or float64")))
    }
}
