//! Error mapping at the Python boundary: each RustTorch error variant becomes the matching Python
//! exception, and a Rust panic becomes a `RuntimeError` (never a `PanicException`).

use pyo3::exceptions::{
    PyIndexError, PyKeyboardInterrupt, PyMemoryError, PyNotImplementedError, PyRuntimeError, PyTypeError, PyValueError,
};
use pyo3::prelude::*;
use rusttorch_exec::PreparedEval;
use rusttorch_ir::Error;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

pyo3::import_exception!(pickle, UnpicklingError);

/// The Python exception for a RustTorch error.
pub fn to_py_err(e: Error) -> PyErr {
    let msg = e.to_string();
    // Exhaustive on purpose: a new variant must be given its Python exception here.
    match e {
        Error::ShapeMismatch { .. }
        | Error::DuplicateDim { .. }
        | Error::EmptyReduction { .. }
        | Error::BufferLength { .. }
        | Error::BadReshape { .. }
        | Error::ConcatSize { .. }
        | Error::ConcatRank { .. }
        | Error::StackShape { .. }
        | Error::BadShape { .. }
        | Error::BadArgument { .. }
        | Error::BadInput { .. }
        | Error::Unbound { .. }
        | Error::TooFewDims { .. } => PyValueError::new_err(msg),
        Error::DimOutOfRange { .. }
        | Error::IndexOutOfRange { .. }
        | Error::TooManyIndices { .. }
        | Error::MultipleEllipsis
        | Error::MaskShape { .. }
        | Error::ClassIndex { .. } => PyIndexError::new_err(msg),
        Error::UnsupportedDType { .. } | Error::DTypeMismatch { .. } | Error::BadType { .. } => {
            PyTypeError::new_err(msg)
        }
        Error::OutOfMemory { .. } => PyMemoryError::new_err(msg),
        Error::Internal(_) | Error::Donated { .. } | Error::InplaceCast { .. } | Error::Autograd { .. } => {
            PyRuntimeError::new_err(msg)
        }
        Error::Interrupted => PyKeyboardInterrupt::new_err(msg),
        Error::NotImplemented { .. } => PyNotImplementedError::new_err(msg),
        Error::GraphVersion { .. } | Error::CorruptGraph { .. } => UnpicklingError::new_err(msg),
    }
}

/// Runs `f`, mapping its error to a Python exception and a panic to `RuntimeError`.
#[inline]
pub fn guard<T>(f: impl FnOnce() -> rusttorch_ir::Result<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r.map_err(to_py_err),
        Err(payload) => Err(panic_err(payload)),
    }
}

/// Time between two looks at Python's signal handlers while an evaluation runs.
const SIGNAL_PERIOD: Duration = Duration::from_millis(50);

/// Runs `eval` like [`guard`], with the GIL released (other Python threads go on) and
/// Ctrl-C honoured: the evaluation runs on an engine worker while this thread takes the GIL
/// back every 50 ms to run Python's signal handlers; when one raises (`KeyboardInterrupt` for
/// SIGINT), the evaluation is cancelled, waited for (it stops at its next kernel or task) and
/// that exception is raised. The tensors stay lazy and can be evaluated again.
pub fn run_interruptible(py: Python<'_>, eval: PreparedEval<'_>) -> PyResult<()> {
    let mut raised: Option<PyErr> = None;
    let result = py.detach(|| {
        let mut signalled = || Python::attach(|py| py.check_signals()).map_err(|e| raised = Some(e)).is_err();
        catch_unwind(AssertUnwindSafe(|| eval.run_watched(SIGNAL_PERIOD, &mut signalled))).map_err(panic_message)
    });
    if let Some(e) = raised {
        return Err(e);
    }
    match result {
        Ok(r) => r.map_err(to_py_err),
        Err(msg) => Err(PyRuntimeError::new_err(msg)),
    }
}

fn panic_err(payload: Box<dyn std::any::Any + Send>) -> PyErr {
    PyRuntimeError::new_err(panic_message(payload))
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    format!("internal error in rusttorch (a bug, please report it): {what}")
}

/// `TypeError` with `msg`.
pub fn type_err(msg: impl Into<String>) -> PyErr {
    PyTypeError::new_err(msg.into())
}

/// `ValueError` with `msg`.
pub fn value_err(msg: impl Into<String>) -> PyErr {
    PyValueError::new_err(msg.into())
}

/// The name of `obj`'s type, for messages (`'float'`).
pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_default()
}
