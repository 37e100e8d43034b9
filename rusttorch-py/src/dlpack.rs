//! DLPack exchange (the Python Array API's `__dlpack__` / `from_dlpack`) over dlpark's ABI types:
//! out, a tensor's evaluated buffer shared read-only with its strides; in, a producer's memory
//! wrapped without a copy when it is C-contiguous, kept alive by the tensor through its deleter.

use crate::errors::{guard, type_err, type_name, value_err};
use crate::handle::{eval_all, PyTensor};
use dlpark::ffi::{DLDataType, DLDataTypeCode, DLDevice, DLDeviceType, DLManagedTensor, DLManagedTensorVersioned};
use dlpark::metadata::Dynamic;
use dlpark::python::{ExportAbi, ExportRequest, ImportedDlpack};
use dlpark::{DlpackFlags, Managed, ManagedTensorBase};
use pyo3::exceptions::{PyAttributeError, PyBufferError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict};
use rusttorch_ir::view::StridedView;
use rusttorch_ir::{Buffer, DType, Error, Tensor};
use std::ffi::c_void;
use std::ptr::NonNull;

/// Every dtype RustTorch and DLPack share, by RustTorch name, the one place where they meet. A
/// row whose name this build's `DType::from_name` does not know is skipped, so the rows of dtypes
/// being added (int8..uint64, float16, bfloat16) are here already and take effect with them; a
/// later dtype is one more row.
const DTYPES: &[(&str, DLDataType)] = &[
    ("float32", DLDataType::F32),
    ("float64", DLDataType::F64),
    ("int32", DLDataType::I32),
    ("int64", DLDataType::I64),
    ("bool", DLDataType::BOOL),
    ("int8", DLDataType::I8),
    ("int16", DLDataType::I16),
    ("uint8", DLDataType::U8),
    ("uint16", DLDataType::U16),
    ("uint32", DLDataType::U32),
    ("uint64", DLDataType::U64),
    ("float16", DLDataType::scalar(DLDataTypeCode::FLOAT, 16)),
    ("bfloat16", DLDataType::scalar(DLDataTypeCode::BFLOAT, 16)),
];

/// The rows of [`DTYPES`] whose dtype this build has.
fn dtype_rows() -> impl Iterator<Item = (DType, DLDataType)> {
    DTYPES.iter().filter_map(|&(name, t)| DType::from_name(name).filter(|d| d.name() == name).map(|d| (d, t)))
}

/// The DLPack type of a RustTorch dtype.
fn dl_dtype(d: DType) -> PyResult<DLDataType> {
    dtype_rows()
        .find(|&(x, _)| x == d)
        .map(|(_, t)| t)
        .ok_or_else(|| type_err(format!("__dlpack__: the dtype {d} has no DLPack type in dlpack.rs's DTYPES")))
}

/// The RustTorch dtype of a DLPack type; a `TypeError` naming it when there is none.
fn from_dl_dtype(t: DLDataType) -> PyResult<DType> {
    dtype_rows().find(|(_, x)| x.matches(t)).map(|(d, _)| d).ok_or_else(|| {
        type_err(format!(
            "from_dlpack: unsupported dtype {} (RustTorch has {})",
            dl_dtype_name(t),
            dtype_rows().map(|(d, _)| d.name()).collect::<Vec<_>>().join(", ")
        ))
    })
}

