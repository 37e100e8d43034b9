//! NumPy conversion. In: C-contiguous float32/float64/int32/int64/bool arrays are wrapped without
//! copying (the buffer keeps the array alive); anything else is copied through `numpy.array`. Out: a result buffer, or
//! a view (transpose, slice, expand...) of an evaluated buffer or of a user's array, becomes a read-only strided
//! ndarray over the same memory, whose base object keeps the buffer alive.

use crate::dtype::{from_descr, to_descr};
use crate::errors::{guard, type_err};
use crate::handle::{eval_all, PyTensor};
use ::numpy::npyffi::{_PyArray_GET_ITEM_DATA, get_type_object, NpyTypes, PY_ARRAY_API};
use ::numpy::{PyArray1, PyArrayDescr, PyArrayDescrMethods, PyArrayMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::exceptions::PyOverflowError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyInt, PyList, PyTuple, PyType};
use rusttorch_ir::view::StridedView;
use rusttorch_ir::{Buffer, DType, Scalar, ScalarKind, Tensor};
use std::os::raw::{c_int, c_void};
use std::ptr::NonNull;

/// Keeps a result buffer alive for as long as a NumPy array viewing it exists (its `.base`).
#[pyclass(name = "_BufferOwner", module = "rusttorch", frozen)]
pub struct BufferOwner {
    buffer: Buffer,
}

#[pymethods]
impl BufferOwner {
    fn __repr__(&self) -> String {
        format!("<rusttorch buffer of {} x {}>", self.buffer.len(), self.buffer.dtype())
    }
}

/// Keeps a NumPy array alive for as long as a buffer wrapping its memory exists.
/// (Dropping a `Py` without the GIL is safe: pyo3 defers the decref.)
struct ArrayOwner(#[allow(dead_code)] Py<PyAny>);

/// What a NumPy dtype becomes.
enum Kind {
    /// A dtype RustTorch stores as is (every real dtype with a RustTorch twin; either byte order).
    Native(DType),
    /// Another real dtype, converted: long double to float64.
    Converted(DType),
    /// complex, object, strings, structured, datetimes...
    Unsupported,
}

fn kind_of(descr: &Bound<'_, PyArrayDescr>) -> Kind {
    if descr.has_fields() || descr.has_subarray() {
        return Kind::Unsupported;
    }
    match crate::dtype::numpy_dtype(descr) {
        Some(d) => Kind::Native(d),
        None if descr.kind() == b'f' => Kind::Converted(DType::F64),
        None => Kind::Unsupported,
    }
}

impl Kind {
    /// The RustTorch dtype of an array of this kind.
    fn dtype(&self, descr: &Bound<'_, PyArrayDescr>) -> PyResult<DType> {
        match *self {
            Kind::Native(d) | Kind::Converted(d) => Ok(d),
            Kind::Unsupported => Err(unsupported(descr)),
        }
    }
}

fn unsupported(descr: &Bound<'_, PyArrayDescr>) -> PyErr {
    type_err(format!("cannot make a tensor from an array of dtype {descr}: only real numbers are supported"))
}

/// `rusttorch.from_numpy`: zero-copy for C-contiguous, aligned arrays of a native dtype
/// (float32/64, int32/64, bool); other layouts and other real dtypes are copied; complex,
/// object and string arrays are a `TypeError`.
pub fn from_numpy(obj: &Bound<'_, PyAny>) -> PyResult<Tensor> {
    let arr = obj
        .cast::<PyUntypedArray>()
        .map_err(|_| type_err(format!("from_numpy expects a numpy.ndarray, got {}", obj.get_type())))?;
    let descr = arr.dtype();
    let kind = kind_of(&descr);
    let d = kind.dtype(&descr)?;
    match kind {
        Kind::Native(_) => wrap_or_copy(arr, d),
        _ => copy_as(arr.as_any(), d),
    }
}

/// A tensor over `arr`'s memory when its layout allows, else over a C-contiguous copy.
fn wrap_or_copy(arr: &Bound<'_, PyUntypedArray>, dtype: DType) -> PyResult<Tensor> {
    if arr.is_c_contiguous() && arr.is_aligned() && from_descr(&arr.dtype()) == Some(dtype) {
        wrap(arr, dtype)
    } else {
        copy_as(arr.as_any(), dtype)
    }
}

/// Wraps a C-contiguous, aligned array of `dtype` without copying.
fn wrap(arr: &Bound<'_, PyUntypedArray>, dtype: DType) -> PyResult<Tensor> {
    let len = arr.len();
    // SAFETY: `arr` is a live ndarray, so its data pointer is valid.
    let ptr = unsafe { (*_PyArray_GET_ITEM_DATA(arr.as_array_ptr())).data } as *const u8;
    let owner = Box::new(ArrayOwner(arr.clone().into_any().unbind()));
    // SAFETY: the caller checked that `arr` is C-contiguous, aligned and of `dtype`, so `ptr`
    // points to `len` valid elements; `owner` keeps the array (and its memory) alive.
    let buf = unsafe { Buffer::from_external(ptr, len, dtype, owner) };
    guard(|| Tensor::from_buffer(buf, arr.shape()))
}

fn np_attr<'py>(py: Python<'py>, cell: &'static PyOnceLock<Py<PyAny>>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    cell.import(py, "numpy", name).cloned()
}

