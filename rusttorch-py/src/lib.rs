//! Python bindings for RustTorch: the native module `rusttorch._rusttorch`.
//!
//! The layer is thin: it converts arguments and results and maps errors; every rule (shapes,
//! dtypes, broadcasting, fusion) lives in `rusttorch-ir` and `rusttorch-exec`.
//! - `handle`: the `Tensor` object (the handle it holds), `build` and `eval_all`: what the
//!   converters below need, so they never import the methods;
//! - `tensor`: the `Tensor` class's methods, one-line delegates to `rusttorch_ir::Tensor` and the engine,
//!   one file per protocol group (operators, in-place ops, named methods, reductions, shape);
//! - `functions`: creation, `eval` of several tensors, threads and the functional ops;
//! - `creation`: linspace, eye, meshgrid, the `*_like` family and the random samplers;
//! - `shape_fns`: the movement ops as functions (`flip`, `split`...), `pad`, print options;
//! - `unary`: the op table's unary ops as functions and methods, generated from its rows;
//! - `linalg`: reductions (prod, all, norms...) and linear algebra (einsum, products,
//!   diagonals) as functions, and `rusttorch.linalg`'s;
//! - `math`: the math library's binary ops and its unary ops with parameters;
//! - `index`: the items of `t[...]` (ints, slices, `None`, `...`) for `Tensor::index`;
//! - `args`: shape, dim, tensor-like and operand arguments;
//! - `dtype`: dtype objects and `dtype=` parsing;
//! - `numpy`: zero-copy conversion from and to NumPy;
//! - `dlpack`: DLPack exchange (`__dlpack__`, `from_dlpack`) with NumPy, PyTorch and others;
//! - `pickle`: `pickle` of tensors (graphs and values, out-of-band buffers);
//! - `memory`: the buffer pool's limit;
//! - `random`: `Generator`, the default generator, `seed=`/`generator=` arguments;
//! - `graph`: graphs seen from Python (node listing, substitution, placeholders) and the
//!   evaluation of chunked sources through `rusttorch.dask`;
//! - `autograd`: `autograd.grad`/`backward`, the grad mode and Python gradient hooks;
//! - `errors`: error variants to Python exceptions, panics to `RuntimeError`.

// Errors carry shapes by value (see rusttorch-ir).
#![allow(clippy::result_large_err)]

mod args;
mod autograd;
mod creation;
mod dlpack;
mod dtype;
mod dynamic;
mod errors;
mod functions;
mod gather;
mod graph;
mod handle;
mod index;
mod linalg;
mod losses;
mod math;
mod memory;
mod numpy;
mod pickle;
mod random;
mod scans;
mod scatter;
mod search;
mod shape_fns;
mod sorting;
mod tensor;
mod unary;

use pyo3::prelude::*;
use rusttorch_ir::DType;

