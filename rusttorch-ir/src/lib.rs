//! RustTorch IR: the lazy tensor DAG, its ops, shapes and dtypes, the optimizer passes and the
//! fusion planner that turns a graph into a [`Plan`](plan::Plan) of [`FusedKernel`](plan::FusedKernel)s.
//!
//! Modules in dependency order, each using only those before it: `dtype`, `shape`, `error`,
//! `hash`, `op`, `infer`, `random`, `buffer`, `view`, `graph`, `tensor` (builds lazy tensors
//! and lowers them to a `graph`), `autograd` (gradients as more graph), `serial` (graphs to bytes and back, for pickle), `print` (values as PyTorch prints them), `rewrite`, `plan`, `passes` (the optimizer), `fusion` (the
//! planner, which emits a `plan`).
//!
//! ```
//! use rusttorch_ir::{DType, Tensor};
//! # fn main() -> rusttorch_ir::Result<()> {
//! let a = Tensor::from_vec(vec![1.0f32, 2.0, 3.0], [3])?;
//! let b = Tensor::full([3], 2.0, DType::F32)?;
//! let y = ((&a * &b)? + 1.0)?; // lazy: nothing is computed yet
//! assert_eq!(y.shape().dims(), &[3]);
//! assert!(matches!(&a + &Tensor::zeros([4], DType::F32)?, Err(rusttorch_ir::Error::ShapeMismatch { .. })));
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]
// Errors carry the offending shapes by value so messages can name them; they are built only on
// failure paths, so the larger `Err` variant costs nothing on the hot path.
#![allow(clippy::result_large_err)]

pub mod autograd;
pub mod buffer;
pub mod dtype;
pub mod error;
pub mod fusion;
pub mod graph;
pub mod hash;
pub mod infer;
pub mod op;
pub mod print;
pub mod shape;
pub mod tensor;
pub mod view;

pub use buffer::Buffer;
pub use dtype::{DType, Element, ScalarKind};
pub use error::{scoped, Error, Result};
/// The 16-bit float types of the `float16`/`bfloat16` dtypes.
pub use half;
pub use op::{ArgOp, BinaryOp, GeluApprox, Op, ReduceOp, Scalar, SourceOp, UnaryOp};
pub use shape::Shape;
pub use tensor::{MatrixOrd, NormOrd, PadMode, Tensor};
pub mod passes;
pub mod plan;
pub mod random;
pub mod rewrite;
pub mod serial;
