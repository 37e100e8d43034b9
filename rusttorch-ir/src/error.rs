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
    #[error(
        "{op}: cannot reduce an empty dimension{} (shape {shape}); {op} has no identity",
        .dim.map(|d| format!(" (dim {d} has size 0)")).unwrap_or_default()
    )]
    EmptyReduction {
        /// The reduction.
        op: &'static str,
        /// The input shape.
        shape: Shape,
        /// The empty dim as the caller gave it, when the reduction named dims.
        dim: Option<isize>,
    },
    /// A form of an op that RustTorch does not compute (yet), e.g. the nuclear matrix norm.
    #[error("{op}: {what} is not implemented")]
    NotImplemented {
        /// The op.
        op: &'static str,
        /// The unsupported form, in the caller's own values.
        what: String,
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
    #[error("{op}: shape {to:?} is invalid for input of shape {from} ({} elements)", .from.numel())]
    BadReshape {
        /// The op that was being built.
        op: &'static str,
        /// The source shape.
        from: Shape,
        /// The requested shape as the caller wrote it (`-1` included).
        to: Vec<isize>,
    },
    /// An index past the end of a dim (`t[5]` of a dim of size 2).
    #[error("{op}: index {index} is out of bounds for dim {dim} with size {size}")]
    IndexOutOfRange {
        /// The op that was being built.
        op: &'static str,
        /// The index as given (negative counts from the end).
        index: isize,
        /// The dim it indexes.
        dim: usize,
        /// The size of that dim.
        size: usize,
    },
    /// An index expression (`t[1, ..., None]`) naming more dims than the tensor has.
    #[error("too many indices for a tensor of shape {shape}: {given} given, {} dims", .shape.ndim())]
    TooManyIndices {
        /// The indexed tensor's shape.
        shape: Shape,
        /// How many dims the index consumes (ints and slices).
        given: usize,
    },
    /// A bool mask whose shape is not that of the dims it indexes.
    #[error(
        "index: the shape of the mask {mask} does not match the shape of the indexed tensor {shape} from dim {dim}"
    )]
    MaskShape {
        /// The mask's shape.
        mask: Shape,
        /// The indexed tensor's shape.
        shape: Shape,
        /// The first dim the mask covers.
        dim: usize,
    },
    /// An index expression with more than one `...`.
    #[error("an index can only have a single ellipsis ('...')")]
    MultipleEllipsis,
    /// A class index of a loss outside `0..classes` (negative ones included), as the caller
    /// gave it.
    #[error(
        "{op}: target[{position}] = {target} is out of range for logits of shape {shape} (class \
         indices must be in 0..{classes})"
    )]
    ClassIndex {
        /// The loss.
        op: &'static str,
        /// Position of the offending entry in the targets.
        position: usize,
        /// Its value (`i128` holds every `i64` and `u64`).
        target: i128,
        /// The logits' shape.
        shape: Shape,
        /// The number of classes (0 when the logits are not `[n, classes]`).
        classes: usize,
    },
    /// A tensor with fewer dims than an op needs (`mT` of a vector).
    #[error("{op} needs a tensor with at least {needed} dims, got shape {shape}")]
    TooFewDims {
        /// The op.
        op: &'static str,
        /// The dims it needs at least.
        needed: usize,
        /// The tensor's shape.
        shape: Shape,
    },
    /// Operands of a concatenation whose sizes differ outside the joined dim.
    #[error(
        "{op}: Sizes of tensors must match except in dimension {dim}. Expected size {expected} but \
         got size {got} for tensor number {index} in the list"
    )]
    ConcatSize {
        /// The op that was being built.
        op: &'static str,
        /// The joined dim.
        dim: usize,
        /// The size of the first tensor in the dim that differs.
        expected: usize,
        /// The size of tensor `index` there.
        got: usize,
        /// Position of the offending tensor in the list.
        index: usize,
    },
    /// Operands of a concatenation with different numbers of dims.
    #[error(
        "{op}: Tensors must have same number of dimensions: got {expected} and {got} (tensor number \
         {index} in the list)"
    )]
    ConcatRank {
        /// The op that was being built.
        op: &'static str,
        /// Dims of the first tensor.
        expected: usize,
        /// Dims of tensor `index`.
        got: usize,
        /// Position of the offending tensor in the list.
        index: usize,
    },
    /// Operands of `stack` whose shapes differ.
    #[error("{op}: expects each tensor to be equal size, but got {first} at entry 0 and {got} at entry {index}")]
    StackShape {
        /// The op that was being built.
        op: &'static str,
        /// Shape of the first tensor.
        first: Shape,
        /// Shape of tensor `index`.
        got: Shape,
        /// Position of the offending tensor in the list.
        index: usize,
    },
    /// A shape that is invalid on its own (e.g. a negative size).
    #[error("{op}: {reason}")]
    BadShape {
        /// The op that was being built.
        op: &'static str,
        /// What is wrong, in the caller's own values.
        reason: String,
    },
    /// An argument with an invalid value.
    #[error("{op}: {reason}")]
    BadArgument {
        /// The op that was being built.
        op: &'static str,
        /// What is wrong, in the caller's own values.
        reason: String,
    },
    /// An argument of the wrong kind of dtype (a loss's float target where class indices go).
    #[error("{op}: {reason}")]
    BadType {
        /// The op that was being built.
        op: &'static str,
        /// What is wrong, in the caller's own values.
        reason: String,
    },
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
    /// Evaluating a graph that reads a placeholder with no data bound to it (an input of a
    /// compiled graph, or a chunked source such as a Dask array, which `rusttorch.dask`
    /// evaluates).
    #[error("a placeholder of shape {shape} is not bound{}", note.as_deref().map(|n| format!(" ({n})")).unwrap_or_default())]
    Unbound {
        /// Shape of the placeholder.
        shape: Shape,
        /// Its note (what it stands for), if any.
        note: Option<String>,
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
    /// A serialized graph ([`crate::serial`]) written in another format version than this
    /// build reads.
    #[error(
        "cannot load a rusttorch graph of format version {found}: this rusttorch reads format \
         version {expected} (load it with the rusttorch release that wrote it)"
    )]
    GraphVersion {
        /// The version the blob says it has.
        found: u32,
        /// The version this build writes and reads.
        expected: u32,
    },
    /// A serialized graph ([`crate::serial`]) that is not one, was damaged, or does not fit
    /// the buffers given with it.
    #[error("corrupted rusttorch graph: {reason}")]
    CorruptGraph {
        /// What is wrong.
        reason: String,
    },
    /// A gradient that cannot be computed as asked (PyTorch's autograd `RuntimeError`s:
    /// backward through a freed graph, a non-scalar output without `gradient`, an in-place
    /// update of a leaf that requires grad...).
    #[error("{op}: {message}")]
    Autograd {
        /// The autograd call or op (`backward`, `grad`, `requires_grad_`...).
        op: &'static str,
        /// What is wrong, as PyTorch words it.
        message: String,
    },
    /// A broken internal invariant (a bug in RustTorch).
    #[error("internal error: {0}")]
    Internal(String),
}

