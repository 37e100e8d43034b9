//! `rusttorch.Tensor`: the class, its attributes, and its evaluation and conversion to Python.
//!
//! Every method delegates to `rusttorch_ir::Tensor` (building the expression) or to the default
//! `Engine` (evaluating it), and only converts arguments. The methods are grouped by protocol,
//! one `#[pymethods]` block per file (pyo3's `multiple-pymethods`): here the attributes and
//! evaluation; `operators` the Python operators; `inplace` the in-place ops; `methods` the
//! named elementwise and composite ops; `reductions`; `linalg` (prod, all/any, norms, products,
//! diagonals); `shape` the views and dtype conversions; `movement` flip/roll/split..., the size
//! attributes and printing.

mod autograd;
mod inplace;
mod linalg;
mod methods;
mod movement;
mod operators;
mod reductions;
mod shape;

pub use crate::handle::{build, eval_all, PyTensor};
pub use autograd::{PyGradFn, PyHookHandle};
pub use methods::{clamp_bound, clamp_op, where_op};
pub use movement::{counts_arg, repeat_interleave_op, split_op};
pub use reductions::{extremum, var_args};

use crate::dtype::{dtype_object, PyDType};
use crate::errors::{guard, type_err, value_err};
use crate::numpy::{array_protocol, protocol, view_to_numpy, ARRAY_FUNCTION, ARRAY_UFUNC};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use rusttorch_exec::Engine;
use rusttorch_ir::{DType, Error, Result, Tensor};

/// `t` as a read-only ndarray over its memory (no copy): a view of an evaluated buffer (or of
/// a user's array) is read in place with its strides; anything else is evaluated first.
pub fn to_numpy<'py>(py: Python<'py>, t: &Tensor) -> PyResult<Bound<'py, PyAny>> {
    let view = match t.strided_view() {
        Some(v) => v,
        None => {
            eval_all(py, std::slice::from_ref(t), true)?;
            guard(|| t.strided_view().ok_or_else(|| Error::Internal("evaluated tensor has no buffer".into())))?
        }
    };
    view_to_numpy(py, view, t.dims())
}

/// Python's repr of a shape tuple: `()`, `(3,)`, `(2, 3)`.
fn shape_repr(dims: &[usize]) -> String {
    match dims {
        [d] => format!("({d},)"),
        _ => format!("({})", dims.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")),
    }
}

/// `f` of the tensor `slf` names: `slf` itself when `f` returns the same node (`t.to(t.dtype)
/// is t`, as PyTorch), else a new tensor.
fn same_or_new<'py>(
    slf: &Bound<'py, PyTensor>,
    f: impl FnOnce(&Tensor) -> Result<Tensor>,
) -> PyResult<Bound<'py, PyTensor>> {
    let t = slf.get().tensor();
    let r = guard(|| f(&t))?;
    if r.id() == t.id() {
        Ok(slf.clone())
    } else {
        Bound::new(slf.py(), PyTensor::from(r))
    }
}

#[pymethods]
impl PyTensor {
    /// ``Tensor(data)``: names ``data``'s node when it is a tensor (no copy: tensors are
    /// values), else a copy as ``rusttorch.tensor(data)``; ``Tensor()`` is an empty float32
    /// tensor. The constructor subclasses (``nn.Parameter``) call.
    #[new]
    #[pyo3(signature = (data = None))]
    fn py_new(data: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
        match data {
            None => Ok(PyTensor::from(guard(|| Tensor::zeros([0], DType::F32))?)),
            Some(d) => match d.cast::<PyTensor>() {
                Ok(t) => Ok(PyTensor::from(t.get().tensor())),
                Err(_) => crate::numpy::tensor_from_data(d, None).map(PyTensor::from),
            },
        }
    }

    // ------------------------------------------------------------------ attributes

