//! Writes at index positions as Python functions and `Tensor` methods: `scatter`,
//! `scatter_add`, `scatter_reduce`, `index_add`, `index_copy`, `index_fill`, `index_reduce`,
//! `masked_fill`, `put`, `index_put`, their in-place `_` forms, and `t[index] = value`.
//!
//! The in-place forms rebind the object to the new value (tensors are values; see
//! `docs/indexing.md`): the old buffer is donated to the write when nothing else holds it.

use crate::args::{number, TensorArg};
use crate::errors::guard;
use crate::handle::{build, PyTensor};
use crate::index::index_items;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use rusttorch_ir::tensor::Index;
use rusttorch_ir::{DType, Result, Tensor};

/// A value argument (`src`, `value`, the right side of `t[i] = v`): a Python or NumPy number
/// becomes a 0-d tensor of `dtype`, anything else a tensor as `rusttorch.tensor` makes it.
fn value_of(obj: &Bound<'_, PyAny>, op: &str, arg: &str, dtype: DType) -> PyResult<Tensor> {
    match number(obj, op)? {
        Some((v, _)) => Ok(Tensor::scalar(v, dtype)),
        None => TensorArg::of(op, arg, obj),
    }
}

/// `scatter`'s `src`/`value` with `reduce=` ('add', 'multiply', as PyTorch's legacy form).
fn scatter_of(
    x: &Tensor,
    dim: isize,
    index: &Tensor,
    src: &Bound<'_, PyAny>,
    reduce: Option<&str>,
) -> PyResult<Tensor> {
    let scalar = number(src, "scatter")?;
    let src_t = match &scalar {
        Some((v, _)) => Tensor::full(index.shape().clone(), *v, x.dtype()).map_err(crate::errors::to_py_err)?,
        None => TensorArg::of("scatter", "src", src)?,
    };
    guard(|| match reduce {
        None => x.scatter(dim, index, &src_t),
        Some("add") => x.scatter_add(dim, index, &src_t),
        Some("multiply") => x.scatter_reduce(dim, index, &src_t, "prod", true),
        Some(r) => Err(rusttorch_ir::Error::BadArgument {
            op: "scatter",
            reason: format!("reduce must be 'add' or 'multiply', got '{r}'"),
        }),
    })
}

/// The index of `index_put`: a tuple or list of index tensors (or `None` for a whole dim).
fn put_items(indices: &Bound<'_, PyAny>) -> PyResult<Vec<Index>> {
    let seq = if indices.is_instance_of::<PyList>() {
        PyTuple::new(indices.py(), indices.cast::<PyList>()?.iter())?
    } else {
        indices.cast::<PyTuple>()?.clone()
    };
    index_items(seq.as_any())
}

/// ``input`` with ``src`` (a tensor, or a number) written at ``index`` along ``dim``.
#[pyfunction]
#[pyo3(signature = (input, dim, index, src = None, *, value = None, reduce = None))]
pub fn scatter(
    input: TensorArg,
    dim: isize,
    index: TensorArg,
    src: Option<&Bound<'_, PyAny>>,
    value: Option<&Bound<'_, PyAny>>,
    reduce: Option<&str>,
) -> PyResult<PyTensor> {
    let src = src.or(value).ok_or_else(|| crate::errors::type_err("scatter() needs src or value"))?;
    scatter_of(&input.0, dim, &index.0, src, reduce).map(PyTensor::from)
}

/// ``input`` with ``src`` added at ``index`` along ``dim``.
#[pyfunction]
pub fn scatter_add(input: TensorArg, dim: isize, index: TensorArg, src: TensorArg) -> PyResult<PyTensor> {
    build(|| input.0.scatter_add(dim, &index.0, &src.0))
}

/// ``input`` with ``src`` combined at ``index`` along ``dim`` by ``reduce``.
#[pyfunction]
#[pyo3(signature = (input, dim, index, src, reduce, *, include_self = true))]
pub fn scatter_reduce(
    input: TensorArg,
    dim: isize,
    index: TensorArg,
    src: TensorArg,
    reduce: &str,
    include_self: bool,
) -> PyResult<PyTensor> {
    build(|| input.0.scatter_reduce(dim, &index.0, &src.0, reduce, include_self))
}