/// A tensor over a fresh C-contiguous copy of `obj` (anything `numpy.array` accepts) as `dtype`.
fn copy_as(obj: &Bound<'_, PyAny>, dtype: DType) -> PyResult<Tensor> {
    static ARRAY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let py = obj.py();
    let kwargs = PyDict::new(py);
    kwargs.set_item("dtype", to_descr(py, dtype)?)?;
    kwargs.set_item("order", "C")?;
    kwargs.set_item("copy", true)?;
    let copy = np_attr(py, &ARRAY, "array")?.call((obj,), Some(&kwargs))?;
    wrap(copy.cast::<PyUntypedArray>()?, dtype)
}

fn asarray<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyUntypedArray>> {
    static ASARRAY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    Ok(np_attr(obj.py(), &ASARRAY, "asarray")?.call1((obj,))?.cast_into::<PyUntypedArray>()?)
}

pub fn is_numpy_scalar(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    static GENERIC: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    obj.is_instance(GENERIC.import(obj.py(), "numpy", "generic")?)
}

/// `rusttorch.tensor(data, dtype)`: always copies. Without `dtype`, NumPy input (arrays,
/// NumPy scalars, tensors) keeps its dtype; Python data follows PyTorch: floats become float32,
/// ints int64, bools bool, and an int outside int64 is an `OverflowError`. Data of another
/// dtype than the result's is converted by RustTorch's cast rule (that of `.to()`), never
/// NumPy's, whose float-to-int casts of NaN, inf and out-of-range values are platform-defined.
pub fn tensor_from_data(obj: &Bound<'_, PyAny>, dtype: Option<DType>) -> PyResult<Tensor> {
    let typed_input =
        obj.is_instance_of::<PyUntypedArray>() || obj.is_instance_of::<PyTensor>() || is_numpy_scalar(obj)?;
    if !typed_input {
        check_python_ints(obj, "tensor")?;
    }
    let arr = asarray(obj)?;
    let descr = arr.dtype();
    let kind = kind_of(&descr);
    let inferred = kind.dtype(&descr)?;
    let dtype = match dtype {
        Some(d) => d,
        None if typed_input => inferred,
        None if inferred.is_float() => DType::F32,
        None if inferred.is_int() => DType::I64,
        None => inferred,
    };
    if dtype == inferred {
        return copy_as(arr.as_any(), dtype);
    }
    let data = match kind {
        Kind::Native(_) => wrap_or_copy(&arr, inferred)?,
        _ => copy_as(arr.as_any(), inferred)?,
    };
    let converted = guard(|| data.cast(dtype))?;
    eval_all(obj.py(), std::slice::from_ref(&converted), true)?;
    Ok(converted)
}

/// A NumPy array used as an operand of a tensor: it keeps its dtype (and then promotes as a
/// tensor would). Copied, so later writes to the array do not change the expression (use
/// `from_numpy` to share memory on purpose).
pub fn operand_from_array(arr: &Bound<'_, PyUntypedArray>) -> PyResult<Tensor> {
    let descr = arr.dtype();
    let d = kind_of(&descr).dtype(&descr)?;
    copy_as(arr.as_any(), d)
}

