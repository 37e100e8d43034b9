//! The unary ops of the op table as Python functions (`rusttorch.exp`) and `Tensor` methods
//! (`t.exp()`), generated from the table's rows (`rusttorch_ir::for_each_unary_op!` and
//! `for_each_composite_op!`). Ops with a parameter (`leaky_relu`, `gelu`) have Python defaults
//! and are written out in `functions.rs` and `tensor/methods.rs`.

use crate::args::TensorArg;
use crate::handle::{build, PyTensor};
use pyo3::prelude::*;

/// The Python function and the method of one row; `@skip` rows have none here.
macro_rules! binding {
    (@skip) => {};
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[pyfunction]
        pub fn $name(input: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
            let x = TensorArg::of(stringify!($name), "input", input)?;
            build(|| x.$name())
        }

        #[pymethods]
        impl PyTensor {
            $(#[$doc])*
            fn $name(&self) -> PyResult<PyTensor> {
                build(|| self.tensor().$name())
            }
        }
    };
}

/// Adds the function of one row to the module.
macro_rules! register {
    ($m:ident, @skip) => {};
    ($m:ident, $name:ident) => {
        $m.add_function(wrap_pyfunction!($name, $m)?)?;
    };
}

/// Whether a primitive row is bound here: not when it has a parameter, not `copy` (an
/// internal op; Python has `contiguous()`), and not `round` (its `decimals=` is in `math.rs`).
macro_rules! primitive_rows {
    ($($(#[$doc:meta])* $v:ident $(($p:ident : $pty:ty))?, $name:ident, $cost:literal, $rule:ident, $f:expr, grad $d:expr;)*) => {
        $(primitive_rows!(@row $(#[$doc])* $v $(($p: $pty))?, $name);)*
        /// Adds every primitive unary op's function to the module.
        fn register_primitives(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $(primitive_rows!(@register m, $v $(($p: $pty))?, $name);)*
            Ok(())
        }
    };
    (@row $(#[$doc:meta])* Copy, $name:ident) => { binding!(@skip); };
    (@row $(#[$doc:meta])* Round, $name:ident) => { binding!(@skip); };
    (@row $(#[$doc:meta])* $v:ident ($p:ident : $pty:ty), $name:ident) => { binding!(@skip); };
    (@row $(#[$doc:meta])* $v:ident, $name:ident) => { binding!($(#[$doc])* $name); };
    (@register $m:ident, Copy, $name:ident) => { register!($m, @skip); };
    (@register $m:ident, Round, $name:ident) => { register!($m, @skip); };
    (@register $m:ident, $v:ident ($p:ident : $pty:ty), $name:ident) => { register!($m, @skip); };
    (@register $m:ident, $v:ident, $name:ident) => { register!($m, $name); };
}
rusttorch_ir::for_each_unary_op!(primitive_rows);

macro_rules! composite_rows {
    ($($(#[$doc:meta])* $name:ident, $f:expr;)*) => {
        $(binding!($(#[$doc])* $name);)*
        /// Adds every composite unary op's function to the module.
        fn register_composites(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $(register!(m, $name);)*
            Ok(())
        }
    };
}
rusttorch_ir::for_each_composite_op!(composite_rows);

/// Names of the unary ops of the op table (tests check each has a function, a method and a stub).
#[pyfunction]
pub fn _unary_op_names() -> Vec<&'static str> {
    rusttorch_ir::tensor::unary_op_names()
}

/// Adds the functions of every unary op of the op table to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    register_primitives(m)?;
    register_composites(m)?;
    m.add_function(wrap_pyfunction!(_unary_op_names, m)?)
}
