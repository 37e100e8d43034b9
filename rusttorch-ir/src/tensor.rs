//! Lazy tensors: cheap `Arc` handles to nodes of an expression DAG.
//!
//! Building a tensor runs shape and dtype inference at once, so a bad shape fails in the
//! caller's line. Nothing is computed until an executor evaluates the tensor; an evaluated node
//! keeps its buffer and forgets its inputs, so later expressions read the buffer and memory held
//! by the expression that produced it is released.

use crate::buffer::try_zeroed_vec;
use crate::error::{bad_argument, bad_shape};
use crate::op::{ArgOp, BinaryOp, BinaryRule, BoolForm, Op, ReduceOp, Scalar, SourceOp, UnaryOp, UnaryRule};
use crate::{scoped, Buffer, DType, Element, Error, Result, ScalarKind, Shape};
use smallvec::{smallvec, SmallVec};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

/// Operand list of a node.
pub type Operands = SmallVec<[Tensor; 2]>;

pub(crate) enum NodeState {
    /// Not computed yet: the operands it is computed from.
    Lazy(Operands),
    /// Computed (or given as data): its contiguous buffer.
    Ready(Buffer),
    /// Its buffer was moved into the evaluation of its only consumer, which writes its result
    /// there (buffer donation); nothing can read this node any more.
    Donated,
}

/// One node of the lazy DAG.
pub struct Node {
    op: Op,
    shape: Shape,
    dtype: DType,
    state: Mutex<NodeState>,
}

/// A lazy tensor: a cheap-to-clone, `Send + Sync` handle to a node of the expression DAG.
#[derive(Clone)]
pub struct Tensor(Arc<Node>);

impl Drop for Node {
    // Dropping a long chain recursively would overflow the stack: unlink operands iteratively.
    fn drop(&mut self) {
        if let Ok(NodeState::Lazy(ops)) = self.state.get_mut() {
            release(std::mem::take(ops));
        }
    }
}

/// Drops operand handles without recursion: a node whose last handle this is gives up its own
/// operands first, so each drop is shallow. (Taken in place under the node's lock rather than by
/// moving the node out of its `Arc`: the node is a few hundred bytes.)
fn release(ops: Operands) {
    // Operands someone else still holds just lose a reference: no stack needed.
    if ops.iter().all(|t| Arc::strong_count(&t.0) > 1) {
        return;
    }
    let mut stack: SmallVec<[Tensor; 16]> = SmallVec::new();
    for t in ops {
        stack.push(t);
    }
    while let Some(mut t) = stack.pop() {
        // The only handle: nobody can clone it concurrently, and no lock is needed.
        if let Some(node) = Arc::get_mut(&mut t.0) {
            if let Ok(NodeState::Lazy(ops)) = node.state.get_mut() {
                for o in std::mem::take(ops) {
                    stack.push(o);
                }
            }
        }
    }
}

impl Tensor {
    fn new(op: Op, shape: Shape, dtype: DType, state: NodeState) -> Tensor {
        Tensor(Arc::new(Node { op, shape, dtype, state: Mutex::new(state) }))
    }