/// A DLPack type as NumPy and PyTorch name it (`complex64`, `uint8`, `float8_e4m3fn`).
fn dl_dtype_name(t: DLDataType) -> String {
    let bits = t.bits;
    let base = match t.code {
        DLDataTypeCode::INT => format!("int{bits}"),
        DLDataTypeCode::UINT => format!("uint{bits}"),
        DLDataTypeCode::FLOAT => format!("float{bits}"),
        DLDataTypeCode::BFLOAT => format!("bfloat{bits}"),
        DLDataTypeCode::COMPLEX => format!("complex{bits}"),
        DLDataTypeCode::BOOL => "bool".to_string(),
        DLDataTypeCode::OPAQUEHANDLE => "opaque handle".to_string(),
        DLDataTypeCode::FLOAT8_E3M4 => "float8_e3m4".to_string(),
        DLDataTypeCode::FLOAT8_E4M3 => "float8_e4m3".to_string(),
        DLDataTypeCode::FLOAT8_E4M3B11FNUZ => "float8_e4m3b11fnuz".to_string(),
        DLDataTypeCode::FLOAT8_E4M3FN => "float8_e4m3fn".to_string(),
        DLDataTypeCode::FLOAT8_E4M3FNUZ => "float8_e4m3fnuz".to_string(),
        DLDataTypeCode::FLOAT8_E5M2 => "float8_e5m2".to_string(),
        DLDataTypeCode::FLOAT8_E5M2FNUZ => "float8_e5m2fnuz".to_string(),
        DLDataTypeCode::FLOAT8_E8M0FNU => "float8_e8m0fnu".to_string(),
        DLDataTypeCode::FLOAT6_E2M3FN => "float6_e2m3fn".to_string(),
        DLDataTypeCode::FLOAT6_E3M2FN => "float6_e3m2fn".to_string(),
        DLDataTypeCode::FLOAT4_E2M1FN => "float4_e2m1fn".to_string(),
        DLDataTypeCode(code) => format!("DLPack type code {code} of {bits} bits"),
    };
    if t.lanes == 1 {
        base
    } else {
        format!("{base} x {} lanes", t.lanes)
    }
}

/// Whether the CPU can read memory of this device directly (pinned and managed memory too, as
/// NumPy accepts).
fn cpu_readable(d: DLDevice) -> bool {
    [DLDeviceType::CPU, DLDeviceType::CUDAHOST, DLDeviceType::ROCMHOST, DLDeviceType::CUDAMANAGED]
        .contains(&d.device_type)
}

fn buffer_err(msg: impl Into<String>) -> PyErr {
    PyBufferError::new_err(msg.into())
}

// ------------------------------------------------------------------------------------- export

/// What `__dlpack__` shares: the elements and whether they are a fresh copy that the consumer
/// alone will see.
struct Export {
    view: StridedView,
    copied: bool,
}

/// Where the elements of `t` sit: a view of an evaluated buffer as it is, anything else
/// evaluated first.
fn evaluated_view(py: Python<'_>, t: &Tensor) -> PyResult<StridedView> {
    if let Some(v) = t.strided_view() {
        return Ok(v);
    }
    eval_all(py, std::slice::from_ref(t), true)?;
    guard(|| t.strided_view().ok_or_else(|| Error::Internal("evaluated tensor has no buffer".into())))
}

/// The elements of `t` to export: its evaluated layout (a view of an evaluated buffer keeps its
/// strides), or a contiguous copy when `copy=True` or when the view walks a dim backwards (PyTorch
/// refuses negative strides, and DLPack producers do not make them).
fn export_view(py: Python<'_>, t: &Tensor, copy: Option<bool>) -> PyResult<Export> {
    let view = evaluated_view(py, t)?;
    let reversed = view.layout.strides.iter().zip(t.dims()).any(|(&s, &d)| s < 0 && d > 1);
    if copy != Some(true) && !reversed {
        return Ok(Export { view, copied: false });
    }
    if copy == Some(false) {
        return Err(buffer_err(
            "__dlpack__: copy=False, but this view walks a dim backwards (negative strides), which DLPack \
             consumers do not take; export a copy (copy=None or True)",
        ));
    }
    let item = view.buffer.dtype().size_of() as isize;
    let byte_strides: Vec<isize> = view.layout.strides.iter().map(|&s| s * item).collect();
    // SAFETY: the layout comes from the view ops over this buffer, so every index it reaches from
    // the offset is an element of the buffer (the offset itself is one when the view is not empty).
    let buffer = guard(|| unsafe {
        let first = view.buffer.as_ptr().offset(view.layout.offset as isize * item);
        Buffer::copy_strided(first, view.buffer.dtype(), t.dims(), &byte_strides)
    })?;
    let layout = rusttorch_ir::view::contiguous(t.shape());
    Ok(Export { view: StridedView { buffer, layout }, copied: true })
}