/// ``input`` with ``alpha * source`` added to the entries ``index`` names along ``dim``.
#[pyfunction]
#[pyo3(signature = (input, dim, index, source, *, alpha = None))]
pub fn index_add(
    input: TensorArg,
    dim: isize,
    index: TensorArg,
    source: TensorArg,
    alpha: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    let alpha = alpha_of(alpha)?;
    build(|| input.0.index_add(dim, &index.0, &source.0, alpha))
}

fn alpha_of(alpha: Option<&Bound<'_, PyAny>>) -> PyResult<rusttorch_ir::Scalar> {
    match alpha {
        None => Ok(rusttorch_ir::Scalar::int(1)),
        Some(a) => Ok(crate::args::number_arg(a, "index_add")?.0),
    }
}

/// ``input`` with ``source`` written to the entries ``index`` names along ``dim``.
#[pyfunction]
pub fn index_copy(input: TensorArg, dim: isize, index: TensorArg, source: TensorArg) -> PyResult<PyTensor> {
    build(|| input.0.index_copy(dim, &index.0, &source.0))
}

/// ``input`` with ``value`` in the entries ``index`` names along ``dim``.
#[pyfunction]
pub fn index_fill(input: TensorArg, dim: isize, index: TensorArg, value: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
    let v = value_of(value, "index_fill", "value", input.0.dtype())?;
    build(|| input.0.index_fill(dim, &index.0, &v))
}

/// ``input`` with ``source`` combined by ``reduce`` into the entries ``index`` names.
#[pyfunction]
#[pyo3(signature = (input, dim, index, source, reduce, *, include_self = true))]
pub fn index_reduce(
    input: TensorArg,
    dim: isize,
    index: TensorArg,
    source: TensorArg,
    reduce: &str,
    include_self: bool,
) -> PyResult<PyTensor> {
    build(|| input.0.index_reduce(dim, &index.0, &source.0, reduce, include_self))
}

/// ``input`` with ``value`` where the bool ``mask`` (broadcast to ``input``) is true.
#[pyfunction]
pub fn masked_fill(input: TensorArg, mask: TensorArg, value: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
    let v = value_of(value, "masked_fill", "value", input.0.dtype())?;
    build(|| input.0.masked_fill(&mask.0, &v))
}

/// ``input`` with ``values`` written (added, with ``accumulate``) at ``input[indices]``.
#[pyfunction]
#[pyo3(signature = (input, indices, values, accumulate = false))]
pub fn index_put(
    input: TensorArg,
    indices: &Bound<'_, PyAny>,
    values: &Bound<'_, PyAny>,
    accumulate: bool,
) -> PyResult<PyTensor> {
    let items = put_items(indices)?;
    let v = value_of(values, "index_put", "values", input.0.dtype())?;
    if !input.0.index_put_is_elementwise(&items, &v) {
        crate::index::eval_masks(indices.py(), &items)?;
    }
    build(|| input.0.index_put(&items, &v, accumulate))
}

/// ``input`` flattened, with ``source`` written (added) at ``index``, in ``input``'s shape.
#[pyfunction]
#[pyo3(signature = (input, index, source, accumulate = false))]
pub fn put(input: TensorArg, index: TensorArg, source: TensorArg, accumulate: bool) -> PyResult<PyTensor> {
    build(|| input.0.put(&index.0, &source.0, accumulate))
}

impl PyTensor {
    /// Rebinds this object to `f(self)` (a write: same shape and dtype) and returns it.
    fn write_with<'py>(
        slf: &Bound<'py, Self>,
        f: impl FnOnce(&Tensor) -> Result<Tensor>,
    ) -> PyResult<Bound<'py, Self>> {
        let t = slf.get();
        let v = guard(|| f(&t.tensor()))?;
        t.rebind(v, "write")?;
        Ok(slf.clone())
    }
}

#[pymethods]
impl PyTensor {
    /// ``t[index] = value``: this object now names ``t`` with the indexed elements replaced by
    /// ``value`` (broadcast, cast to ``t``'s dtype); other tensors are unchanged.
    fn __setitem__(&self, index: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let t = self.tensor();
        let items = index_items(index)?;
        let v = value_of(value, "index_put", "value", t.dtype())?;
        if !t.index_put_is_elementwise(&items, &v) {
            crate::index::eval_masks(index.py(), &items)?;
        }
        let new = guard(|| t.index_put(&items, &v, false))?;
        self.rebind(new, "__setitem__")
    }