    fn lazy(op: Op, shape: Shape, dtype: DType, operands: Operands) -> Tensor {
        Tensor::new(op, shape, dtype, NodeState::Lazy(operands))
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, NodeState> {
        // A poisoned lock only means another thread panicked while holding it; the state
        // itself is always valid (it is replaced in one assignment).
        self.0.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A stable identity for this node (used to deduplicate nodes while lowering).
    pub fn id(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }

    /// The op that computes this tensor.
    pub fn op(&self) -> &Op {
        &self.0.op
    }

    /// The shape.
    pub fn shape(&self) -> &Shape {
        &self.0.shape
    }

    /// The dims.
    pub fn dims(&self) -> &[usize] {
        self.0.shape.dims()
    }

    /// The element type.
    pub fn dtype(&self) -> DType {
        self.0.dtype
    }

    /// Number of dims.
    pub fn ndim(&self) -> usize {
        self.0.shape.ndim()
    }

    /// Number of elements.
    pub fn numel(&self) -> usize {
        self.0.shape.numel()
    }

    /// The computed buffer, if this tensor has been evaluated (or was built from data).
    pub fn buffer(&self) -> Option<Buffer> {
        match &*self.state() {
            NodeState::Ready(b) => Some(b.clone()),
            NodeState::Lazy(_) | NodeState::Donated => None,
        }
    }

    /// Whether the tensor holds a computed buffer.
    pub fn is_evaluated(&self) -> bool {
        self.buffer().is_some()
    }

    /// The operands this tensor is computed from (empty once evaluated).
    pub fn operands(&self) -> Operands {
        match &*self.state() {
            NodeState::Lazy(ops) => ops.clone(),
            NodeState::Ready(_) | NodeState::Donated => Operands::new(),
        }
    }

    /// Ids of the evaluated tensors that only `outputs` can still read: reachable from them
    /// through lazy nodes that nothing else holds, each held once. Once `outputs` are evaluated
    /// (and drop their operands) nothing can read these any more, so their buffers may be
    /// donated to the evaluation. `held` is the number of handles the caller itself holds on
    /// each evaluated tensor (one after [`crate::graph::lower`]).
    pub fn exclusively_consumed(outputs: &[Tensor], held: usize) -> Vec<usize> {
        let mut found = Vec::new();
        let mut stack: Vec<Tensor> = outputs.to_vec();
        while let Some(t) = stack.pop() {
            let state = t.state();
            let NodeState::Lazy(ops) = &*state else { continue };
            for o in ops {
                // Handles: this operand list's (counted before this walk clones it), and the
                // caller's on evaluated tensors.
                let handles = Arc::strong_count(&o.0);
                match &*o.state() {
                    NodeState::Ready(_) if handles == 1 + held => found.push(o.id()),
                    NodeState::Lazy(_) if handles == 1 => stack.push(o.clone()),
                    _ => {}
                }
            }
        }
        found
    }

    /// Number of handles to this node (the evaluation uses it to find buffers nobody else can
    /// read any more).
    pub fn handle_count(&self) -> usize {
        Arc::strong_count(&self.0)
    }

    /// Buffer donation: gives up this evaluated tensor's buffer `b` for an in-place update by
    /// its only consumer. Succeeds (and the node becomes unreadable) only when `b` is this
    /// node's pooled buffer and the caller's handle `b` is the only other one, checked under
    /// the node's lock, so no other evaluation can have taken or take a copy.
    pub fn donate_buffer(&self, b: &Buffer) -> bool {
        let mut state = self.state();
        let NodeState::Ready(own) = &*state else { return false };
        if !Buffer::ptr_eq(own, b) || b.handle_count() != 2 || !own.is_pooled() {
            return false;
        }
        *state = NodeState::Donated;
        true
    }

    /// Gives back buffer `b` that [`Tensor::donate_buffer`] gave up, unchanged (the evaluation
    /// it was given to stopped before writing into it): the tensor is readable again.
    pub fn restore_donated(&self, b: Buffer) {
        let mut state = self.state();
        if matches!(*state, NodeState::Donated) && b.len() == self.numel() && b.dtype() == self.dtype() {
            *state = NodeState::Ready(b);
        }
    }

    /// Whether the op is an input slot (a placeholder until it holds data).
    pub(crate) fn is_placeholder_op(&self) -> bool {
        matches!(self.0.op, Op::Source(SourceOp::Input(_)))
    }

    /// Whether this is a placeholder: an input bound only when a compiled graph runs.
    pub fn is_placeholder(&self) -> bool {
        matches!(self.0.op, Op::Source(SourceOp::Input(_))) && !self.is_evaluated()
    }

    /// Stores the computed buffer and drops the operands (called by executors).
    pub fn set_buffer(&self, buffer: Buffer) -> Result<()> {
        if buffer.len() != self.numel() || buffer.dtype() != self.dtype() {
            return Err(Error::Internal(format!(
                "result buffer {buffer:?} does not fit a tensor of shape {} and dtype {}",
                self.shape(),
                self.dtype()
            )));
        }
        let old = std::mem::replace(&mut *self.state(), NodeState::Ready(buffer));
        // Operands are dropped here, outside the lock, iteratively.
        if let NodeState::Lazy(ops) = old {
            release(ops);
        }
        Ok(())
    }

    // ---------------------------------------------------------------- creation

    /// A tensor over an existing buffer (no copy); the length must match the shape.
    pub fn from_buffer(buffer: Buffer, shape: impl Into<Shape>) -> Result<Tensor> {
        let shape = shape.into();
        let expected = shape.checked_numel()?;
        if buffer.len() != expected {
            return Err(Error::BufferLength { expected, got: buffer.len(), shape });
        }
        let dtype = buffer.dtype();
        Ok(Tensor::new(Op::Source(SourceOp::Input(0)), shape, dtype, NodeState::Ready(buffer)))
    }

    /// A tensor owning `data` (no copy); the length must match the shape.
    pub fn from_vec<T: Element>(data: Vec<T>, shape: impl Into<Shape>) -> Result<Tensor> {
        Tensor::from_buffer(Buffer::from_vec(data), shape)
    }

    /// A 1-d tensor copying `data`.
    pub fn from_slice<T: Element>(data: &[T]) -> Tensor {
        let n = data.len();
        Tensor::from_buffer(Buffer::from_vec(data.to_vec()), n).expect("length matches")
    }

    /// A placeholder for an input bound when a compiled graph runs.
    pub fn placeholder(shape: impl Into<Shape>, dtype: DType) -> Result<Tensor> {
        let shape = shape.into();
        shape.checked_numel()?;
        Ok(Tensor::lazy(Op::Source(SourceOp::Input(0)), shape, dtype, Operands::new()))
    }

    /// Every element equal to `value` (computed inside the kernels that read it, never stored),
    /// converted to `dtype` first with the cast rule ([`Scalar::cast`]: `1.5` as int32 is 1,
    /// `2i64.pow(40)` as int32 wraps to 0). An integer `value` (`i64`, `i32`) stays exact in an
    /// int64 tensor; an `f64` one is an `f64` first.
    pub fn full(shape: impl Into<Shape>, value: impl Into<Scalar>, dtype: DType) -> Result<Tensor> {
        let shape = shape.into();
        shape.checked_numel()?;
        let value = value.into().cast(dtype);
        Ok(Tensor::lazy(Op::Source(SourceOp::Full(value)), shape, dtype, smallvec![]))
    }

    /// A 0-d constant (see [`Tensor::full`]).
    pub fn scalar(value: impl Into<Scalar>, dtype: DType) -> Tensor {
        Tensor::full(Shape::scalar(), value, dtype).expect("0-d shape is valid")
    }

    /// A 0-d constant used as an operand of an op being built. Recent ones are shared per
    /// thread: `x * 0.5` built again and again reuses one node instead of allocating and
    /// freeing it every time (a constant node is immutable, so sharing it changes no result).
    fn operand_scalar(value: Scalar, dtype: DType) -> Tensor {
        type Recent = [Option<(Scalar, DType, Tensor)>; 8];
        thread_local! {
            static RECENT: std::cell::RefCell<(Recent, usize)> = const { std::cell::RefCell::new((
                [const { None }; 8],
                0,
            )) };
        }
        let cached = RECENT.try_with(|r| {
            let mut r = r.try_borrow_mut().ok()?;
            let (slots, next) = &mut *r;
            if let Some((_, _, t)) = slots.iter().flatten().find(|(v, d, _)| *v == value && *d == dtype) {
                return Some(t.clone());
            }
            let t = Tensor::scalar(value, dtype);
            slots[*next] = Some((value, dtype, t.clone()));
            *next = (*next + 1) % slots.len();
            Some(t)
        });
        cached.ok().flatten().unwrap_or_else(|| Tensor::scalar(value, dtype))
    }

    /// All zeros.
    pub fn zeros(shape: impl Into<Shape>, dtype: DType) -> Result<Tensor> {
        Tensor::full(shape, 0.0, dtype)
    }

    /// All ones.
    pub fn ones(shape: impl Into<Shape>, dtype: DType) -> Result<Tensor> {
        Tensor::full(shape, 1.0, dtype)
    }

    /// `start, start+step, ...` up to (not including) `stop`, converted to `dtype`.
    ///
    /// When all three are integers (`i64`, `i32`) the length and the values are computed exactly
    /// in int64 (`arange(2^53, 2^53 + 5)` has five distinct values); otherwise, as PyTorch, the
    /// length is `ceil((stop - start) / step)` in f64 and the values `start + step * i` in f64.
    pub fn arange(
        start: impl Into<Scalar>,
        stop: impl Into<Scalar>,
        step: impl Into<Scalar>,
        dtype: DType,
    ) -> Result<Tensor> {
        let (start, stop, step) = (start.into(), stop.into(), step.into());
        let n = match (start.as_int(), stop.as_int(), step.as_int()) {
            (Some(a), Some(b), Some(s)) if s != 0 => {
                // In i128, so no difference of two int64 overflows.
                let (d, s) = (i128::from(b) - i128::from(a), i128::from(s));
                if d != 0 && (d > 0) == (s > 0) {
                    (d.abs() + s.abs() - 1) / s.abs()
                } else {
                    0
                }
            }
            _ => {
                let (a, b, s) = (start.get(), stop.get(), step.get());
                if s == 0.0 || !s.is_finite() || !a.is_finite() || !b.is_finite() {
                    return Err(bad_argument(
                        "arange",
                        format!("needs finite start/stop and a finite non-zero step, got {start}, {stop}, {step}"),
                    ));
                }
                // Saturating: a length beyond any memory is refused below.
                ((b - a) / s).ceil().max(0.0) as i128
            }
        };
        if n > (isize::MAX / 8) as i128 {
            return Err(Error::OutOfMemory { bytes: usize::MAX });
        }
        let op = Op::Source(SourceOp::Arange { start, step });
        Ok(Tensor::lazy(op, Shape::from(n as usize), dtype, smallvec![]))
    }

    // ---------------------------------------------------------------- elementwise

    fn float_only(&self, op: &'static str) -> Result<()> {
        if self.dtype().is_float() {
            Ok(())
        } else {
            Err(Error::UnsupportedDType { op, dtype: self.dtype() })
        }
    }

    /// This tensor, converted to `float32` unless it already is a float (what PyTorch does to
    /// the operand of `exp`, `/` and the other float-valued ops).
    fn to_float(&self) -> Result<Tensor> {
        if self.dtype().is_float() {
            Ok(self.clone())
        } else {
            self.cast(DType::F32)
        }
    }

    /// Applies a unary op, treating the operand's dtype by the op's [`UnaryRule`] (the table's
    /// dtype column): float-valued math (`exp`, `sqrt`, `tanh`, ...) turns int and bool operands
    /// into float32 first; rounding ops are the identity on ints; `neg`, `abs`, `relu` and
    /// `square` keep ints (wrapping) and reject bools; `~` is bitwise on ints and logical on bools.
    pub fn unary(&self, op: UnaryOp) -> Result<Tensor> {
        let d = self.dtype();
        let unsupported = || Error::UnsupportedDType { op: op.info().name, dtype: d };
        let x = match op.rule() {
            UnaryRule::Any => self.clone(),
            UnaryRule::Rounding if !d.is_float() => return Ok(self.clone()),
            UnaryRule::Rounding => self.clone(),
            UnaryRule::Numeric => self.numeric(op.info().name)?,
            UnaryRule::Float => self.to_float()?,
            UnaryRule::Logical if d == DType::Bool => self.clone(),
            UnaryRule::Logical => return self.binary_scalar(BinaryOp::Eq, 0.0),
            UnaryRule::Bitwise if d == DType::Bool => return self.unary(UnaryOp::LogicalNot),
            UnaryRule::Bitwise if d.is_int() => self.clone(),
            UnaryRule::Bitwise => return Err(unsupported()),
        };
        Ok(Tensor::lazy(Op::Unary(op), x.shape().clone(), x.dtype(), smallvec![x]))
    }

    /// This tensor, for an op of numbers that keeps ints and floats but has no meaning on bools
    /// (`neg`, `abs`, `relu6`): an [`Error::UnsupportedDType`] of `op` for a bool tensor.
    pub(crate) fn numeric(&self, op: &'static str) -> Result<Tensor> {
        match self.dtype() {
            DType::Bool => Err(Error::UnsupportedDType { op, dtype: DType::Bool }),
            _ => Ok(self.clone()),
        }
    }

    /// This tensor as the operand of a float-valued op (`softsign`, `mish`): ints become
    /// float32, bools are an [`Error::UnsupportedDType`] of `op` (as in PyTorch).
    pub(crate) fn float_valued(&self, op: &'static str) -> Result<Tensor> {
        self.numeric(op)?.to_float()
    }

    /// Applies a binary op with NumPy broadcasting. Operands are promoted to a common dtype
    /// first ([`DType::promote`]: PyTorch's rules). `/` and `**` with a float exponent are
    /// float-valued (ints become float32); comparisons give bool; `& | ^` take ints and bools;
    /// on bools `+`/`max` are logical or and `*`/`min` logical and.
    pub fn binary(&self, op: BinaryOp, rhs: &Tensor) -> Result<Tensor> {
        let name = op.info().name;
        let shape = Shape::broadcast(name, self.shape(), rhs.shape())?;
        let mut dtype = self.dtype().promote(rhs.dtype());
        let mut op = op;
        if op.rule() == BinaryRule::TrueDiv && !dtype.is_float() {
            dtype = DType::F32;
        }
        if dtype == DType::Bool {
            op = match op.on_bool() {
                BoolForm::Same => op,
                BoolForm::Or => BinaryOp::Or,
                BoolForm::And => BinaryOp::And,
                BoolForm::Error => return Err(Error::UnsupportedDType { op: name, dtype }),
            };
        }
        if op.is_bitwise() && dtype.is_float() {
            return Err(Error::UnsupportedDType { op: name, dtype });
        }
        let (l, r) = (self.cast(dtype)?, rhs.cast(dtype)?);
        let out = if op.is_comparison() { DType::Bool } else { dtype };
        Ok(Tensor::lazy(Op::Binary(op), shape, out, smallvec![l, r]))
    }

    /// `cond ? a : b` elementwise, broadcasting all three; `a` and `b` are promoted to a common
    /// dtype, and a non-bool `cond` means `cond != 0` (as NumPy).
    pub fn where_cond(&self, a: &Tensor, b: &Tensor) -> Result<Tensor> {
        let ab = Shape::broadcast("where", a.shape(), b.shape())?;
        let shape = Shape::broadcast("where", self.shape(), &ab)?;
        let cond = if self.dtype() == DType::Bool { self.clone() } else { self.binary_scalar(BinaryOp::Ne, 0.0)? };
        let dtype = a.dtype().promote(b.dtype());
        let (a, b) = (a.cast(dtype)?, b.cast(dtype)?);
        Ok(Tensor::lazy(Op::Where, shape, dtype, smallvec![cond, a, b]))
    }

    /// Converts to `dtype` (a no-op when it already is). Float to int truncates toward zero
    /// and saturates at the int's range, NaN becomes 0 (Rust `as`; defined for every input);
    /// int to int wraps; anything to bool is `x != 0` (so NaN is true).
    pub fn cast(&self, dtype: DType) -> Result<Tensor> {
        if dtype == self.dtype() {
            return Ok(self.clone());
        }
        if let Op::Source(SourceOp::Full(v)) = self.op() {
            return Tensor::full(self.shape().clone(), *v, dtype);
        }
        if dtype == DType::Bool {
            return self.binary_scalar(BinaryOp::Ne, 0.0);
        }
        Ok(Tensor::lazy(Op::Cast(dtype), self.shape().clone(), dtype, smallvec![self.clone()]))
    }

    /// This tensor as the new value of a tensor of dtype `out` updated in place by `op` (`+=`,
    /// `add_`): cast to `out` when [`DType::can_cast`] allows it, else an
    /// [`Error::InplaceCast`] (as PyTorch, `int_tensor += 0.5` is an error rather than a silent
    /// truncation).
    pub fn cast_inplace(&self, op: &'static str, out: DType) -> Result<Tensor> {
        if !self.dtype().can_cast(out) {
            return Err(Error::InplaceCast { op, result: self.dtype(), out });
        }
        self.cast(out)
    }

    /// Uniform random numbers in `[0, 1)`, generated now from `seed` (xoshiro256++).
    pub fn rand(shape: impl Into<Shape>, seed: u64, dtype: DType) -> Result<Tensor> {
        Tensor::random(shape.into(), seed, dtype, false)
    }

    /// Standard normal random numbers, generated now from `seed` (Box-Muller over xoshiro256++).
    pub fn randn(shape: impl Into<Shape>, seed: u64, dtype: DType) -> Result<Tensor> {
        Tensor::random(shape.into(), seed, dtype, true)
    }

    fn random(shape: Shape, seed: u64, dtype: DType, normal: bool) -> Result<Tensor> {
        let n = shape.checked_numel()?;
        let mut rng = crate::random::Xoshiro256::new(seed);
        let mut next = || if normal { rng.normal() } else { rng.uniform() };
        match dtype {
            DType::F32 => {
                let mut v = try_zeroed_vec::<f32>(n)?;
                v.iter_mut().for_each(|x| *x = next() as f32);
                Tensor::from_vec(v, shape)
            }
            DType::F64 => {
                let mut v = try_zeroed_vec::<f64>(n)?;
                v.iter_mut().for_each(|x| *x = next());
                Tensor::from_vec(v, shape)
            }
            d => Err(Error::UnsupportedDType { op: "rand", dtype: d }),
        }
    }

    /// Binary op with a scalar right operand of this tensor's dtype (converted by the cast rule).
    pub fn binary_scalar(&self, op: BinaryOp, rhs: impl Into<Scalar>) -> Result<Tensor> {
        self.binary(op, &Tensor::operand_scalar(rhs.into(), self.dtype()))
    }

    /// Binary op with a scalar left operand (`lhs op self`) of this tensor's dtype.
    pub fn rbinary_scalar(&self, op: BinaryOp, lhs: impl Into<Scalar>) -> Result<Tensor> {
        Tensor::operand_scalar(lhs.into(), self.dtype()).binary(op, self)
    }

    /// A scalar of `kind` as an operand for this tensor: of this tensor's dtype unless the
    /// scalar's kind is higher ([`DType::promote_scalar`]: `int_tensor + 0.5` is float32).
    /// An integer scalar next to an int tensor is exact; next to an int32 tensor it wraps to
    /// int32, as PyTorch converts a scalar to the tensor's dtype.
    pub fn scalar_like(&self, value: impl Into<Scalar>, kind: ScalarKind) -> Tensor {
        Tensor::operand_scalar(value.into(), self.dtype().promote_scalar(kind))
    }

    /// `self < rhs`
    pub fn lt(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Lt, rhs)
    }
    /// `self <= rhs`
    pub fn le(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Le, rhs)
    }
    /// `self > rhs`
    pub fn gt(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Gt, rhs)
    }
    /// `self >= rhs`
    pub fn ge(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Ge, rhs)
    }
    /// `self == rhs`, elementwise.
    pub fn eq_elem(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Eq, rhs)
    }
    /// `self != rhs`, elementwise.
    pub fn ne_elem(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Ne, rhs)
    }
    /// `floor(self / rhs)` with Python's signs.
    pub fn floor_divide(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::FloorDiv, rhs)
    }
    /// Python's `%`: the result takes the divisor's sign.
    pub fn remainder(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Rem, rhs)
    }

    /// `self ** rhs`
    pub fn pow(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Pow, rhs)
    }
    /// `self ** exponent`; small integer exponents become multiplications. An integral
    /// exponent keeps an int tensor int (exactly, for an integer `exponent`).
    pub fn pow_scalar(&self, exponent: impl Into<Scalar>) -> Result<Tensor> {
        let exponent = exponent.into();
        scoped("pow", || match exponent.get() {
            1.0 => Ok(self.clone()),
            2.0 => self.square(),
            3.0 => self.square()?.binary(BinaryOp::Mul, self),
            0.5 => self.sqrt(),
            -1.0 => self.reciprocal(),
            e => {
                let int = exponent.as_int().is_some() || e.fract() == 0.0;
                let kind = if int { ScalarKind::Int } else { ScalarKind::Float };
                self.binary(BinaryOp::Pow, &self.scalar_like(exponent, kind))
            }
        })
    }
    /// Elementwise maximum.
    pub fn maximum(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Maximum, rhs)
    }
    /// Elementwise minimum.
    pub fn minimum(&self, rhs: &Tensor) -> Result<Tensor> {
        self.binary(BinaryOp::Minimum, rhs)
    }

    /// Matrix product with NumPy/PyTorch semantics: 1-d operands are promoted to a row (left)
    /// or column (right) vector and the added dim removed again; leading batch dims broadcast.
    pub fn matmul(&self, rhs: &Tensor) -> Result<Tensor> {
        scoped("matmul", || {
            let mismatch =
                || Error::ShapeMismatch { op: "matmul", lhs: self.shape().clone(), rhs: rhs.shape().clone() };
            if self.ndim() == 0 || rhs.ndim() == 0 {
                return Err(mismatch());
            }
            let dtype = self.dtype().promote(rhs.dtype());
            let (mut a, mut b) = (self.cast(dtype)?, rhs.cast(dtype)?);
            a.float_only("matmul")?;
            let (a1, b1) = (a.ndim() == 1, b.ndim() == 1);
            if a1 {
                a = a.reshape_to(Shape::from([1, a.numel()]))?;
            }
            if b1 {
                b = b.reshape_to(Shape::from([b.numel(), 1]))?;
            }
            let (ad, bd) = (a.dims(), b.dims());
            let (m, k) = (ad[ad.len() - 2], ad[ad.len() - 1]);
            let (k2, n) = (bd[bd.len() - 2], bd[bd.len() - 1]);
            if k != k2 {
                return Err(mismatch());
            }
            let batch =
                Shape::broadcast("matmul", &Shape::from(&ad[..ad.len() - 2]), &Shape::from(&bd[..bd.len() - 2]))
                    .map_err(|_| mismatch())?;
            let mut out = batch.0.clone();
            out.extend_from_slice(&[m, n]);
            let mm = Tensor::lazy(Op::MatMul, Shape(out.clone()), dtype, smallvec![a, b]);
            let mut final_dims = batch.0.clone();
            if !a1 {
                final_dims.push(m);
            }
            if !b1 {
                final_dims.push(n);
            }
            mm.reshape_to(Shape(final_dims))
        })
    }

    // ---------------------------------------------------------------- shape

    /// Same elements under a new shape (same count); one `-1` dim is inferred.
    pub fn reshape(&self, shape: &[isize]) -> Result<Tensor> {
        let numel = self.numel();
        let bad = || Error::BadReshape { op: "reshape", from: self.shape().clone(), to: shape.to_vec() };
        let mut dims: SmallVec<[usize; 6]> = SmallVec::new();
        let mut infer = None;
        for (i, &d) in shape.iter().enumerate() {
            if d == -1 && infer.is_none() {
                infer = Some(i);
                dims.push(1);
            } else if d == -1 {
                return Err(bad_shape("reshape", format!("only one dim can be inferred, got {shape:?}")));
            } else if d < 0 {
                return Err(bad_shape("reshape", format!("invalid size {d} in shape {shape:?}")));
            } else {
                dims.push(d as usize);
            }
        }
        // A product past usize::MAX cannot equal the element count either.
        let known = Shape(dims.clone()).checked_numel().map_err(|_| bad())?;
        if let Some(i) = infer {
            if known == 0 || !numel.is_multiple_of(known) {
                return Err(bad());
            }
            dims[i] = numel / known;
        } else if known != numel {
            return Err(bad());
        }
        self.reshape_to(Shape(dims))
    }

    /// Reorders dims (a view): output dim `i` is input dim `dims[i]`.
    pub fn permute(&self, dims: &[isize]) -> Result<Tensor> {
        if dims.len() != self.ndim() {
            return Err(bad_argument(
                "permute",
                format!("needs {} dims for shape {}, got {dims:?}", self.ndim(), self.shape()),
            ));
        }
        let perm: SmallVec<[usize; 6]> =
            dims.iter().map(|&d| self.shape().normalize_dim("permute", d)).collect::<Result<_>>()?;
        let mut seen = perm.clone();
        seen.sort_unstable();
        if seen.windows(2).any(|w| w[0] == w[1]) {
            return Err(bad_argument("permute", format!("dims {dims:?} repeat a dim")));
        }
        if perm.iter().enumerate().all(|(i, &p)| i == p) {
            return Ok(self.clone());
        }
        let shape = Shape(perm.iter().map(|&p| self.dims()[p]).collect());
        Ok(Tensor::lazy(Op::Permute(perm), shape, self.dtype(), smallvec![self.clone()]))
    }

    /// Swaps two dims (a view).
    pub fn transpose(&self, d0: isize, d1: isize) -> Result<Tensor> {
        scoped("transpose", || {
            let (a, b) = (self.shape().normalize_dim("transpose", d0)?, self.shape().normalize_dim("transpose", d1)?);
            let mut perm: Vec<isize> = (0..self.ndim() as isize).collect();
            perm.swap(a, b);
            self.permute(&perm)
        })
    }

    /// Broadcasts size-1 dims (and new leading dims) to `shape` (a view); `-1` keeps a size.
    pub fn expand(&self, shape: &[isize]) -> Result<Tensor> {
        if shape.len() < self.ndim() {
            return Err(bad_argument("expand", format!("cannot expand shape {} to {shape:?}", self.shape())));
        }
        let off = shape.len() - self.ndim();
        let mut dims: SmallVec<[usize; 6]> = SmallVec::new();
        for (i, &s) in shape.iter().enumerate() {
            let own = if i >= off { Some(self.dims()[i - off]) } else { None };
            dims.push(match (s, own) {
                (-1, Some(d)) => d,
                (s, _) if s < 0 => return Err(bad_shape("expand", format!("invalid size {s} in {shape:?}"))),
                (s, _) => s as usize,
            });
        }
        let target = Shape(dims);
        if !self.shape().broadcasts_to(&target) {
            return Err(Error::ShapeMismatch { op: "expand", lhs: self.shape().clone(), rhs: target });
        }
        if &target == self.shape() {
            return Ok(self.clone());
        }
        Ok(Tensor::lazy(Op::Expand, target, self.dtype(), smallvec![self.clone()]))
    }

    /// Python-style slice `start:stop:step` of `dim` (a view); bounds are clamped as in Python,
    /// a zero step is an error.
    pub fn slice(&self, dim: isize, start: Option<isize>, stop: Option<isize>, step: isize) -> Result<Tensor> {
        let d = self.shape().normalize_dim("slice", dim)?;
        if step == 0 {
            return Err(bad_argument("slice", "step cannot be zero"));
        }
        let n = self.dims()[d] as isize;
        let norm = |v: isize, lo: isize, hi: isize| if v < 0 { (v + n).max(lo) } else { v.min(hi) };
        let (first, len) = if step > 0 {
            let s = start.map_or(0, |v| norm(v, 0, n));
            let e = stop.map_or(n, |v| norm(v, 0, n));
            (s, if e > s { (e - s + step - 1) / step } else { 0 })
        } else {
            let s = start.map_or(n - 1, |v| norm(v, -1, n - 1));
            let e = stop.map_or(-1, |v| norm(v, -1, n - 1));
            (s, if s > e { (s - e - step - 1) / -step } else { 0 })
        };
        let mut dims: SmallVec<[usize; 6]> = SmallVec::from_slice(self.dims());
        dims[d] = len as usize;
        if len as usize == self.dims()[d] && step == 1 {
            return Ok(self.clone());
        }
        let op = Op::Slice { dim: d, start: if len == 0 { 0 } else { first as usize }, step };
        Ok(Tensor::lazy(op, Shape(dims), self.dtype(), smallvec![self.clone()]))
    }

    /// Element `index` of `dim`, removing the dim (a view); negative indices count from the end.
    pub fn select(&self, dim: isize, index: isize) -> Result<Tensor> {
        scoped("index", || {
            let d = self.shape().normalize_dim("select", dim)?;
            let n = self.dims()[d] as isize;
            let i = if index < 0 { index + n } else { index };
            if i < 0 || i >= n {
                return Err(Error::IndexOutOfRange { op: "index", index, dim: d, size: n as usize });
            }
            let s = self.slice(d as isize, Some(i), Some(i + 1), 1)?;
            let mut dims: SmallVec<[usize; 6]> = SmallVec::from_slice(self.dims());
            dims.remove(d);
            s.reshape_to(Shape(dims))
        })
    }

    /// Removes `dim` if it has size 1, or every size-1 dim when `None`.
    pub fn squeeze(&self, dim: Option<isize>) -> Result<Tensor> {
        scoped("squeeze", || {
            let dims: SmallVec<[usize; 6]> = match dim {
                None => self.dims().iter().copied().filter(|&d| d != 1).collect(),
                Some(d) => {
                    let d = self.shape().normalize_dim("squeeze", d)?;
                    let mut v = SmallVec::from_slice(self.dims());
                    if v[d] == 1 {
                        v.remove(d);
                    }
                    v
                }
            };
            self.reshape_to(Shape(dims))
        })
    }

    /// Inserts a size-1 dim at `dim` (which may be `ndim`; negative counts from the end).
    pub fn unsqueeze(&self, dim: isize) -> Result<Tensor> {
        scoped("unsqueeze", || {
            let n = self.ndim() as isize + 1;
            let d = if dim < 0 { dim + n } else { dim };
            if d < 0 || d >= n {
                return Err(Error::DimOutOfRange {
                    op: "unsqueeze",
                    dim,
                    ndim: self.ndim(),
                    shape: self.shape().clone(),
                });
            }
            let mut dims: SmallVec<[usize; 6]> = SmallVec::from_slice(self.dims());
            dims.insert(d as usize, 1);
            self.reshape_to(Shape(dims))
        })
    }

    /// Merges dims `start..=end` into one.
    pub fn flatten(&self, start: isize, end: isize) -> Result<Tensor> {
        scoped("flatten", || {
            if self.ndim() == 0 {
                return self.reshape_to(Shape::from([1]));
            }
            let (s, e) = (self.shape().normalize_dim("flatten", start)?, self.shape().normalize_dim("flatten", end)?);
            if s > e {
                return Err(bad_argument("flatten", format!("start dim {start} is after end dim {end}")));
            }
            let d = self.dims();
            let mut dims: SmallVec<[usize; 6]> = SmallVec::from_slice(&d[..s]);
            dims.push(d[s..=e].iter().product());
            dims.extend_from_slice(&d[e + 1..]);
            self.reshape_to(Shape(dims))
        })
    }

    /// Concatenates `tensors` along `dim`; all other dims must match (dtypes are promoted).
    pub fn cat(tensors: &[Tensor], dim: isize) -> Result<Tensor> {
        let first = tensors.first().ok_or_else(|| bad_argument("cat", "needs at least one tensor"))?;
        let d = first.shape().normalize_dim("cat", dim)?;
        // Every operand is checked here, before any grouping, so an error numbers the tensor
        // as the caller's list does.
        let mut total = 0;
        for (index, t) in tensors.iter().enumerate() {
            if t.ndim() != first.ndim() {
                return Err(Error::ConcatRank { op: "cat", expected: first.ndim(), got: t.ndim(), index });
            }
            let differs = t.dims().iter().zip(first.dims()).enumerate().find(|&(i, (a, b))| i != d && a != b);
            if let Some((_, (&got, &expected))) = differs {
                return Err(Error::ConcatSize { op: "cat", dim: d, expected, got, index });
            }
            total += t.dims()[d];
        }
        if tensors.len() > 255 {
            // A node holds at most 255 operands: join groups, then the groups.
            let groups: Vec<Tensor> = tensors.chunks(255).map(|g| Tensor::cat(g, dim)).collect::<Result<_>>()?;
            return Tensor::cat(&groups, dim);
        }
        let dtype = tensors.iter().fold(first.dtype(), |acc, t| acc.promote(t.dtype()));
        if tensors.len() == 1 {
            return first.cast(dtype);
        }
        let parts: Operands = tensors.iter().map(|t| t.cast(dtype)).collect::<Result<_>>()?;
        let mut dims: SmallVec<[usize; 6]> = SmallVec::from_slice(first.dims());
        dims[d] = total;
        Ok(Tensor::lazy(Op::Concat { dim: d, parts: parts.len() }, Shape(dims), dtype, parts))
    }

    /// Stacks equally shaped `tensors` along a new dim `dim`.
    pub fn stack(tensors: &[Tensor], dim: isize) -> Result<Tensor> {
        scoped("stack", || {
            let first = tensors.first().ok_or_else(|| bad_argument("stack", "needs at least one tensor"))?;
            if let Some((index, t)) = tensors.iter().enumerate().find(|(_, t)| t.shape() != first.shape()) {
                return Err(Error::StackShape {
                    op: "stack",
                    first: first.shape().clone(),
                    got: t.shape().clone(),
                    index,
                });
            }
            let parts: Vec<Tensor> = tensors.iter().map(|t| t.unsqueeze(dim)).collect::<Result<_>>()?;
            let n = first.ndim() as isize + 1;
            Tensor::cat(&parts, if dim < 0 { dim + n } else { dim })
        })
    }

    /// Mean cross-entropy of `self` (logits `[n, classes]`) against class indices `targets`
    /// (`n` of them): `mean(-log_softmax(logits, 1)[i, targets[i]])`. The targets become
    /// a one-hot mask, so the whole loss is two fused kernels.
    pub fn cross_entropy(&self, targets: &[usize]) -> Result<Tensor> {
        scoped("cross_entropy", || {
            self.float_only("cross_entropy")?;
            if self.ndim() != 2 {
                return Err(bad_argument("cross_entropy", format!("needs logits [n, classes], got {}", self.shape())));
            }
            let (n, c) = (self.dims()[0], self.dims()[1]);
            if targets.len() != n {
                return Err(bad_argument("cross_entropy", format!("{} targets for {n} rows of logits", targets.len())));
            }
            if let Some(&t) = targets.iter().find(|&&t| t >= c) {
                return Err(Error::IndexOutOfRange { op: "cross_entropy", index: t as isize, dim: 1, size: c });
            }
            let mask = match self.dtype() {
                DType::F32 => Tensor::from_vec(onehot::<f32>(targets, c)?, [n, c])?,
                DType::F64 => Tensor::from_vec(onehot::<f64>(targets, c)?, [n, c])?,
                d => return Err(Error::UnsupportedDType { op: "cross_entropy", dtype: d }),
            };
            // `where`, not `x * mask`: `-inf * 0` would be NaN for a masked-out logit.
            let zero = Tensor::operand_scalar(Scalar::new(0.0), self.dtype());
            let picked = mask.where_cond(self, &zero)?.sum(Some(&[1]), false)?;
            // PyTorch's `-log_softmax(x)[target]`, `max + log(sum(exp(x - max))) - x[target]` with
            // the plain max (not logsumexp's finite shift): a row holding `+inf` or only `-inf` is
            // NaN, a `-inf` logit off the target costs nothing.
            let m = self.max(Some(&[1]), true)?;
            let lse = self.binary(BinaryOp::Sub, &m)?.exp()?.sum(Some(&[1]), false)?.log()?;
            let lse = lse.binary(BinaryOp::Add, &self.max(Some(&[1]), false)?)?;
            lse.binary(BinaryOp::Sub, &picked)?.mean(None, false)
        })
    }

    /// The tensor written out contiguously (a no-op for anything but a strided view).
    pub fn contiguous(&self) -> Result<Tensor> {
        if matches!(self.op(), Op::Permute(_) | Op::Expand | Op::Slice { .. }) && !self.is_evaluated() {
            return self.unary(UnaryOp::Copy);
        }
        Ok(self.clone())
    }

    /// Same elements under `shape` (which must have as many elements).
    pub fn reshape_to(&self, shape: Shape) -> Result<Tensor> {
        if shape.numel() != self.numel() {
            let to = shape.dims().iter().map(|&d| d as isize).collect();
            return Err(Error::BadReshape { op: "reshape", from: self.shape().clone(), to });
        }
        if &shape == self.shape() {
            return Ok(self.clone());
        }
        Ok(Tensor::lazy(Op::Reshape, shape, self.dtype(), smallvec![self.clone()]))
    }

    // ---------------------------------------------------------------- reductions

    /// Reduces over `dims` (all dims when `None`), keeping them as size 1 when `keepdim`.
    pub fn reduce(&self, op: ReduceOp, dims: Option<&[isize]>, keepdim: bool) -> Result<Tensor> {
        let name = op.name();
        match self.dtype() {
            // Sums of ints and bools are int64 (as PyTorch); max/min of bools are any/all.
            DType::I32 | DType::Bool if op == ReduceOp::Sum => return self.cast(DType::I64)?.reduce(op, dims, keepdim),
            DType::Bool => return self.cast(DType::I32)?.reduce(op, dims, keepdim)?.cast(DType::Bool),
            _ => {}
        }
        let axes: SmallVec<[usize; 6]> = match dims {
            None => (0..self.ndim()).collect(),
            Some(d) => self.shape().normalize_dims(name, d)?,
        };
        let in_dims = self.dims();
        let out_dims: SmallVec<[usize; 6]> = in_dims
            .iter()
            .enumerate()
            .filter_map(|(i, &d)| if axes.contains(&i) { keepdim.then_some(1) } else { Some(d) })
            .collect();
        let out_shape = Shape(out_dims);
        let reduced: usize = axes.iter().map(|&a| in_dims[a]).product();
        if reduced == 0 && axes.iter().any(|&a| in_dims[a] == 0) || axes.is_empty() && self.numel() == 0 {
            if op != ReduceOp::Sum {
                return Err(Error::EmptyReduction { op: name, shape: self.shape().clone() });
            }
            return Tensor::full(out_shape, 0.0, self.dtype());
        }
        // Size-1 axes reduce nothing; a run of the others is one Reduce node each.
        let real: SmallVec<[usize; 6]> = axes.iter().copied().filter(|&a| in_dims[a] != 1).collect();
        let mut runs: Vec<SmallVec<[usize; 4]>> = Vec::new();
        for a in real {
            match runs.last_mut() {
                Some(r) if *r.last().unwrap() + 1 == a => r.push(a),
                _ => runs.push(smallvec![a]),
            }
        }
        let mut cur = self.clone();
        // Innermost run first; every step keeps dims so later axes indices stay valid.
        let single = runs.len() == 1;
        for run in runs.into_iter().rev() {
            let kd = if single { keepdim } else { true };
            let mut dims_now: SmallVec<[usize; 6]> = SmallVec::from_slice(cur.dims());
            if kd {
                for &a in &run {
                    dims_now[a] = 1;
                }
            } else {
                let mut i = 0;
                dims_now.retain(|_| {
                    let keep = !run.contains(&i);
                    i += 1;
                    keep
                });
            }
            let op = Op::Reduce { op, axes: run, keepdim: kd };
            cur = Tensor::lazy(op, Shape(dims_now), self.dtype(), smallvec![cur]);
        }
        cur.reshape_to(out_shape)
    }

    /// Sum over `dims` (all when `None`).
    pub fn sum(&self, dims: Option<&[isize]>, keepdim: bool) -> Result<Tensor> {
        self.reduce(ReduceOp::Sum, dims, keepdim)
    }
    /// Max over `dims` (all when `None`); an error for empty input.
    pub fn max(&self, dims: Option<&[isize]>, keepdim: bool) -> Result<Tensor> {
        self.reduce(ReduceOp::Max, dims, keepdim)
    }
    /// Min over `dims` (all when `None`); an error for empty input.
    pub fn min(&self, dims: Option<&[isize]>, keepdim: bool) -> Result<Tensor> {
        self.reduce(ReduceOp::Min, dims, keepdim)
    }
    /// The maxima (`op` Max) or minima (Min) along `dim` and the index of the first of each
    /// (int64), as PyTorch's `max(dim)`/`min(dim)`; a 0-d tensor is its own extremum, index 0.
    pub fn extremum_along(&self, op: ReduceOp, dim: isize, keepdim: bool) -> Result<(Tensor, Tensor)> {
        let (name, arg) = match op {
            ReduceOp::Max => ("max", ArgOp::Max),
            ReduceOp::Min => ("min", ArgOp::Min),
            ReduceOp::Sum => return Err(bad_argument("sum", "has no index of its result")),
        };
        scoped(name, || {
            if self.ndim() == 0 {
                // PyTorch takes dim 0 and -1 of a 0-d tensor as the tensor itself.
                if dim != 0 && dim != -1 {
                    return Err(Error::DimOutOfRange { op: name, dim, ndim: 0, shape: self.shape().clone() });
                }
                return Ok((self.clone(), Tensor::zeros(Shape::scalar(), DType::I64)?));
            }
            Ok((self.reduce(op, Some(&[dim]), keepdim)?, self.arg_reduce(arg, Some(dim), keepdim)?))
        })
    }
    /// Index of the first maximum along `dim` (of the flattened tensor when `None`), int64.
    pub fn argmax(&self, dim: Option<isize>, keepdim: bool) -> Result<Tensor> {
        self.arg_reduce(ArgOp::Max, dim, keepdim)
    }
    /// Index of the first minimum along `dim` (of the flattened tensor when `None`), int64.
    pub fn argmin(&self, dim: Option<isize>, keepdim: bool) -> Result<Tensor> {
        self.arg_reduce(ArgOp::Min, dim, keepdim)
    }

    fn arg_reduce(&self, op: ArgOp, dim: Option<isize>, keepdim: bool) -> Result<Tensor> {
        let name = if op == ArgOp::Max { "argmax" } else { "argmin" };
        let Some(dim) = dim else {
            let flat = self.reshape_to(Shape::from(self.numel()))?;
            let r = flat.arg_reduce(op, Some(0), false)?;
            return if keepdim { r.reshape_to(Shape(smallvec![1; self.ndim()])) } else { Ok(r) };
        };
        let x = if self.ndim() == 0 { self.reshape_to(Shape::from(1))? } else { self.clone() };
        let d = x.shape().normalize_dims(name, &[dim])?[0];
        if x.dims()[d] == 0 {
            return Err(Error::EmptyReduction { op: name, shape: self.shape().clone() });
        }
        let x = if x.dtype() == DType::Bool { x.cast(DType::I32)? } else { x };
        let mut out: SmallVec<[usize; 6]> = SmallVec::from_slice(x.dims());
        if keepdim {
            out[d] = 1;
        } else {
            out.remove(d);
        }
        let r = Tensor::lazy(Op::ArgReduce { op, dim: d, keepdim }, Shape(out), DType::I64, smallvec![x]);
        if self.ndim() == 0 {
            r.reshape_to(Shape::scalar())
        } else {
            Ok(r)
        }
    }

    /// Mean over `dims` (all when `None`): `sum * (1/n)`; NaN for an empty reduction, as NumPy.
    pub fn mean(&self, dims: Option<&[isize]>, keepdim: bool) -> Result<Tensor> {
        scoped("mean", || {
            self.float_only("mean")?;
            let s = self.sum(dims, keepdim)?;
            let n = self.numel().checked_div(s.numel().max(1)).unwrap_or(0);
            let n = if s.numel() == 0 { self.reduced_count(dims)? } else { n };
            s.binary_scalar(BinaryOp::Mul, 1.0 / n as f64)
        })
    }

    fn reduced_count(&self, dims: Option<&[isize]>) -> Result<usize> {
        Ok(match dims {
            None => self.numel(),
            Some(d) => self.shape().normalize_dims("mean", d)?.iter().map(|&a| self.dims()[a]).product(),
        })
    }

    // ---------------------------------------------------------------- composites

    /// `exp(x - max) / sum(exp(x - max))` along `dim`.
    pub fn softmax(&self, dim: isize) -> Result<Tensor> {
        scoped("softmax", || {
            self.float_only("softmax")?;
            let d = [dim];
            let m = self.max(Some(&d), true)?;
            let e = self.binary(BinaryOp::Sub, &m)?.exp()?;
            let s = e.sum(Some(&d), true)?;
            e.binary(BinaryOp::Div, &s)
        })
    }

    /// `x - max - log(sum(exp(x - max)))` along `dim`.
    pub fn log_softmax(&self, dim: isize) -> Result<Tensor> {
        scoped("log_softmax", || {
            self.float_only("log_softmax")?;
            let d = [dim];
            let m = self.max(Some(&d), true)?;
            let xm = self.binary(BinaryOp::Sub, &m)?;
            let s = xm.exp()?.sum(Some(&d), true)?;
            xm.binary(BinaryOp::Sub, &s.log()?)
        })
    }

    /// Limits values to `[min, max]` (either bound optional); NaN stays NaN.
    pub fn clamp(&self, min: Option<f64>, max: Option<f64>) -> Result<Tensor> {
        scoped("clamp", || {
            let mut y = self.clone();
            if let Some(lo) = min {
                y = y.binary_scalar(BinaryOp::Maximum, lo)?;
            }
            if let Some(hi) = max {
                y = y.binary_scalar(BinaryOp::Minimum, hi)?;
            }
            Ok(y)
        })
    }

    /// PyTorch's softplus: `log(1 + exp(beta x)) / beta`, and `x` itself where
    /// `beta x > threshold`. The log term is computed as `max(z, 0) + log1p(exp(-|z|))` with
    /// `z = beta x`, so it neither overflows (any `threshold`, `inf` included) nor loses the
    /// tiny values of very negative `x` (`softplus(-30) = 9.4e-14`).
    pub fn softplus(&self, beta: f64, threshold: f64) -> Result<Tensor> {
        scoped("softplus", || {
            // Ints compute in float32 (as `exp` does); bools have no softplus, as in PyTorch.
            if self.dtype() == DType::Bool {
                return Err(Error::UnsupportedDType { op: "softplus", dtype: DType::Bool });
            }
            let x = self.to_float()?;
            let z = x.binary_scalar(BinaryOp::Mul, beta)?;
            let tail = z.abs()?.neg()?.exp()?.log1p()?;
            let soft = z.relu()?.binary(BinaryOp::Add, &tail)?.binary_scalar(BinaryOp::Div, beta)?;
            if threshold == f64::INFINITY {
                return Ok(soft);
            }
            z.binary_scalar(BinaryOp::Gt, threshold)?.where_cond(&x, &soft)
        })
    }

    /// Variance over `dims` (all when `None`) with Bessel-style `correction` (1 = unbiased).
    pub fn var(&self, dims: Option<&[isize]>, correction: usize, keepdim: bool) -> Result<Tensor> {
        scoped("var", || {
            self.float_only("var")?;
            let n = self.reduced_count(dims)?;
            let mean = self.mean(dims, true)?;
            let sq = self.binary(BinaryOp::Sub, &mean)?.square()?.sum(dims, keepdim)?;
            let denom = n.saturating_sub(correction);
            sq.binary_scalar(BinaryOp::Mul, if denom == 0 { f64::NAN } else { 1.0 / denom as f64 })
        })
    }

    /// Standard deviation: `sqrt(var)`.
    pub fn std(&self, dims: Option<&[isize]>, correction: usize, keepdim: bool) -> Result<Tensor> {
        scoped("std", || self.var(dims, correction, keepdim)?.sqrt())
    }

    /// `log(sum(exp(x)))` along `dim`, shifted by the max so it never overflows. As PyTorch
    /// does, an infinite max shifts by 0 instead (`inf - inf` would be NaN): a row of `-inf`
    /// gives `-inf`, a row holding `+inf` gives `+inf`, a NaN gives NaN.
    pub fn logsumexp(&self, dim: isize, keepdim: bool) -> Result<Tensor> {
        scoped("logsumexp", || {
            self.float_only("logsumexp")?;
            let d = [dim];
            let finite_shift = |m: Tensor| -> Result<Tensor> {
                let zero = Tensor::operand_scalar(Scalar::new(0.0), m.dtype());
                m.abs()?.binary_scalar(BinaryOp::Eq, f64::INFINITY)?.where_cond(&zero, &m)
            };
            let m = finite_shift(self.max(Some(&d), true)?)?;
            let s = self.binary(BinaryOp::Sub, &m)?.exp()?.sum(Some(&d), keepdim)?.log()?;
            // Without keepdim, add a second (squeezed) max rather than reshaping: it is computed in
            // the same pass over the row and keeps the result fusable with what follows.
            let m_out = if keepdim { m } else { finite_shift(self.max(Some(&d), false)?)? };
            s.binary(BinaryOp::Add, &m_out)
        })
    }

    /// The last `n` dims (the normalized dims of `op`, a norm), at least one and at most all.
    fn last_dims(&self, op: &'static str, n: usize) -> Result<Vec<isize>> {
        if n == 0 || n > self.ndim() {
            return Err(bad_argument(op, format!("over {n} dims of a tensor with shape {}", self.shape())));
        }
        Ok((self.ndim() - n..self.ndim()).map(|d| d as isize).collect())
    }

    /// RMS norm over the last `normalized_ndim` dims: `x / sqrt(mean(x^2) + eps) * weight`.
    pub fn rms_norm(&self, normalized_ndim: usize, weight: Option<&Tensor>, eps: f64) -> Result<Tensor> {
        scoped("rms_norm", || {
            self.float_only("rms_norm")?;
            let dims = self.last_dims("rms_norm", normalized_ndim)?;
            let r = self.square()?.mean(Some(&dims), true)?.binary_scalar(BinaryOp::Add, eps)?.rsqrt()?;
            let y = self.binary(BinaryOp::Mul, &r)?;
            match weight {
                Some(w) => y.binary(BinaryOp::Mul, w),
                None => Ok(y),
            }
        })
    }

    /// Mean squared error `mean((self - target)^2)` (reduction "mean").
    pub fn mse_loss(&self, target: &Tensor) -> Result<Tensor> {
        scoped("mse_loss", || {
            self.float_only("mse_loss")?;
            self.binary(BinaryOp::Sub, target)?.square()?.mean(None, false)
        })
    }

    /// Layer norm over the last `normalized_ndim` dims, with optional affine weight and bias.
    pub fn layer_norm(
        &self,
        normalized_ndim: usize,
        weight: Option<&Tensor>,
        bias: Option<&Tensor>,
        eps: f64,
    ) -> Result<Tensor> {
        scoped("layer_norm", || {
            self.float_only("layer_norm")?;
            let dims = self.last_dims("layer_norm", normalized_ndim)?;
            let mean = self.mean(Some(&dims), true)?;
            let xc = self.binary(BinaryOp::Sub, &mean)?;
            let var = xc.square()?.mean(Some(&dims), true)?;
            let rstd = var.binary_scalar(BinaryOp::Add, eps)?.rsqrt()?;
            let mut y = xc.binary(BinaryOp::Mul, &rstd)?;
            if let Some(w) = weight {
                y = y.binary(BinaryOp::Mul, w)?;
            }
            if let Some(b) = bias {
                y = y.binary(BinaryOp::Add, b)?;
            }
            Ok(y)
        })
    }
}

