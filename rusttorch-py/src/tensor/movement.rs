//! The movement and attribute methods of `Tensor`: flip, roll, repeat, split, movedim...,
//! `size()`, `dim()`, `element_size()`, `nbytes`, and printing (`repr(t)`).

use super::{build, eval_all, same_or_new, PyTensor};
use crate::args::{count, int_args, IntSeq, TensorArg};
use crate::errors::guard;
use crate::random::call_seed;
use crate::shape_fns::{repeat_counts, split_arg, tensors_tuple, SplitArg};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use rusttorch_ir::print::print_options;
use rusttorch_ir::{scoped, Tensor};

/// `repr(t)`: `t` evaluated and printed as PyTorch prints it.
pub fn tensor_repr(py: Python<'_>, t: &Tensor) -> PyResult<String> {
    if !t.is_evaluated() {
        eval_all(py, std::slice::from_ref(t), true)?;
        t.add_note(format!("a {} {} tensor was evaluated to be printed", t.dtype(), t.shape()));
    }
    guard(|| t.format_values(&print_options()))
}

/// `t.split(...)` for a method or a function.
pub fn split_op<'py>(py: Python<'py>, t: &Tensor, arg: SplitArg, dim: isize) -> PyResult<Bound<'py, PyTuple>> {
    let parts = guard(|| match arg {
        SplitArg::Size(s) => t.split(s, dim),
        SplitArg::Sections(s) => t.split_sizes(&s, dim),
    })?;
    tensors_tuple(py, parts)
}

/// `t.repeat_interleave(...)` for a method or a function.
pub fn repeat_interleave_op(t: &Tensor, repeats: &Bound<'_, PyAny>, dim: Option<isize>) -> PyResult<PyTensor> {
    let counts = repeat_counts(repeats)?;
    build(|| t.repeat_interleave_counts(&counts, dim))
}

