//! Python bindings for RustTorch (placeholder: only `__version__` for now).

use pyo3::prelude::*;

/// Native core of the `rusttorch` Python package.
#[pymodule]
fn _rusttorch(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