/// `targets.len() × c` rows, 1 at each row's target class, 0 elsewhere.
fn onehot<T: Element>(targets: &[usize], c: usize) -> Result<Vec<T>> {
    let mut v = try_zeroed_vec::<T>(targets.len() * c)?;
    for (i, &t) in targets.iter().enumerate() {
        v[i * c + t] = T::from_f64(1.0);
    }
    Ok(v)
}

impl fmt::Debug for Tensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.is_evaluated() { "evaluated" } else { "lazy" };
        write!(f, "Tensor(shape={}, dtype={}, {}, op={})", self.shape(), self.dtype(), state, self.op().name())
    }
}

// ---------------------------------------------------------------- operators

/// Anything that can be the operand of `+ - * /` on tensors.
pub trait IntoOperand {
    /// The operand as a tensor, matching `like`'s dtype for scalars.
    fn into_operand(self, like: &Tensor) -> Result<Tensor>;
}
impl IntoOperand for Tensor {
    fn into_operand(self, _: &Tensor) -> Result<Tensor> {
        Ok(self)
    }
}
impl IntoOperand for &Tensor {
    fn into_operand(self, _: &Tensor) -> Result<Tensor> {
        Ok(self.clone())
    }
}
impl IntoOperand for Result<Tensor> {
    fn into_operand(self, _: &Tensor) -> Result<Tensor> {
        self
    }
}
macro_rules! scalar_operand {
    ($t:ty, $kind:expr) => {
        impl IntoOperand for $t {
            fn into_operand(self, like: &Tensor) -> Result<Tensor> {
                Ok(like.scalar_like(self, $kind))
            }
        }
    };
}
scalar_operand!(f64, ScalarKind::Float);
scalar_operand!(f32, ScalarKind::Float);
scalar_operand!(i64, ScalarKind::Int);
scalar_operand!(i32, ScalarKind::Int);
scalar_operand!(bool, ScalarKind::Bool);