/// A fresh managed tensor of either ABI over `export`, owning a handle to its buffer (which keeps
/// the memory alive and immutable: an executor never reuses a buffer with a second handle).
fn managed<M: ManagedTensorBase>(export: Export, dims: &[usize]) -> PyResult<Managed<M>> {
    let Export { view, copied } = export;
    let dtype = view.buffer.dtype();
    let numel: usize = dims.iter().product();
    let data = if numel == 0 {
        // Consumers never read an empty tensor's data, but some want it aligned.
        NonNull::<u64>::dangling().as_ptr() as *mut c_void
    } else {
        // SAFETY: a non-empty view's offset indexes an element of its buffer.
        unsafe { view.buffer.as_ptr().add(view.layout.offset * dtype.size_of()) as *mut c_void }
    };
    let shape: Vec<i64> = dims.iter().map(|&d| d as i64).collect();
    let strides: Vec<i64> = view.layout.strides.iter().map(|&s| s as i64).collect();
    let mut init = Dynamic::new(shape, strides)
        .initialize_as::<M>(Box::new(view.buffer))
        .map_err(|e| value_err(format!("__dlpack__: {e}")))?;
    init.set_data(data).set_dtype(dl_dtype(dtype)?).set_device(DLDevice::CPU);
    // A copy is the consumer's alone and writable; anything else is a shared, immutable buffer.
    let flags = if copied { DlpackFlags::IS_COPIED } else { DlpackFlags::READ_ONLY };
    // SAFETY: IS_COPIED is set only on a buffer made for this export, whose one handle the
    // managed tensor holds; READ_ONLY asserts less than the memory allows.
    unsafe { init.set_flags_unchecked(flags) };
    // SAFETY: `data` points into the buffer the managed tensor owns (or is an aligned dangling
    // pointer for an empty tensor), shape and strides describe elements inside it, dtype and
    // device are the buffer's, and the flags are true (above).
    Ok(unsafe { init.finish() })
}

/// `Tensor.__dlpack__`: a DLPack capsule over the tensor's evaluated memory, versioned
/// (`"dltensor_versioned"`, read-only flag set) when the consumer's `max_version` is 1.x or more,
/// legacy (`"dltensor"`) otherwise.
fn dlpack_capsule(
    py: Python<'_>,
    t: &Tensor,
    stream: Option<&Bound<'_, PyAny>>,
    max_version: Option<(u32, u32)>,
    dl_device: Option<(u32, i32)>,
    copy: Option<bool>,
) -> PyResult<Py<PyAny>> {
    if let Some(s) = stream {
        return Err(value_err(format!("__dlpack__: stream must be None for a CPU tensor, got {s}")));
    }
    let request = ExportRequest::parse(None, max_version, dl_device, copy)?;
    if let Some(d) = request.device().filter(|&d| d != DLDevice::CPU) {
        return Err(buffer_err(format!(
            "__dlpack__: cannot export to DLPack device ({}, {}): RustTorch tensors live on the CPU, (1, 0)",
            d.device_type.0, d.device_id
        )));
    }
    let export = export_view(py, t, copy)?;
    let capsule = match request.abi() {
        ExportAbi::Versioned => managed::<DLManagedTensorVersioned>(export, t.dims())?.into_pyobject(py)?,
        ExportAbi::Legacy => managed::<DLManagedTensor>(export, t.dims())?.into_pyobject(py)?,
    };
    Ok(capsule.unbind())
}

/// The address of the first element of `t` (evaluated first if needed), 0 for an empty tensor.
fn data_ptr(py: Python<'_>, t: &Tensor) -> PyResult<usize> {
    if t.numel() == 0 {
        return Ok(0);
    }
    let view = evaluated_view(py, t)?;
    Ok(view.buffer.as_ptr() as usize + view.layout.offset * view.buffer.dtype().size_of())
}