/// Class indices (a class loss's target) from an integer array or anything `numpy.asarray`
/// makes one of (nested lists of ints): the values (`i128` holds every int64 and uint64, so
/// range checks report a value as given) and the shape. `None` when the array holds no
/// integers, unless it is empty and not of `prob_shape` (an empty list of class indices).
pub fn class_indices(obj: &Bound<'_, PyAny>, prob_shape: &[usize]) -> PyResult<Option<(Vec<i128>, Vec<usize>)>> {
    let arr = asarray(obj)?;
    let shape = arr.shape().to_vec();
    let flat = arr.call_method0("ravel")?.cast_into::<PyUntypedArray>()?;
    match arr.dtype().kind() {
        b'i' => Ok(Some((indices_as::<i64>(&flat, "int64")?, shape))),
        b'u' => Ok(Some((indices_as::<u64>(&flat, "uint64")?, shape))),
        _ if arr.len() == 0 && shape != prob_shape => Ok(Some((Vec::new(), shape))),
        _ => Ok(None),
    }
}

fn indices_as<T: ::numpy::Element + Copy + Into<i128>>(
    arr: &Bound<'_, PyUntypedArray>,
    dtype: &str,
) -> PyResult<Vec<i128>> {
    let typed = arr.call_method1("astype", (dtype,))?.cast_into::<PyArray1<T>>()?;
    let values = typed.readonly().as_array().iter().map(|&v| v.into()).collect();
    Ok(values)
}

/// The value and kind of a real NumPy scalar (`np.float32(2)`, `np.int64(3)`,
/// `np.bool_(True)`), an integer exactly; `None` for other objects, a `TypeError` for complex or
/// non-numeric NumPy scalars, an `OverflowError` naming `op` for a `np.uint64` beyond int64.
pub fn numpy_scalar_value(obj: &Bound<'_, PyAny>, op: &str) -> PyResult<Option<(Scalar, ScalarKind)>> {
    if !is_numpy_scalar(obj)? {
        return Ok(None);
    }
    let descr = obj.getattr("dtype")?.cast_into::<PyArrayDescr>()?;
    let kind = match kind_of(&descr) {
        Kind::Unsupported => return Err(type_err(format!("unsupported operand of dtype {descr}"))),
        k => k.dtype(&descr)?.kind(),
    };
    let value = match kind {
        ScalarKind::Float => Scalar::new(obj.extract::<f64>()?),
        ScalarKind::Int => Scalar::int(int64(obj, op)?),
        ScalarKind::Bool => Scalar::from(obj.is_truthy()?),
    };
    Ok(Some((value, kind)))
}

/// A Python (or NumPy) int as an int64; outside its range an `OverflowError` naming `op` and
/// the value, as PyTorch refuses such ints rather than wrapping or rounding them.
pub fn int64(obj: &Bound<'_, PyAny>, op: &str) -> PyResult<i64> {
    obj.extract::<i64>().map_err(|_| {
        let v = obj.str().map(|s| s.to_string()).unwrap_or_default();
        PyOverflowError::new_err(format!(
            "{op}: the int {v} is out of the range of int64 (-2**63 to 2**63 - 1), which holds every \
             integer of a tensor"
        ))
    })
}

/// Refuses Python ints outside int64 anywhere in `obj`, a Python number or nested lists and
/// tuples of them: NumPy would turn them into a uint64, float64 or object array (wrapped,
/// rounded or refused values), where PyTorch raises `OverflowError`. Leaves are only
/// type-checked, so this costs a few nanoseconds per element.
fn check_python_ints<'py>(obj: &Bound<'py, PyAny>, op: &str) -> PyResult<()> {
    fn visit<'py>(o: Bound<'py, PyAny>, stack: &mut Vec<Bound<'py, PyAny>>, op: &str) -> PyResult<()> {
        if o.is_instance_of::<PyList>() || o.is_instance_of::<PyTuple>() {
            stack.push(o);
        } else if o.is_instance_of::<PyInt>() && !o.is_instance_of::<PyBool>() {
            int64(&o, op)?;
        }
        Ok(())
    }
    let mut stack = Vec::new();
    visit(obj.clone(), &mut stack, op)?;
    while let Some(o) = stack.pop() {
        if let Ok(list) = o.cast::<PyList>() {
            for item in list.iter() {
                visit(item, &mut stack, op)?;
            }
        } else if let Ok(tuple) = o.cast::<PyTuple>() {
            for item in tuple.iter() {
                visit(item, &mut stack, op)?;
            }
        }
    }
    Ok(())
}

