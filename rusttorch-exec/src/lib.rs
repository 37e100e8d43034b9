//! RustTorch executor: result memory (the buffer pool) and memory planning, the rayon block executor that runs fused
//! kernels, eager (op-by-op) mode, and the [`Engine`] with its plan cache.
//!
//! ```
//! use rusttorch_exec::prelude::*;
//! # fn main() -> rusttorch_ir::Result<()> {
//! let a = Tensor::from_vec(vec![1.0f32, 2.0, 3.0], [3])?;
//! let b = Tensor::from_vec(vec![4.0f32, 5.0, 6.0], [3])?;
//! let c = Tensor::full([3], 1.0, DType::F32)?;
//! let y = ((((&a * &b)? + &c)? * 0.5)? - (&a * &c)?)?; // W1, built lazily
//! assert_eq!(y.to_vec::<f32>()?, vec![1.5, 3.5, 6.5]);
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]
#![allow(clippy::result_large_err)] // errors carry shapes by value; see rusttorch-ir

mod cancel;
pub mod engine;
pub mod jit;
mod kernel;
pub mod memory;
pub mod num;
pub mod reference;
pub mod vmath;

pub use cancel::Cancel;
pub use engine::{Engine, EngineConfig, Executable, PreparedEval};
pub use jit::JitMode;
#[doc(hidden)]
pub use kernel::stream_copy;
pub use rusttorch_ir as ir;

use rusttorch_ir::{Element, Result, Tensor};

/// Evaluation methods on lazy tensors, backed by the default [`Engine`].
pub trait TensorExt {
    /// Evaluates (fused) and keeps the result; later expressions read it.
    fn eval(&self) -> Result<&Self>;
    /// Evaluates if needed and copies the elements out.
    fn to_vec<T: Element>(&self) -> Result<Vec<T>>;
    /// The optimized, fused plan as text.
    fn explain(&self) -> Result<String>;
    /// Graphviz DOT of the graph before and after fusion.
    fn to_dot(&self) -> Result<String>;
}

impl TensorExt for Tensor {
    fn eval(&self) -> Result<&Self> {
        Engine::default_engine().eval(std::slice::from_ref(self))?;
        Ok(self)
    }
    fn to_vec<T: Element>(&self) -> Result<Vec<T>> {
        self.eval()?;
        let b = self.buffer().ok_or_else(|| rusttorch_ir::Error::Internal("not evaluated".into()))?;
        Ok(b.as_slice::<T>()?.to_vec())
    }
    fn explain(&self) -> Result<String> {
        Engine::default_engine().explain(std::slice::from_ref(self))
    }
    fn to_dot(&self) -> Result<String> {
        Engine::default_engine().plan_for(std::slice::from_ref(self), true)?.to_dot()
    }
}

/// Everything a Rust user needs.
pub mod prelude {
    pub use crate::{Engine, EngineConfig, Executable, JitMode, TensorExt};
    pub use rusttorch_ir::{Buffer, DType, Error, GeluApprox, Result, Shape, Tensor};
}