#[pymethods]
impl PyTensor {
    /// The tensor's values printed as PyTorch prints them (``tensor([1., 2.])``); evaluates
    /// the tensor (tensors are values, so nothing else changes). See ``set_printoptions``.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        tensor_repr(py, &self.tensor())
    }

    /// The same as ``repr(t)``, as in PyTorch.
    fn __str__(&self, py: Python<'_>) -> PyResult<String> {
        tensor_repr(py, &self.tensor())
    }

    /// A new tensor with the same values (values are immutable here, so it shares them; one
    /// that requires grad gets a copy node, so the clone is a non-leaf as in PyTorch).
    fn clone(&self) -> PyResult<PyTensor> {
        let t = self.tensor();
        if t.requires_grad() {
            return crate::handle::build(|| t.copy());
        }
        Ok(PyTensor::from(t))
    }

    /// ``copy.copy(t)``: a new tensor object with the same value (values are immutable, so it
    /// shares them, and a lazy tensor its graph, unevaluated; a write to either rebinds only
    /// that object).
    fn __copy__(&self) -> PyTensor {
        PyTensor::from(self.tensor())
    }

    /// ``copy.deepcopy(t)``: as ``copy.copy`` (nothing mutable is shared).
    fn __deepcopy__(&self, _memo: &Bound<'_, PyAny>) -> PyTensor {
        PyTensor::from(self.tensor())
    }

    /// The shape as a tuple, or the size of dim ``dim``.
    #[pyo3(signature = (dim = None))]
    fn size<'py>(&self, py: Python<'py>, dim: Option<isize>) -> PyResult<Bound<'py, PyAny>> {
        let t = self.tensor();
        match dim {
            None => Ok(PyTuple::new(py, t.dims())?.into_any()),
            Some(d) => Ok(t.dims()[guard(|| t.shape().normalize_dim("size", d))?].into_pyobject(py)?.into_any()),
        }
    }

    /// Number of dims (``ndim``).
    fn dim(&self) -> usize {
        self.tensor().ndim()
    }

    /// Number of dims (``ndim``).
    fn ndimension(&self) -> usize {
        self.tensor().ndim()
    }

    /// Bytes per element.
    fn element_size(&self) -> usize {
        self.tensor().dtype().size_of()
    }

    /// Bytes per element.
    #[getter]
    fn itemsize(&self) -> usize {
        self.tensor().dtype().size_of()
    }

    /// Bytes of all elements (``numel() * element_size()``).
    #[getter]
    fn nbytes(&self) -> usize {
        let t = self.tensor();
        t.numel() * t.dtype().size_of()
    }

    /// The tensor converted to ``other``'s dtype (itself when it already has it).
    fn type_as<'py>(slf: &Bound<'py, Self>, other: TensorArg) -> PyResult<Bound<'py, Self>> {
        same_or_new(slf, |t| t.cast(other.0.dtype()))
    }

    /// The elements of ``dims`` in reverse order (a view): ``t.flip(0, 1)`` or ``t.flip((0, 1))``.
    #[pyo3(signature = (*dims))]
    fn flip(&self, dims: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        let dims = int_args("flip", dims)?;
        build(|| self.tensor().flip(&dims))
    }

    /// ``flip(1)`` (at least 2 dims).
    fn fliplr(&self) -> PyResult<PyTensor> {
        build(|| self.tensor().fliplr())
    }

    /// ``flip(0)`` (at least 1 dim).
    fn flipud(&self) -> PyResult<PyTensor> {
        build(|| self.tensor().flipud())
    }

    /// Elements shifted by ``shifts`` along ``dims``, wrapping around; without ``dims`` the
    /// flattened tensor is rolled.
    #[pyo3(signature = (shifts, dims = None))]
    fn roll(&self, shifts: IntSeq, dims: Option<IntSeq>) -> PyResult<PyTensor> {
        build(|| self.tensor().roll(&shifts.0, &dims.map(|d| d.0).unwrap_or_default()))
    }

    /// Rotated by 90 degrees ``k`` times from the first of ``dims`` towards the second (views).
    #[pyo3(signature = (k = 1, dims = (0, 1)))]
    fn rot90(&self, k: i64, dims: (isize, isize)) -> PyResult<PyTensor> {
        build(|| self.tensor().rot90(k, [dims.0, dims.1]))
    }

    /// The tensor repeated ``sizes[i]`` times along dim ``i``: ``t.repeat(2, 3)``.
    #[pyo3(signature = (*sizes))]
    fn repeat(&self, sizes: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        let sizes = counts_arg("repeat", "sizes", int_args("repeat", sizes)?)?;
        build(|| self.tensor().repeat(&sizes))
    }

    /// NumPy's ``tile``: ``repeat`` with ones prepended to ``dims`` as needed.
    #[pyo3(signature = (*dims))]
    fn tile(&self, dims: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        let dims = counts_arg("tile", "dims", int_args("tile", dims)?)?;
        build(|| self.tensor().tile(&dims))
    }

    /// Each element repeated ``repeats`` times (an int, or one count per element as a tensor
    /// or list) along ``dim`` (the flattened tensor when ``None``).
    #[pyo3(signature = (repeats, dim = None))]
    fn repeat_interleave(&self, repeats: &Bound<'_, PyAny>, dim: Option<isize>) -> PyResult<PyTensor> {
        repeat_interleave_op(&self.tensor(), repeats, dim)
    }

    /// Views of consecutive pieces of ``dim``: of ``split_size_or_sections`` elements each (an
    /// int; the last may be shorter) or of the listed sizes.
    #[pyo3(signature = (split_size_or_sections, dim = 0))]
    fn split<'py>(
        &self,
        py: Python<'py>,
        split_size_or_sections: &Bound<'py, PyAny>,
        dim: isize,
    ) -> PyResult<Bound<'py, PyTuple>> {
        split_op(py, &self.tensor(), split_arg(split_size_or_sections)?, dim)
    }

    /// At most ``chunks`` views of ``dim`` of ``ceil(size / chunks)`` elements each.
    #[pyo3(signature = (chunks, dim = 0))]
    fn chunk<'py>(&self, py: Python<'py>, chunks: i64, dim: isize) -> PyResult<Bound<'py, PyTuple>> {
        let chunks = count("chunk", "chunks", chunks)?;
        tensors_tuple(py, guard(|| self.tensor().chunk(chunks, dim))?)
    }

    /// The slices along ``dim``, each without that dim.
    #[pyo3(signature = (dim = 0))]
    fn unbind<'py>(&self, py: Python<'py>, dim: isize) -> PyResult<Bound<'py, PyTuple>> {
        tensors_tuple(py, guard(|| self.tensor().unbind(dim))?)
    }

    /// ``length`` elements of ``dim`` from ``start`` (a view).
    fn narrow(&self, dim: isize, start: isize, length: i64) -> PyResult<PyTensor> {
        let length = count("narrow", "length", length)?;
        build(|| self.tensor().narrow(dim, start, length))
    }

    /// Dims ``source`` moved to ``destination`` (ints or tuples), the rest in order (a view).
    fn movedim(&self, source: IntSeq, destination: IntSeq) -> PyResult<PyTensor> {
        build(|| self.tensor().movedim(&source.0, &destination.0))
    }

    /// ``movedim`` (NumPy's name).
    fn moveaxis(&self, source: IntSeq, destination: IntSeq) -> PyResult<PyTensor> {
        build(|| scoped("moveaxis", || self.tensor().movedim(&source.0, &destination.0)))
    }

    /// ``transpose`` (NumPy's name).
    fn swapaxes(&self, axis0: isize, axis1: isize) -> PyResult<PyTensor> {
        build(|| scoped("swapaxes", || self.tensor().transpose(axis0, axis1)))
    }

    /// ``transpose``.
    fn swapdims(&self, dim0: isize, dim1: isize) -> PyResult<PyTensor> {
        build(|| scoped("swapdims", || self.tensor().transpose(dim0, dim1)))
    }

    /// Dim ``dim`` split into ``sizes`` (one may be ``-1``), a view.
    fn unflatten(&self, dim: isize, sizes: IntSeq) -> PyResult<PyTensor> {
        build(|| self.tensor().unflatten(dim, &sizes.0))
    }

    /// The elements in ``other``'s shape (a view).
    fn view_as(&self, other: TensorArg) -> PyResult<PyTensor> {
        build(|| self.tensor().view_as(&other.0))
    }

    /// Broadcast to ``other``'s shape (a view).
    fn expand_as(&self, other: TensorArg) -> PyResult<PyTensor> {
        build(|| self.tensor().expand_as(&other.0))
    }

    /// 1 with probability ``self`` (elementwise), else 0, in this tensor's float dtype.
    #[pyo3(signature = (*, generator = None))]
    fn bernoulli(&self, generator: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
        let seed = call_seed("bernoulli", None, generator)?;
        build(|| self.tensor().bernoulli(seed))
    }

    /// ``num_samples`` category indices per row, drawn in proportion to the weights (this
    /// tensor, 1-d or 2-d; it is evaluated to read them).
    #[pyo3(signature = (num_samples, replacement = false, *, generator = None))]
    fn multinomial(
        &self,
        py: Python<'_>,
        num_samples: i64,
        replacement: bool,
        generator: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTensor> {
        crate::creation::multinomial_op(py, &self.tensor(), num_samples, replacement, generator)
    }
}

/// Repeat counts (`what` of `op`): none negative.
pub fn counts_arg(op: &str, what: &str, v: Vec<isize>) -> PyResult<Vec<usize>> {
    v.iter()
        .map(|&r| {
            usize::try_from(r)
                .map_err(|_| crate::errors::value_err(format!("{op}: {what} must not be negative, got {v:?}")))
        })
        .collect()
}