    /// The shape, a tuple of ints.
    #[getter]
    fn shape<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.tensor().dims())
    }

    /// The element type (``rusttorch.float32`` or ``rusttorch.float64``).
    #[getter]
    fn dtype<'py>(&self, py: Python<'py>) -> Bound<'py, PyDType> {
        dtype_object(py, self.tensor().dtype())
    }

    /// Number of dimensions.
    #[getter]
    fn ndim(&self) -> usize {
        self.tensor().ndim()
    }

    /// Whether the tensor holds a computed result (never triggers evaluation).
    #[getter]
    fn is_evaluated(&self) -> bool {
        self.tensor().is_evaluated()
    }

    /// Number of elements.
    fn numel(&self) -> usize {
        self.tensor().numel()
    }

    fn __len__(&self) -> PyResult<usize> {
        self.tensor().dims().first().copied().ok_or_else(|| type_err("len() of a 0-d tensor"))
    }

    /// NumPy's ufunc protocol: ``np.exp(t)``, ``ndarray * t`` are lazy tensors
    /// (``rusttorch._numpy_protocols``, docs/numpy-interop.md).
    #[pyo3(signature = (ufunc, method, *inputs, **kwargs))]
    fn __array_ufunc__<'py>(
        slf: &Bound<'py, Self>,
        ufunc: &Bound<'py, PyAny>,
        method: &Bound<'py, PyAny>,
        inputs: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        protocol(slf.py(), &ARRAY_UFUNC, "array_ufunc")?.call((ufunc, method, inputs, kwargs), None)
    }

    /// NumPy's function protocol: ``np.mean(t, axis=0)`` is a lazy tensor; functions without a
    /// RustTorch implementation run in NumPy on the evaluated arrays.
    fn __array_function__<'py>(
        slf: &Bound<'py, Self>,
        func: &Bound<'py, PyAny>,
        types: &Bound<'py, PyAny>,
        args: &Bound<'py, PyAny>,
        kwargs: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        protocol(slf.py(), &ARRAY_FUNCTION, "array_function")?.call1((func, types, args, kwargs))
    }

    // ------------------------------------------------------------------ evaluation

    /// Evaluates the tensor (fused, or op by op with ``fuse=False``) and returns it; later uses
    /// read the stored result. The GIL is released while it runs (kept for evaluations of a few
    /// microseconds, as NumPy keeps it for small loops).
    #[pyo3(signature = (fuse = true))]
    fn eval<'py>(slf: &Bound<'py, Self>, fuse: bool) -> PyResult<Bound<'py, Self>> {
        eval_all(slf.py(), std::slice::from_ref(&slf.get().tensor()), fuse)?;
        Ok(slf.clone())
    }

    /// The result as a read-only ``numpy.ndarray`` over the tensor's own memory (no copy);
    /// evaluates first if needed. The array keeps the memory alive.
    fn numpy<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_numpy(py, &self.tensor())
    }

    /// NumPy's array protocol: ``np.asarray(t)`` is ``t.numpy()``.
    #[pyo3(signature = (dtype = None, copy = None))]
    fn __array__<'py>(
        &self,
        py: Python<'py>,
        dtype: Option<&Bound<'py, PyAny>>,
        copy: Option<bool>,
    ) -> PyResult<Bound<'py, PyAny>> {
        array_protocol(to_numpy(py, &self.tensor())?, dtype, copy)
    }

    /// The value of a one-element tensor as a Python float, int or bool (by dtype).
    fn item<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let t = self.tensor(); // one snapshot: another thread may rebind `self` meanwhile
        if t.numel() != 1 {
            return Err(value_err(format!(
                "item() needs a tensor with one element, this one has {} (shape {})",
                t.numel(),
                shape_repr(t.dims())
            )));
        }
        to_numpy(py, &exact_for_python(t)?)?.call_method0("item")
    }

    fn __float__(&self, py: Python<'_>) -> PyResult<f64> {
        self.item(py)?.extract()
    }

    fn __int__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.item(py)?.call_method0("__int__")
    }

    /// An integer or bool one-element tensor used as an index (``range(t)``, ``lst[t]``).
    fn __index__(&self, py: Python<'_>) -> PyResult<i64> {
        if self.tensor().dtype().is_float() {
            return Err(type_err("only integer tensors of a single element can be used as an index"));
        }
        self.item(py)?.extract()
    }

    fn __bool__(&self, py: Python<'_>) -> PyResult<bool> {
        self.item(py)?.is_truthy()
    }

    /// Hashed by identity, as PyTorch tensors (``==`` is elementwise).
    fn __hash__(slf: &Bound<'_, Self>) -> isize {
        slf.as_ptr() as isize
    }

    /// The values as (nested) Python lists of floats; a float for a 0-d tensor.
    fn tolist<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_numpy(py, &exact_for_python(self.tensor())?)?.call_method0("tolist")
    }

    /// The optimized, fused plan as text: kernels, ops, inputs, outputs and bytes moved.
    fn explain(&self, py: Python<'_>) -> PyResult<String> {
        crate::graph::explain(py, std::slice::from_ref(&self.tensor()))
    }

    /// Graphviz DOT of the optimized graph, before and after fusion (kernels as clusters).
    fn to_dot(&self) -> PyResult<String> {
        guard(|| Engine::default_engine().plan_for(std::slice::from_ref(&self.tensor()), true)?.to_dot())
    }
}

/// `t` in a dtype NumPy has, holding the same values: bfloat16 (which NumPy lacks without
/// ml_dtypes) as float32, exactly, for `item()` and `tolist()`.
fn exact_for_python(t: Tensor) -> PyResult<Tensor> {
    match t.dtype() {
        DType::BF16 => t.cast(DType::F32).map_err(crate::errors::to_py_err),
        _ => Ok(t),
    }
}
