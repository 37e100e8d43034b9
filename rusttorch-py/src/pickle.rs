//! `pickle` of tensors: a lazy tensor as its graph (not evaluated), an evaluated one as its
//! values; the graph is `rusttorch_ir::serial`'s versioned blob, the values of its evaluated
//! tensors travel beside it as buffers, out of band with protocol 5 (docs/pickle.md).

use crate::errors::guard;
use crate::handle::PyTensor;
use pyo3::buffer::PyUntypedBuffer;
use pyo3::exceptions::PyBufferError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};
use rusttorch_ir::serial::{self, LeafSpec};
use rusttorch_ir::{Buffer, Tensor};
use std::os::raw::c_int;

/// The bytes of a tensor's buffer as a read-only Python buffer (no copy), which
/// `pickle.PickleBuffer` hands to the pickler out of band.
#[pyclass(name = "_LeafBytes", module = "rusttorch", frozen)]
pub struct LeafBytes {
    buffer: Buffer,
}

#[pymethods]
impl LeafBytes {
    /// Exports the buffer's bytes, read-only, as one contiguous run of unsigned bytes.
    unsafe fn __getbuffer__(slf: Bound<'_, Self>, view: *mut ffi::Py_buffer, flags: c_int) -> PyResult<()> {
        let b = &slf.get().buffer;
        let len = (b.len() * b.dtype().size_of()) as ffi::Py_ssize_t;
        // SAFETY: `view` is the struct Python asks us to fill; the memory is `len` bytes of an
        // immutable buffer that lives as long as `slf`, which the view holds (FillInfo takes a
        // reference to it) until it is released. Read-only (`1`): a writable request fails.
        let r = unsafe { ffi::PyBuffer_FillInfo(view, slf.as_ptr(), b.as_ptr() as *mut _, len, 1, flags) };
        if r < 0 {
            return Err(PyErr::fetch(slf.py()));
        }
        Ok(())
    }
}

/// `t.__reduce_ex__(protocol)`: `(rusttorch._rebuild_tensor, (blob, buffers))`.
pub fn reduce<'py>(py: Python<'py>, t: &Tensor, protocol: i64) -> PyResult<Bound<'py, PyTuple>> {
    let rebuild = py.import("rusttorch")?.getattr("_rebuild_tensor")?;
    PyTuple::new(py, [rebuild, serialize(py, std::slice::from_ref(t), protocol)?.into_any()])
}

/// The graph computing `outputs` as `(blob, buffers)`: the buffers as `PickleBuffer`s for
/// protocol 5 and later (out of band when the pickler has a `buffer_callback`), as `bytes`
/// before.
pub fn serialize<'py>(py: Python<'py>, outputs: &[Tensor], protocol: i64) -> PyResult<Bound<'py, PyTuple>> {
    let s = guard(|| serial::serialize(outputs))?;
    let buffers = PyList::empty(py);
    let pickle_buffer = if protocol >= 5 { Some(py.import("pickle")?.getattr("PickleBuffer")?) } else { None };
    for b in s.buffers {
        let item = match &pickle_buffer {
            Some(pb) => pb.call1((Bound::new(py, LeafBytes { buffer: b })?,))?,
            None => bytes_of(py, &b)?.into_any(),
        };
        buffers.append(item)?;
    }
    PyTuple::new(py, [PyBytes::new(py, &s.blob).into_any(), buffers.into_any()])
}

/// A copy of a buffer's bytes.
fn bytes_of<'py>(py: Python<'py>, b: &Buffer) -> PyResult<Bound<'py, PyBytes>> {
    let len = b.len() * b.dtype().size_of();
    // SAFETY: an evaluated buffer holds `len` initialised, immutable bytes while `b` lives.
    let bytes = unsafe { std::slice::from_raw_parts(b.as_ptr(), len) };
    Ok(PyBytes::new(py, bytes))
}

/// A leaf buffer from any object exporting the buffer protocol (`bytes`, `bytearray`,
/// `PickleBuffer`, `memoryview`, arrays): its memory as it is when contiguous and aligned (no
/// copy; the buffer keeps the object's export alive), else an aligned copy.
fn leaf_buffer(obj: &Bound<'_, PyAny>, spec: LeafSpec) -> PyResult<Buffer> {
    let view = PyUntypedBuffer::get(obj)?;
    if !view.is_c_contiguous() {
        return Err(PyBufferError::new_err("a tensor's buffer must be contiguous"));
    }
    let (ptr, len) = (view.buf_ptr() as *const u8, view.len_bytes());
    // SAFETY: a contiguous export holds `len` readable bytes at `ptr` until it is released, and
    // `view` is not released before the end of this function (or, below, the buffer's life).
    let bytes = if len == 0 { &[][..] } else { unsafe { std::slice::from_raw_parts(ptr, len) } };
    if !(ptr as usize).is_multiple_of(spec.dtype.size_of()) {
        return guard(|| serial::leaf_from_bytes(bytes, spec));
    }
    guard(|| serial::check_leaf_bytes(bytes, spec))?;
    // SAFETY: `ptr` holds `spec.len` elements of `spec.dtype` (length and bool bytes checked),
    // aligned (checked above); `view` owns the export that keeps them alive and moves into
    // the buffer. As with `from_numpy`, the exporter's memory is shared, not copied.
    Ok(unsafe { Buffer::from_external(ptr, spec.len as usize, spec.dtype, Box::new(view)) })
}

/// Rebuilds a pickled tensor from its graph blob and its leaf buffers (what `Tensor.__reduce_ex__`
/// returns); a blob of another format version or a damaged one raises `pickle.UnpicklingError`.
#[pyfunction]
pub fn _rebuild_tensor(blob: &[u8], buffers: Vec<Bound<'_, PyAny>>) -> PyResult<PyTensor> {
    Ok(PyTensor::from(rebuild(blob, buffers)?.remove(0)))
}

/// The tensors a blob and its leaf buffers describe ([`serialize`]'s result).
pub fn rebuild(blob: &[u8], buffers: Vec<Bound<'_, PyAny>>) -> PyResult<Vec<Tensor>> {
    let decoded = guard(|| serial::decode(blob))?;
    let leaves = decoded.leaves().to_vec();
    if buffers.len() != leaves.len() {
        return Err(crate::errors::to_py_err(rusttorch_ir::Error::CorruptGraph {
            reason: format!("it reads {} buffers, {} were given", leaves.len(), buffers.len()),
        }));
    }
    let bufs = buffers.iter().zip(leaves).map(|(o, spec)| leaf_buffer(o, spec)).collect::<PyResult<Vec<_>>>()?;
    guard(|| decoded.build(bufs))
}

#[pymethods]
impl PyTensor {
    /// ``pickle`` (protocol ``protocol``): a lazy tensor as its graph, not evaluated; an
    /// evaluated one as its values. Protocol 5 passes the values out of band (``PickleBuffer``).
    fn __reduce_ex__<'py>(&self, py: Python<'py>, protocol: i64) -> PyResult<Bound<'py, PyTuple>> {
        reduce(py, &self.tensor(), protocol)
    }

    /// ``__reduce_ex__`` for protocol 2 (in-band bytes).
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        reduce(py, &self.tensor(), 2)
    }
}