/// A read-only ndarray over `view`'s memory (no copy), shaped `dims`, with the view's strides;
/// its base object keeps the buffer alive. Read-only like every array a tensor hands out:
/// buffers are immutable values that other tensors may share, and an expanded view repeats
/// elements (NumPy makes `broadcast_to` read-only for the same reason).
pub fn view_to_numpy<'py>(py: Python<'py>, view: StridedView, dims: &[usize]) -> PyResult<Bound<'py, PyAny>> {
    let StridedView { buffer: buf, layout } = view;
    let descr = to_descr(py, buf.dtype())?;
    let item = buf.dtype().size_of() as isize;
    let numel: usize = dims.iter().product();
    // NumPy never reads an empty array's data, but wants it aligned.
    let data = if numel == 0 {
        NonNull::<f64>::dangling().as_ptr() as *mut c_void
    } else {
        // SAFETY: the layout's offset indexes an element of the buffer (views only address
        // elements that exist), so the pointer stays inside the allocation.
        unsafe { buf.as_ptr().add(layout.offset * item as usize) as *mut c_void }
    };
    let mut npy_dims: smallvec::SmallVec<[::numpy::npyffi::npy_intp; 6]> = dims.iter().map(|&d| d as _).collect();
    let mut npy_strides: smallvec::SmallVec<[::numpy::npyffi::npy_intp; 6]> =
        layout.strides.iter().map(|&s| (s * item) as _).collect();
    let owner = Bound::new(py, BufferOwner { buffer: buf })?;
    // SAFETY: every index the dims and strides reach lies inside the buffer (the layout comes
    // from view ops over its tensor, and `descr` is its dtype); flags 0 makes the array
    // read-only. `PyArray_NewFromDescr` steals the descr reference, `PyArray_SetBaseObject`
    // steals the owner reference (and is given it even on failure, where NumPy releases it).
    unsafe {
        let arr = PY_ARRAY_API.PyArray_NewFromDescr(
            py,
            get_type_object(py, NpyTypes::PyArray_Type),
            descr.into_dtype_ptr(),
            dims.len() as c_int,
            npy_dims.as_mut_ptr(),
            npy_strides.as_mut_ptr(),
            data,
            0,
            std::ptr::null_mut(),
        );
        let arr = Bound::from_owned_ptr_or_err(py, arr)?;
        if PY_ARRAY_API.PyArray_SetBaseObject(py, arr.as_ptr().cast(), owner.into_ptr()) < 0 {
            return Err(PyErr::fetch(py));
        }
        Ok(arr)
    }
}

/// NumPy's `__array__(dtype, copy)` protocol over the zero-copy result array `arr`.
pub fn array_protocol<'py>(
    arr: Bound<'py, PyAny>,
    dtype: Option<&Bound<'py, PyAny>>,
    copy: Option<bool>,
) -> PyResult<Bound<'py, PyAny>> {
    let converted = match dtype {
        Some(d) if !d.is_none() => {
            let kwargs = PyDict::new(arr.py());
            kwargs.set_item("copy", false)?;
            arr.call_method("astype", (d,), Some(&kwargs))?
        }
        _ => arr.clone(),
    };
    let copied = !converted.is(&arr);
    match copy {
        Some(true) if !copied => converted.call_method0("copy"),
        Some(false) if copied => Err(crate::errors::value_err(
            "cannot convert the tensor to the requested dtype without a copy (copy=False)",
        )),
        _ => Ok(converted),
    }
}

/// `rusttorch._numpy_protocols.array_ufunc`: NumPy's ufunc table and its dispatch (Python).
pub static ARRAY_UFUNC: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
/// `rusttorch._numpy_protocols.array_function`: NumPy's function table and its dispatch.
pub static ARRAY_FUNCTION: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// A function of `rusttorch._numpy_protocols`, imported once: the NumPy protocol tables are
/// Python, where a new ufunc or function is one row.
pub fn protocol<'py>(py: Python<'py>, cell: &'static PyOnceLock<Py<PyAny>>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    cell.import(py, "rusttorch._numpy_protocols", name).cloned()
}