#[pymethods]
impl PyTensor {
    /// The DLPack capsule of the tensor (Python Array API): its evaluated memory, shared without
    /// a copy and marked read-only (a copy with ``copy=True``, or for a view with negative
    /// strides). A ``max_version`` of ``(1, 0)`` or later gets a versioned capsule, else a legacy
    /// one. ``stream`` must be None (a CPU tensor), ``dl_device`` None or ``(1, 0)``.
    #[pyo3(signature = (*, stream = None, max_version = None, dl_device = None, copy = None))]
    fn __dlpack__(
        &self,
        py: Python<'_>,
        stream: Option<&Bound<'_, PyAny>>,
        max_version: Option<(u32, u32)>,
        dl_device: Option<(u32, i32)>,
        copy: Option<bool>,
    ) -> PyResult<Py<PyAny>> {
        dlpack_capsule(py, &self.tensor(), stream, max_version, dl_device, copy)
    }

    /// The DLPack device of the tensor: ``(1, 0)``, the CPU.
    fn __dlpack_device__(&self) -> (u32, i32) {
        (DLDeviceType::CPU.0, 0)
    }

    /// The address of the first element (evaluates the tensor first), as PyTorch's; 0 for an
    /// empty tensor.
    fn data_ptr(&self, py: Python<'_>) -> PyResult<usize> {
        data_ptr(py, &self.tensor())
    }
}

// ------------------------------------------------------------------------------------- import

/// `device=` of `from_dlpack`: None or the CPU (`"cpu"`, or a device object printing as it).
fn wants_cpu(device: Option<&Bound<'_, PyAny>>) -> PyResult<bool> {
    let Some(d) = device.filter(|d| !d.is_none()) else { return Ok(false) };
    let name = d.str()?.to_string();
    if name == "cpu" {
        Ok(true)
    } else {
        Err(value_err(format!(
            "from_dlpack: device must be 'cpu' or None (RustTorch tensors live on the CPU), got {name:?}"
        )))
    }
}

/// The capsule `x` exports: `x.__dlpack__(max_version=(1, 3), copy=...)`, retried without
/// arguments for a producer that predates them (a `TypeError`, as the standard says); a
/// producer off the CPU is asked for a CPU copy when `to_cpu`.
fn capsule_of<'py>(x: &Bound<'py, PyAny>, to_cpu: bool, copy: Option<bool>) -> PyResult<Bound<'py, PyAny>> {
    let py = x.py();
    if x.is_instance_of::<PyCapsule>() {
        return Ok(x.clone());
    }
    let method = x.getattr(pyo3::intern!(py, "__dlpack__")).map_err(|_| {
        type_err(format!(
            "from_dlpack: expected an array supporting DLPack (with __dlpack__: a Tensor, a NumPy array, a \
             torch tensor...) or a DLPack capsule, got {}",
            type_name(x)
        ))
    })?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("max_version", (dlpark::ffi::DLPACK_MAJOR_VERSION, dlpark::ffi::DLPACK_MINOR_VERSION))?;
    if let Some(c) = copy {
        kwargs.set_item("copy", c)?;
    }
    let device = match x.call_method0(pyo3::intern!(py, "__dlpack_device__")) {
        Ok(d) => Some(d),
        Err(e) if e.is_instance_of::<PyAttributeError>(py) => None,
        Err(e) => return Err(e),
    };
    if let Some(dev) = device {
        let (kind, id): (u32, i32) = dev.extract()?;
        let device = DLDevice { device_type: DLDeviceType(kind), device_id: id };
        if !cpu_readable(device) {
            if !to_cpu {
                return Err(buffer_err(format!(
                    "from_dlpack: the array is on DLPack device ({kind}, {id}), not the CPU; pass device='cpu' \
                     to ask its producer for a CPU copy"
                )));
            }
            kwargs.set_item("dl_device", (DLDeviceType::CPU.0, 0))?;
        }
    }
    match method.call((), Some(&kwargs)) {
        Err(e) if e.is_instance_of::<PyTypeError>(py) && !kwargs.contains("dl_device")? => method.call0(),
        r => r,
    }
}

/// Whether a layout in bytes is row-major without gaps (size-1 dims ignored).
fn is_c_contiguous(dims: &[usize], byte_strides: &[isize], item: usize) -> bool {
    let mut expected = item as isize;
    for (&d, &s) in dims.iter().zip(byte_strides).rev() {
        if d != 1 && s != expected {
            return false;
        }
        expected *= d as isize;
    }
    true
}

