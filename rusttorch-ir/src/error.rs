//! The error type of the IR crate (and of RustTorch as a whole).

use crate::{DType, Shape};

/// Everything that can go wrong when building, planning or running a graph.
///
/// Variants carry the offending shapes, dims and dtypes so a message can name them; the Python
/// layer maps each variant to the matching Python exception.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// Two shapes do not broadcast together.
    #[error("{op}: shapes {lhs} and {rhs} do not broadcast")]
    ShapeMismatch {
        /// The op that was being built.
        op: &'static str,
        /// Left operand shape.
        lhs: Shape,
        /// Right operand shape.
        rhs: Shape,
    },
    /// A dim index outside `-ndim..ndim`.
    #[error("{op}: dim {dim} is out of range for a tensor with {ndim} dims (shape {shape})")]
    DimOutOfRange {
        /// The op that was being built.
        op: &'static str,
        /// The dim as given.
        dim: isize,
        /// Number of dims of the tensor.
        ndim: usize,
        /// The tensor's shape.
        shape: Shape,
    },
    /// The same dim given twice.
    #[error("{op}: dim {dim} appears more than once")]
    DuplicateDim {
        /// The op that was being built.
        op: &'static str,
        /// The repeated dim.
        dim: isize,
    },
    /// max/min of an empty tensor (or over an empty dim) has no identity.
    #[error("{op}: cannot reduce an empty dimension (shape {shape}); {op} has no identity")]
    EmptyReduction {
        /// The reduction.
        op: &'static str,
        /// The input shape.
        shape: Shape,
    },
    /// A data buffer whose length does not match the shape it is given.
    #[error("buffer holds {got} elements but shape {shape} needs {expected}")]
    BufferLength {
        /// Elements the shape needs.
        expected: usize,
        /// Elements the buffer has.
        got: usize,
        /// The shape.
        shape: Shape,
    },
    /// A reshape to a shape with a different number of elements.
    #[error("cannot reshape a tensor of shape {from} into shape {to}")]
    BadReshape {
        /// The source shape.
        from: Shape,
        /// The requested shape.
        to: Shape,
    },
    /// A shape that is invalid on its own (e.g. a negative size).
    #[error("invalid shape: {0}")]
    BadShape(String),
    /// An argument with an invalid value.
    #[error("invalid argument: {0}")]
    BadArgument(String),
    /// An op not defined for a dtype (e.g. `exp` of an int tensor in a float-only kernel).
    #[error("{op} is not supported for dtype {dtype}")]
    UnsupportedDType {
        /// The op.
        op: &'static str,
        /// The dtype.
        dtype: DType,
    },
    /// Operands whose dtypes must match but do not.
    #[error("{op}: dtype mismatch, {lhs} vs {rhs}")]
    DTypeMismatch {
        /// The op.
        op: &'static str,
        /// Left dtype.
        lhs: DType,
        /// Right dtype.
        rhs: DType,
    },
    /// An in-place op (`t += x`) whose result has a dtype of a higher kind than the tensor's
    /// (`int_tensor += 0.5`): it cannot be written back without losing values.
    #[error("{op}: result type {result} can't be cast to {out}, the dtype of the tensor updated in place")]
    InplaceCast {
        /// The in-place operator or method (`+=`, `add_`).
        op: &'static str,
        /// The dtype of the op's result.
        result: DType,
        /// The dtype of the tensor updated in place.
        out: DType,
    },
    /// An allocation that cannot be satisfied.
    #[error("cannot allocate {bytes} bytes")]
    OutOfMemory {
        /// Requested bytes (saturated at usize::MAX).
        bytes: usize,
    },
    /// Executing a compiled plan with the wrong inputs.
    #[error("input {index}: {reason}")]
    BadInput {
        /// Position of the input.
        index: usize,
        /// What is wrong.
        reason: String,
    },
    /// The tensor gave its buffer to an in-place update (buffer donation) and cannot be read.
    #[error(
        "a tensor of shape {shape} gave its buffer to an in-place update (`t += x`) that is still \
         running or failed; evaluate the updated tensor instead"
    )]
    Donated {
        /// Shape of the tensor whose buffer was donated.
        shape: Shape,
    },
    /// The evaluation was stopped before it finished (a cancel flag was set: Ctrl-C in
    /// Python); its tensors stay lazy and can be evaluated again.
    #[error("evaluation interrupted")]
    Interrupted,
    /// A broken internal invariant (a bug in RustTorch).
    #[error("internal error: {0}")]
    Internal(String),
}

/// `Result` with RustTorch's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
