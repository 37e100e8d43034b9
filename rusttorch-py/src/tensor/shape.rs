//! The shape and dtype methods of `Tensor`: views (reshape, permute, `.T`, squeeze, `t[...]`...)
//! and dtype conversions (`to`, `float()`...).

use super::{build, same_or_new, PyTensor};
use crate::args::{int_args, DimArg, IntSeq};
use crate::dtype::parse_dtype;
use crate::index::index_items;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use rusttorch_ir::{scoped, DType, Tensor};

#[pymethods]
impl PyTensor {
    /// The same elements in a new shape (``t.reshape(2, 3)`` or ``t.reshape((2, 3))``); one
    /// size may be ``-1`` and is inferred. Never copies when created; a fused kernel reads
    /// through the view where the layout allows and copies only where it cannot.
    #[pyo3(signature = (*shape))]
    fn reshape(&self, shape: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        let dims = int_args("reshape", shape)?;
        build(|| self.tensor().reshape(&dims))
    }

    /// The same elements in a new shape, like ``reshape`` (in a lazy engine every reshape is a
    /// view when created, so ``view`` never fails for layout reasons as PyTorch's can).
    #[pyo3(signature = (*shape))]
    fn view(&self, shape: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        let dims = int_args("view", shape)?;
        build(|| scoped("view", || self.tensor().reshape(&dims)))
    }

    /// The dims reordered (a view): output dim ``i`` is input dim ``dims[i]``;
    /// ``t.permute(1, 0)`` or ``t.permute((1, 0))``.
    #[pyo3(signature = (*dims))]
    fn permute(&self, dims: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        let dims = int_args("permute", dims)?;
        build(|| self.tensor().permute(&dims))
    }

    /// ``dim0`` and ``dim1`` swapped (a view).
    fn transpose(&self, dim0: isize, dim1: isize) -> PyResult<PyTensor> {
        build(|| self.tensor().transpose(dim0, dim1))
    }

    /// All dims reversed (a view): the transpose of a matrix; a 0-d or 1-d tensor is returned
    /// unchanged (as PyTorch's ``.T``, whose use for ndim > 2 is deprecated there).
    #[getter(T)]
    fn reversed_dims(&self) -> PyResult<PyTensor> {
        build(|| self.tensor().permute_reversed())
    }

    /// The last two dims swapped (a view): the transpose of each matrix in a batch.
    #[getter(mT)]
    fn matrix_transpose(&self) -> PyResult<PyTensor> {
        build(|| self.tensor().matrix_transpose())
    }

    /// Size-1 dims removed: all of them (``dim=None``), or those among ``dim`` (an int or a
    /// tuple of ints); a named dim whose size is not 1 is left alone.
    #[pyo3(signature = (dim = None))]
    fn squeeze(&self, dim: Option<DimArg>) -> PyResult<PyTensor> {
        let t = self.tensor();
        build(|| match dim {
            None => t.squeeze(None),
            Some(d) => t.squeeze_dims(&d.0),
        })
    }

    /// A size-1 dim inserted at ``dim`` (``-1`` appends one at the end).
    fn unsqueeze(&self, dim: isize) -> PyResult<PyTensor> {
        build(|| self.tensor().unsqueeze(dim))
    }

    /// Dims ``start_dim..=end_dim`` merged into one.
    #[pyo3(signature = (start_dim = 0, end_dim = -1))]
    fn flatten(&self, start_dim: isize, end_dim: isize) -> PyResult<PyTensor> {
        build(|| self.tensor().flatten(start_dim, end_dim))
    }

    /// Size-1 dims (and new leading dims) broadcast to ``sizes`` (a view, nothing is copied);
    /// ``-1`` keeps a size. ``t.expand(3, -1)`` or ``t.expand((3, -1))``.
    #[pyo3(signature = (*sizes))]
    fn expand(&self, sizes: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        let sizes = int_args("expand", sizes)?;
        build(|| self.tensor().expand(&sizes))
    }

    /// The tensor broadcast to ``shape`` (a view); the same as ``expand(shape)``.
    fn broadcast_to(&self, shape: IntSeq) -> PyResult<PyTensor> {
        build(|| scoped("broadcast_to", || self.tensor().expand(&shape.0)))
    }

    /// The tensor written out contiguously when it is a strided view (a copy), else the tensor
    /// itself.
    fn contiguous<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
        same_or_new(slf, Tensor::contiguous)
    }

    /// ``t[index]``: ints (negative count from the end), slices (any step, negative too),
    /// ``None`` (a new size-1 dim), ``...``, integer tensors, arrays and lists (NumPy's
    /// advanced indexing, a gather), bool masks (evaluated: their true positions index), and
    /// tuples of these. Without index arrays or masks it is a view.
    fn __getitem__(&self, index: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let items = index_items(index)?;
        crate::index::eval_masks(index.py(), &items)?;
        build(|| self.tensor().index_with(&items))
    }

    /// The tensor converted to ``dtype`` (the tensor itself when it already has it). Float to
    /// int truncates toward zero and saturates, NaN becomes 0; int to int wraps; to bool is
    /// ``!= 0``.
    /// ``to(other_tensor)`` takes ``other``'s dtype; ``to("cpu")`` is the tensor itself.
    fn to<'py>(slf: &Bound<'py, Self>, dtype: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        if dtype.extract::<&str>().is_ok_and(|s| s == "cpu") {
            return Ok(slf.clone());
        }
        let d = match dtype.cast::<PyTensor>() {
            Ok(t) => t.get().tensor().dtype(),
            Err(_) => parse_dtype(dtype)?,
        };
        same_or_new(slf, |t| t.cast(d))
    }
    /// The same as ``to(dtype)`` (NumPy's spelling).
    fn astype<'py>(slf: &Bound<'py, Self>, dtype: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        Self::to(slf, dtype)
    }
}

/// PyTorch's dtype shorthands (`t.float()`, `t.half()`, ...): each is `to(dtype)`.
macro_rules! cast_methods {
    ($($name:ident => $d:ident),* $(,)?) => {
        #[pymethods]
        impl PyTensor {
            $(
                #[doc = concat!("``to(", stringify!($name), ")``: this tensor as `DType::", stringify!($d), "`.")]
                fn $name<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
                    same_or_new(slf, |t| t.cast(DType::$d))
                }
            )*
        }
    };
}
cast_methods!(
    float => F32,
    double => F64,
    half => F16,
    bfloat16 => BF16,
    int => I32,
    long => I64,
    short => I16,
    char => I8,
    byte => U8,
    bool => Bool,
);