/// A tensor over an imported DLPack tensor: its memory wrapped without a copy when it is
/// C-contiguous and aligned (the tensor then owns the producer's deleter), else (or with
/// `copy=True`) a row-major copy, after which the producer's memory is released at once.
fn tensor_of(imported: ImportedDlpack, copy: Option<bool>) -> PyResult<Tensor> {
    let tensor = imported.validate().map_err(|e| buffer_err(format!("from_dlpack: {e}")))?;
    let device = tensor.device();
    if !cpu_readable(device) {
        return Err(buffer_err(format!(
            "from_dlpack: the array is on DLPack device ({}, {}), not the CPU",
            device.device_type.0, device.device_id
        )));
    }
    let dtype = from_dl_dtype(tensor.dtype())?;
    let item = dtype.size_of();
    let dims: Vec<usize> = tensor.shape().iter().map(|&d| d as usize).collect();
    let strides = tensor.strides_or_compact().map_err(|e| buffer_err(format!("from_dlpack: {e}")))?;
    let byte_strides: Vec<isize> = strides.iter().map(|&s| s as isize * item as isize).collect();
    let numel = tensor.num_elements();
    let ptr = if numel == 0 {
        NonNull::<u64>::dangling().as_ptr() as *const u8
    } else {
        // SAFETY: the producer's data pointer plus its byte offset is the first element.
        unsafe { (tensor.data_ptr() as *const u8).add(tensor.byte_offset() as usize) }
    };
    let copied_by_producer = imported.flags().contains(DlpackFlags::IS_COPIED);
    let wrappable = numel > 0 && is_c_contiguous(&dims, &byte_strides, item) && (ptr as usize).is_multiple_of(item);
    if copy == Some(false) && (!wrappable && numel > 0 || copied_by_producer) {
        return Err(buffer_err(
            "from_dlpack: copy=False, but the array is not C-contiguous and aligned (or its producer copied \
             it), so a copy is needed",
        ));
    }
    let buffer = if wrappable && (copy != Some(true) || copied_by_producer) {
        // Dropping the owner calls the producer's deleter once, from whichever thread drops the
        // buffer's last handle (DLPack deleters may run on any thread).
        let owner = Box::new(imported.into_deleter());
        // SAFETY: the producer guarantees `numel` elements of its dtype (matched to `dtype` above)
        // at `ptr`, C-contiguous and aligned (checked), valid until its deleter runs, which
        // `owner` does when the buffer's last handle is dropped. RustTorch never writes into a
        // buffer it did not allocate, so a read-only producer's memory stays unwritten.
        unsafe { Buffer::from_external(ptr, numel, dtype, owner) }
    } else {
        // SAFETY: the producer guarantees an element of `dtype` at every index its shape and
        // strides reach from `ptr`, readable while `imported` lives (to the end of this scope).
        guard(|| unsafe { Buffer::copy_strided(ptr, dtype, &dims, &byte_strides) })?
    };
    guard(|| Tensor::from_buffer(buffer, &dims[..]))
}

/// A tensor from ``x`` (Python Array API): anything with ``__dlpack__`` (a Tensor, a NumPy
/// array, a torch tensor...) or a DLPack capsule. It shares the memory of ``x`` (kept alive by the
/// tensor) when it is C-contiguous, else copies it; ``copy=True`` always copies, ``copy=False``
/// raises ``BufferError`` rather than copy. ``device`` may be None or ``"cpu"`` (which asks a
/// producer on another device for a CPU copy).
#[pyfunction]
#[pyo3(signature = (x, *, device = None, copy = None))]
pub fn from_dlpack(x: &Bound<'_, PyAny>, device: Option<&Bound<'_, PyAny>>, copy: Option<bool>) -> PyResult<PyTensor> {
    let to_cpu = wants_cpu(device)?;
    let capsule = capsule_of(x, to_cpu, copy)?;
    if !capsule.is_instance_of::<PyCapsule>() {
        return Err(type_err(format!(
            "from_dlpack: __dlpack__ returned {}, not a DLPack capsule",
            type_name(&capsule)
        )));
    }
    let imported = dlpark::python::from_dlpack(capsule.as_borrowed(), None, None)?;
    tensor_of(imported, copy).map(PyTensor::from)
}