macro_rules! bin_trait {
    ($tr:ident, $m:ident, $op:expr) => {
        impl<R: IntoOperand> std::ops::$tr<R> for Tensor {
            type Output = Result<Tensor>;
            fn $m(self, rhs: R) -> Result<Tensor> {
                let r = rhs.into_operand(&self)?;
                self.binary($op, &r)
            }
        }
        impl<R: IntoOperand> std::ops::$tr<R> for &Tensor {
            type Output = Result<Tensor>;
            fn $m(self, rhs: R) -> Result<Tensor> {
                let r = rhs.into_operand(self)?;
                self.binary($op, &r)
            }
        }
        bin_trait!(@result $tr, $m, $op, Tensor);
        bin_trait!(@result $tr, $m, $op, &Tensor);
    };
    (@result $tr:ident, $m:ident, $op:expr, $r:ty) => {
        impl std::ops::$tr<$r> for Result<Tensor> {
            type Output = Result<Tensor>;
            fn $m(self, rhs: $r) -> Result<Tensor> {
                let l = self?;
                let r = rhs.into_operand(&l)?;
                l.binary($op, &r)
            }
        }
    };
}
bin_trait!(Add, add, BinaryOp::Add);
bin_trait!(Sub, sub, BinaryOp::Sub);
bin_trait!(Mul, mul, BinaryOp::Mul);
bin_trait!(Div, div, BinaryOp::Div);
bin_trait!(Rem, rem, BinaryOp::Rem);
bin_trait!(BitAnd, bitand, BinaryOp::And);
bin_trait!(BitOr, bitor, BinaryOp::Or);
bin_trait!(BitXor, bitxor, BinaryOp::Xor);