/// Native core of the `rusttorch` Python package.
#[pymodule]
fn _rusttorch(m: &Bound<'_, PyModule>) -> PyResult<()> {
    use functions::*;
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<crate::tensor::PyTensor>()?;
    m.add_class::<dtype::PyDType>()?;
    m.add_class::<random::PyGenerator>()?;
    m.add_class::<pickle::LeafBytes>()?;
    // Reached through `rusttorch.autograd`, not the top level (PyTorch has no `torch.GradFn`).
    m.add("_GradFn", py.get_type::<crate::tensor::PyGradFn>())?;
    m.add("_RemovableHandle", py.get_type::<crate::tensor::PyHookHandle>())?;
    autograd::register(m)?;
    graph::register(m)?;
    m.add("default_generator", random::default_generator(py))?;
    for d in DType::ALL {
        m.add(d.name(), dtype::dtype_object(py, d))?;
    }
    // PyTorch's aliases.
    for (alias, d) in [
        ("float", DType::F32),
        ("double", DType::F64),
        ("half", DType::F16),
        ("int", DType::I32),
        ("long", DType::I64),
        ("short", DType::I16),
    ] {
        m.add(alias, dtype::dtype_object(py, d))?;
    }
    for f in [
        wrap_pyfunction!(crate::functions::tensor, m)?,
        wrap_pyfunction!(from_numpy, m)?,
        wrap_pyfunction!(dlpack::from_dlpack, m)?,
        wrap_pyfunction!(pickle::_rebuild_tensor, m)?,
        wrap_pyfunction!(zeros, m)?,
        wrap_pyfunction!(ones, m)?,
        wrap_pyfunction!(full, m)?,
        wrap_pyfunction!(arange, m)?,
        wrap_pyfunction!(rand, m)?,
        wrap_pyfunction!(randn, m)?,
        wrap_pyfunction!(random::manual_seed, m)?,
        wrap_pyfunction!(random::initial_seed, m)?,
        wrap_pyfunction!(empty, m)?,
        wrap_pyfunction!(eval, m)?,
        wrap_pyfunction!(explain, m)?,
        wrap_pyfunction!(set_num_threads, m)?,
        wrap_pyfunction!(get_num_threads, m)?,
        wrap_pyfunction!(set_jit, m)?,
        wrap_pyfunction!(get_jit, m)?,
        wrap_pyfunction!(memory::set_pool_limit, m)?,
        wrap_pyfunction!(memory::get_pool_limit, m)?,
        wrap_pyfunction!(leaky_relu, m)?,
        wrap_pyfunction!(gelu, m)?,
        wrap_pyfunction!(softmax, m)?,
        wrap_pyfunction!(log_softmax, m)?,
        wrap_pyfunction!(sum, m)?,
        wrap_pyfunction!(mean, m)?,
        wrap_pyfunction!(max, m)?,
        wrap_pyfunction!(min, m)?,
        wrap_pyfunction!(amax, m)?,
        wrap_pyfunction!(amin, m)?,
        wrap_pyfunction!(maximum, m)?,
        wrap_pyfunction!(minimum, m)?,
        wrap_pyfunction!(pow, m)?,
        wrap_pyfunction!(reshape, m)?,
        wrap_pyfunction!(layer_norm, m)?,
        wrap_pyfunction!(rms_norm, m)?,
        wrap_pyfunction!(matmul, m)?,
        wrap_pyfunction!(clamp, m)?,
        wrap_pyfunction!(softplus, m)?,
        wrap_pyfunction!(linalg::var, m)?,
        wrap_pyfunction!(linalg::std_dev, m)?,
        wrap_pyfunction!(linalg::prod, m)?,
        wrap_pyfunction!(linalg::all, m)?,
        wrap_pyfunction!(linalg::any, m)?,
        wrap_pyfunction!(linalg::count_nonzero, m)?,
        wrap_pyfunction!(linalg::nansum, m)?,
        wrap_pyfunction!(linalg::nanmean, m)?,
        wrap_pyfunction!(linalg::norm, m)?,
        wrap_pyfunction!(linalg::einsum, m)?,
        wrap_pyfunction!(linalg::tensordot, m)?,
        wrap_pyfunction!(linalg::dot, m)?,
        wrap_pyfunction!(linalg::vdot, m)?,
        wrap_pyfunction!(linalg::inner, m)?,
        wrap_pyfunction!(linalg::outer, m)?,
        wrap_pyfunction!(linalg::ger, m)?,
        wrap_pyfunction!(linalg::mm, m)?,
        wrap_pyfunction!(linalg::bmm, m)?,
        wrap_pyfunction!(linalg::mv, m)?,
        wrap_pyfunction!(linalg::addmm, m)?,
        wrap_pyfunction!(linalg::addmv, m)?,
        wrap_pyfunction!(linalg::baddbmm, m)?,
        wrap_pyfunction!(linalg::tril, m)?,
        wrap_pyfunction!(linalg::triu, m)?,
        wrap_pyfunction!(linalg::diagonal, m)?,
        wrap_pyfunction!(linalg::trace, m)?,
        wrap_pyfunction!(linalg::diag, m)?,
        wrap_pyfunction!(linalg::diag_embed, m)?,
        wrap_pyfunction!(linalg::vector_norm, m)?,
        wrap_pyfunction!(linalg::matrix_norm, m)?,
        wrap_pyfunction!(linalg::vecdot, m)?,
        wrap_pyfunction!(linalg::linalg_norm, m)?,
        wrap_pyfunction!(linalg::linalg_diagonal, m)?,
        wrap_pyfunction!(logsumexp, m)?,
        wrap_pyfunction!(transpose, m)?,
        wrap_pyfunction!(permute, m)?,
        wrap_pyfunction!(broadcast_to, m)?,
        wrap_pyfunction!(flatten, m)?,
        wrap_pyfunction!(unsqueeze, m)?,
        wrap_pyfunction!(squeeze, m)?,
        wrap_pyfunction!(cat, m)?,
        wrap_pyfunction!(stack, m)?,
        wrap_pyfunction!(where_fn, m)?,
        wrap_pyfunction!(argmax, m)?,
        wrap_pyfunction!(argmin, m)?,
        wrap_pyfunction!(eq, m)?,
        wrap_pyfunction!(ne, m)?,
        wrap_pyfunction!(lt, m)?,
        wrap_pyfunction!(le, m)?,
        wrap_pyfunction!(gt, m)?,
        wrap_pyfunction!(ge, m)?,
        wrap_pyfunction!(floor_divide, m)?,
        wrap_pyfunction!(remainder, m)?,
        wrap_pyfunction!(bitwise_and, m)?,
        wrap_pyfunction!(bitwise_or, m)?,
        wrap_pyfunction!(bitwise_xor, m)?,
        wrap_pyfunction!(logical_and, m)?,
        wrap_pyfunction!(logical_or, m)?,
        wrap_pyfunction!(logical_xor, m)?,
        wrap_pyfunction!(creation::linspace, m)?,
        wrap_pyfunction!(creation::logspace, m)?,
        wrap_pyfunction!(creation::eye, m)?,
        wrap_pyfunction!(creation::tril_indices, m)?,
        wrap_pyfunction!(creation::triu_indices, m)?,
        wrap_pyfunction!(creation::meshgrid, m)?,
        wrap_pyfunction!(creation::zeros_like, m)?,
        wrap_pyfunction!(creation::ones_like, m)?,
        wrap_pyfunction!(creation::empty_like, m)?,
        wrap_pyfunction!(creation::full_like, m)?,
        wrap_pyfunction!(creation::rand_like, m)?,
        wrap_pyfunction!(creation::randn_like, m)?,
        wrap_pyfunction!(creation::randint_like, m)?,
        wrap_pyfunction!(creation::randint, m)?,
        wrap_pyfunction!(creation::randperm, m)?,
        wrap_pyfunction!(creation::normal, m)?,
        wrap_pyfunction!(creation::bernoulli, m)?,
        wrap_pyfunction!(creation::multinomial, m)?,
        wrap_pyfunction!(shape_fns::flip, m)?,
        wrap_pyfunction!(shape_fns::fliplr, m)?,
        wrap_pyfunction!(shape_fns::flipud, m)?,
        wrap_pyfunction!(shape_fns::roll, m)?,
        wrap_pyfunction!(shape_fns::rot90, m)?,
        wrap_pyfunction!(shape_fns::tile, m)?,
        wrap_pyfunction!(shape_fns::repeat_interleave, m)?,
        wrap_pyfunction!(shape_fns::split, m)?,
        wrap_pyfunction!(shape_fns::chunk, m)?,
        wrap_pyfunction!(shape_fns::unbind, m)?,
        wrap_pyfunction!(shape_fns::narrow, m)?,
        wrap_pyfunction!(shape_fns::movedim, m)?,
        wrap_pyfunction!(shape_fns::moveaxis, m)?,
        wrap_pyfunction!(shape_fns::swapaxes, m)?,
        wrap_pyfunction!(shape_fns::swapdims, m)?,
        wrap_pyfunction!(shape_fns::unflatten, m)?,
        wrap_pyfunction!(shape_fns::clone, m)?,
        wrap_pyfunction!(shape_fns::numel, m)?,
        wrap_pyfunction!(shape_fns::broadcast_tensors, m)?,
        wrap_pyfunction!(shape_fns::broadcast_shapes, m)?,
        wrap_pyfunction!(shape_fns::set_printoptions, m)?,
        wrap_pyfunction!(shape_fns::get_printoptions, m)?,
    ] {
        m.add_function(f)?;
    }
    scans::register(m)?;
    losses::register(m)?;
    gather::register(m)?;
    scatter::register(m)?;
    dynamic::register(m)?;
    sorting::register(m)?;
    search::register(m)?;
    // `rusttorch.nn.functional.pad` wraps it.
    m.add_function(wrap_pyfunction!(shape_fns::pad, m)?)?;
    unary::register(m)?;
    math::register(m)
}