/// An [`Error::BadArgument`] of `op`.
pub fn bad_argument(op: &'static str, reason: impl Into<String>) -> Error {
    Error::BadArgument { op, reason: reason.into() }
}

/// An [`Error::BadShape`] of `op`.
pub fn bad_shape(op: &'static str, reason: impl Into<String>) -> Error {
    Error::BadShape { op, reason: reason.into() }
}

/// `Result` with RustTorch's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The same error naming `user_op` instead of the op that raised it (the other fields,
    /// which hold the caller's own dims, shapes and dtypes, are kept).
    pub fn in_op(mut self, user_op: &'static str) -> Error {
        // Exhaustive on purpose: a new variant that names an op must be rewritten here too.
        match &mut self {
            Error::ShapeMismatch { op, .. }
            | Error::DimOutOfRange { op, .. }
            | Error::DuplicateDim { op, .. }
            | Error::EmptyReduction { op, .. }
            | Error::BadReshape { op, .. }
            | Error::IndexOutOfRange { op, .. }
            | Error::ConcatSize { op, .. }
            | Error::ConcatRank { op, .. }
            | Error::StackShape { op, .. }
            | Error::UnsupportedDType { op, .. }
            | Error::DTypeMismatch { op, .. }
            | Error::BadShape { op, .. }
            | Error::BadArgument { op, .. }
            | Error::BadType { op, .. }
            | Error::ClassIndex { op, .. }
            | Error::TooFewDims { op, .. }
            | Error::NotImplemented { op, .. } => *op = user_op,
            Error::BufferLength { .. }
            | Error::OutOfMemory { .. }
            | Error::BadInput { .. }
            | Error::Unbound { .. }
            | Error::Donated { .. }
            // Raised where the user's in-place operator is known, and named after it already.
            | Error::InplaceCast { .. }
            // Name no op: an index expression is the caller's own syntax.
            | Error::TooManyIndices { .. }
            | Error::MultipleEllipsis
            | Error::MaskShape { .. }
            | Error::Interrupted
            | Error::GraphVersion { .. }
            | Error::CorruptGraph { .. }
            // Raised by a backward pass, after the op was built.
            | Error::Autograd { .. }
            | Error::Internal(_) => {}
        }
        self
    }
}

/// Builds the op `user_op` with `build`: every error raised by the ops `build` is made of (a
/// composite's max, sum, sub, square...) names `user_op`, the op the caller called, so that
/// `softmax(1)` of a 1-d tensor reports "softmax: dim 1 is out of range", not "max: ...".
/// Scopes nest; the outermost one (the op the caller called) wins.
pub fn scoped<T>(user_op: &'static str, build: impl FnOnce() -> Result<T>) -> Result<T> {
    build().map_err(|e| e.in_op(user_op))
}