impl std::ops::Not for &Tensor {
    type Output = Result<Tensor>;
    fn not(self) -> Result<Tensor> {
        self.bitwise_not()
    }
}
impl std::ops::Not for Tensor {
    type Output = Result<Tensor>;
    fn not(self) -> Result<Tensor> {
        self.bitwise_not()
    }
}

impl std::ops::Neg for &Tensor {
    type Output = Result<Tensor>;
    fn neg(self) -> Result<Tensor> {
        Tensor::neg(self)
    }
}
impl std::ops::Neg for Tensor {
    type Output = Result<Tensor>;
    fn neg(self) -> Result<Tensor> {
        Tensor::neg(&self)
    }
}

/// `Tensor` methods for the primitive unary ops: one per row of the op table.
macro_rules! unary_methods {
    ($($(#[$doc:meta])* $v:ident $(($p:ident : $pty:ty))?, $name:ident, $cost:literal, $rule:ident, $f:expr;)*) => {
        impl Tensor {
            $(
                $(#[$doc])*
                pub fn $name(&self $(, $p: impl Into<$pty>)?) -> Result<Tensor> {
                    self.unary(UnaryOp::$v $(($p.into()))?)
                }
            )*
        }
    };
}
crate::for_each_unary_op!(unary_methods);

/// `Tensor` methods for the composite unary ops: each row's lowering, built inside
/// `scoped(name)` so the errors of its parts name the op the caller called.
macro_rules! composite_methods {
    ($($(#[$doc:meta])* $name:ident, $f:expr;)*) => {
        impl Tensor {
            $(
                $(#[$doc])*
                #[allow(clippy::redundant_closure_call)]
                pub fn $name(&self) -> Result<Tensor> {
                    scoped(stringify!($name), || ($f)(self))
                }
            )*
        }
    };
}
crate::for_each_composite_op!(composite_methods);

/// The names of every unary op, primitive and composite, in table order (the Python layer's
/// bindings and the test that every op has them).
pub fn unary_op_names() -> Vec<&'static str> {
    macro_rules! names {
        ($($(#[$doc:meta])* $v:ident $(($p:ident : $pty:ty))?, $name:ident, $cost:literal, $rule:ident, $f:expr;)*) => {
            vec![$(stringify!($name)),*]
        };
    }
    macro_rules! composite_names {
        ($($(#[$doc:meta])* $name:ident, $f:expr;)*) => {
            vec![$(stringify!($name)),*]
        };
    }
    let mut v: Vec<&'static str> = crate::for_each_unary_op!(names);
    v.extend(crate::for_each_composite_op!(composite_names));
    v
}
