//! Memory settings: the bound on large buffers the pool keeps idle for reuse.

use crate::errors::value_err;
use pyo3::prelude::*;

/// Sets the most bytes of freed large buffers kept for reuse; idle buffers beyond it are
/// given back to the operating system now (the oldest first). `0` disables pooling.
#[pyfunction]
pub fn set_pool_limit(bytes: i128) -> PyResult<()> {
    let bytes = usize::try_from(bytes)
        .map_err(|_| value_err(format!("set_pool_limit: bytes must be a non-negative int, got {bytes}")))?;
    rusttorch_exec::memory::set_pool_limit(bytes);
    Ok(())
}

/// The most bytes of freed large buffers kept for reuse.
#[pyfunction]
pub fn get_pool_limit() -> usize {
    rusttorch_exec::memory::pool_limit()
}