    /// See ``rusttorch.scatter``.
    #[pyo3(name = "scatter", signature = (dim, index, src = None, *, value = None, reduce = None))]
    fn scatter_method(
        &self,
        dim: isize,
        index: TensorArg,
        src: Option<&Bound<'_, PyAny>>,
        value: Option<&Bound<'_, PyAny>>,
        reduce: Option<&str>,
    ) -> PyResult<PyTensor> {
        scatter(TensorArg(self.tensor()), dim, index, src, value, reduce)
    }
    /// In place ``scatter`` (rebinds this object). Returns ``self``.
    #[pyo3(signature = (dim, index, src = None, *, value = None, reduce = None))]
    fn scatter_<'py>(
        slf: &Bound<'py, Self>,
        dim: isize,
        index: TensorArg,
        src: Option<&Bound<'py, PyAny>>,
        value: Option<&Bound<'py, PyAny>>,
        reduce: Option<&str>,
    ) -> PyResult<Bound<'py, Self>> {
        let new = scatter(TensorArg(slf.get().tensor()), dim, index, src, value, reduce)?.tensor();
        Self::write_with(slf, |_| Ok(new))
    }
    /// See ``rusttorch.scatter_add``.
    #[pyo3(name = "scatter_add")]
    fn scatter_add_method(&self, dim: isize, index: TensorArg, src: TensorArg) -> PyResult<PyTensor> {
        build(|| self.tensor().scatter_add(dim, &index.0, &src.0))
    }
    /// In place ``scatter_add``. Returns ``self``.
    fn scatter_add_<'py>(
        slf: &Bound<'py, Self>,
        dim: isize,
        index: TensorArg,
        src: TensorArg,
    ) -> PyResult<Bound<'py, Self>> {
        Self::write_with(slf, |t| t.scatter_add(dim, &index.0, &src.0))
    }
    /// See ``rusttorch.scatter_reduce``.
    #[pyo3(name = "scatter_reduce", signature = (dim, index, src, reduce, *, include_self = true))]
    fn scatter_reduce_method(
        &self,
        dim: isize,
        index: TensorArg,
        src: TensorArg,
        reduce: &str,
        include_self: bool,
    ) -> PyResult<PyTensor> {
        build(|| self.tensor().scatter_reduce(dim, &index.0, &src.0, reduce, include_self))
    }
    /// In place ``scatter_reduce``. Returns ``self``.
    #[pyo3(signature = (dim, index, src, reduce, *, include_self = true))]
    fn scatter_reduce_<'py>(
        slf: &Bound<'py, Self>,
        dim: isize,
        index: TensorArg,
        src: TensorArg,
        reduce: &str,
        include_self: bool,
    ) -> PyResult<Bound<'py, Self>> {
        Self::write_with(slf, |t| t.scatter_reduce(dim, &index.0, &src.0, reduce, include_self))
    }
    /// See ``rusttorch.index_add``.
    #[pyo3(name = "index_add", signature = (dim, index, source, *, alpha = None))]
    fn index_add_method(
        &self,
        dim: isize,
        index: TensorArg,
        source: TensorArg,
        alpha: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTensor> {
        let alpha = alpha_of(alpha)?;
        build(|| self.tensor().index_add(dim, &index.0, &source.0, alpha))
    }
    /// In place ``index_add``. Returns ``self``.
    #[pyo3(signature = (dim, index, source, *, alpha = None))]
    fn index_add_<'py>(
        slf: &Bound<'py, Self>,
        dim: isize,
        index: TensorArg,
        source: TensorArg,
        alpha: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, Self>> {
        let alpha = alpha_of(alpha)?;
        Self::write_with(slf, |t| t.index_add(dim, &index.0, &source.0, alpha))
    }
    /// See ``rusttorch.index_copy``.
    #[pyo3(name = "index_copy")]
    fn index_copy_method(&self, dim: isize, index: TensorArg, source: TensorArg) -> PyResult<PyTensor> {
        build(|| self.tensor().index_copy(dim, &index.0, &source.0))
    }
    /// In place ``index_copy``. Returns ``self``.
    fn index_copy_<'py>(
        slf: &Bound<'py, Self>,
        dim: isize,
        index: TensorArg,
        source: TensorArg,
    ) -> PyResult<Bound<'py, Self>> {
        Self::write_with(slf, |t| t.index_copy(dim, &index.0, &source.0))
    }
    /// See ``rusttorch.index_fill``.
    #[pyo3(name = "index_fill")]
    fn index_fill_method(&self, dim: isize, index: TensorArg, value: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        index_fill(TensorArg(self.tensor()), dim, index, value)
    }
    /// In place ``index_fill``. Returns ``self``.
    fn index_fill_<'py>(
        slf: &Bound<'py, Self>,
        dim: isize,
        index: TensorArg,
        value: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, Self>> {
        let new = index_fill(TensorArg(slf.get().tensor()), dim, index, value)?.tensor();
        Self::write_with(slf, |_| Ok(new))
    }
    /// See ``rusttorch.index_reduce``.
    #[pyo3(name = "index_reduce", signature = (dim, index, source, reduce, *, include_self = true))]
    fn index_reduce_method(
        &self,
        dim: isize,
        index: TensorArg,
        source: TensorArg,
        reduce: &str,
        include_self: bool,
    ) -> PyResult<PyTensor> {
        build(|| self.tensor().index_reduce(dim, &index.0, &source.0, reduce, include_self))
    }
    /// In place ``index_reduce``. Returns ``self``.
    #[pyo3(signature = (dim, index, source, reduce, *, include_self = true))]
    fn index_reduce_<'py>(
        slf: &Bound<'py, Self>,
        dim: isize,
        index: TensorArg,
        source: TensorArg,
        reduce: &str,
        include_self: bool,
    ) -> PyResult<Bound<'py, Self>> {
        Self::write_with(slf, |t| t.index_reduce(dim, &index.0, &source.0, reduce, include_self))
    }
    /// See ``rusttorch.masked_fill``.
    #[pyo3(name = "masked_fill")]
    fn masked_fill_method(&self, mask: TensorArg, value: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        masked_fill(TensorArg(self.tensor()), mask, value)
    }
    /// In place ``masked_fill``. Returns ``self``.
    fn masked_fill_<'py>(
        slf: &Bound<'py, Self>,
        mask: TensorArg,
        value: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, Self>> {
        let new = masked_fill(TensorArg(slf.get().tensor()), mask, value)?.tensor();
        Self::write_with(slf, |_| Ok(new))
    }
    /// See ``rusttorch.index_put``.
    #[pyo3(name = "index_put", signature = (indices, values, accumulate = false))]
    fn index_put_method(
        &self,
        indices: &Bound<'_, PyAny>,
        values: &Bound<'_, PyAny>,
        accumulate: bool,
    ) -> PyResult<PyTensor> {
        index_put(TensorArg(self.tensor()), indices, values, accumulate)
    }
    /// In place ``index_put``. Returns ``self``.
    #[pyo3(signature = (indices, values, accumulate = false))]
    fn index_put_<'py>(
        slf: &Bound<'py, Self>,
        indices: &Bound<'py, PyAny>,
        values: &Bound<'py, PyAny>,
        accumulate: bool,
    ) -> PyResult<Bound<'py, Self>> {
        let new = index_put(TensorArg(slf.get().tensor()), indices, values, accumulate)?.tensor();
        Self::write_with(slf, |_| Ok(new))
    }
    /// See ``rusttorch.put``.
    #[pyo3(name = "put", signature = (index, source, accumulate = false))]
    fn put_method(&self, index: TensorArg, source: TensorArg, accumulate: bool) -> PyResult<PyTensor> {
        build(|| self.tensor().put(&index.0, &source.0, accumulate))
    }
    /// In place ``put``. Returns ``self``.
    #[pyo3(signature = (index, source, accumulate = false))]
    fn put_<'py>(
        slf: &Bound<'py, Self>,
        index: TensorArg,
        source: TensorArg,
        accumulate: bool,
    ) -> PyResult<Bound<'py, Self>> {
        Self::write_with(slf, |t| t.put(&index.0, &source.0, accumulate))
    }
}

/// Adds the write functions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(scatter, m)?)?;
    m.add_function(wrap_pyfunction!(scatter_add, m)?)?;
    m.add_function(wrap_pyfunction!(scatter_reduce, m)?)?;
    m.add_function(wrap_pyfunction!(index_add, m)?)?;
    m.add_function(wrap_pyfunction!(index_copy, m)?)?;
    m.add_function(wrap_pyfunction!(index_fill, m)?)?;
    m.add_function(wrap_pyfunction!(index_reduce, m)?)?;
    m.add_function(wrap_pyfunction!(masked_fill, m)?)?;
    m.add_function(wrap_pyfunction!(index_put, m)?)?;
    m.add_function(wrap_pyfunction!(put, m)?)?;
    Ok(())
}
