//! What autograd keeps on a node: whether it requires a gradient, the operands its gradient is
//! computed from (kept after the node is evaluated, until a backward pass frees them), its
//! accumulated `.grad`, hooks; and the thread's grad mode (`no_grad`). The gradient formulas
//! and the backward pass itself live in [`crate::autograd`].
//!
//! A node is tracked when it is built while grad mode is on from an operand that requires a
//! gradient and its dtype is a float: it records its operands ([`GradFn::Node`]). A leaf
//! requires a gradient when the caller says so ([`Tensor::set_requires_grad`]); its record can
//! move to the node an in-place update rebinds it to ([`Tensor::adopt_leaf`]), so a parameter
//! updated under `no_grad` stays the same leaf with the same `.grad`.

use super::state::release;
use super::{Operands, Tensor};
use crate::{Error, Result};
use smallvec::SmallVec;
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// A hook on a tensor's gradient: called with the gradient during a backward pass, it may
/// return a replacement.
pub type GradHook = Arc<dyn Fn(&Tensor) -> Result<Option<Tensor>> + Send + Sync>;

/// A composite's own gradient formula: from the composite's inputs and the gradient of its
/// result, the inputs' gradients (`None`: zero). It rebuilds what it needs from the inputs (the
/// joint plan merges that with the forward's copy), so recording it again differentiates it.
pub type CustomVjp = Arc<dyn Fn(&[Tensor], &Tensor) -> Result<SmallVec<[Option<Tensor>; 3]>> + Send + Sync>;

/// How a tracked node's gradient is computed.
pub(crate) enum GradFn {
    /// A leaf: gradients accumulate in its `.grad`.
    Leaf,
    /// Computed by the node's op from these operands.
    Node(Operands),
    /// Computed by a composite's own formula from the composite's inputs (the node is its
    /// result; what the composite built in between has no records).
    Custom(Operands, CustomVjp),
    /// A backward pass without `retain_graph` went through here and dropped the operands.
    Freed,
}

/// The autograd record of one node (shared by the nodes one leaf is rebound to).
pub(crate) struct GradMeta {
    pub(crate) grad_fn: Mutex<GradFn>,
    requires_grad: AtomicBool,
    pub(crate) grad: Mutex<Option<Tensor>>,
    pub(crate) retains_grad: AtomicBool,
    pub(crate) hooks: Mutex<Vec<(usize, GradHook)>>,
    /// An in-place op rebound a name of this node to a new value after it was recorded: a
    /// gradient formula that reads it raises, as PyTorch's version counter does.
    pub(crate) modified: AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl GradMeta {
    fn new(grad_fn: GradFn, requires_grad: bool) -> Arc<GradMeta> {
        Arc::new(GradMeta {
            grad_fn: Mutex::new(grad_fn),
            requires_grad: AtomicBool::new(requires_grad),
            grad: Mutex::new(None),
            retains_grad: AtomicBool::new(false),
            hooks: Mutex::new(Vec::new()),
            modified: AtomicBool::new(false),
        })
    }

    pub(crate) fn grad_fn(&self) -> MutexGuard<'_, GradFn> {
        lock(&self.grad_fn)
    }

    pub(crate) fn grad_slot(&self) -> MutexGuard<'_, Option<Tensor>> {
        lock(&self.grad)
    }

    pub(crate) fn hook_list(&self) -> Vec<GradHook> {
        lock(&self.hooks).iter().map(|(_, h)| h.clone()).collect()
    }

    /// Takes the operand handles of a record nobody else shares (the node is being dropped),
    /// so they are released without recursion.
    pub(super) fn take_operands(&mut self) -> Operands {
        match self.grad_fn.get_mut() {
            Ok(GradFn::Node(ops) | GradFn::Custom(ops, _)) => std::mem::take(ops),
            _ => Operands::new(),
        }
    }
}

thread_local! {
    static GRAD_ENABLED: Cell<bool> = const { Cell::new(true) };
}

/// Whether ops built on this thread now record what their gradients need (PyTorch's
/// `torch.is_grad_enabled()`); on by default.
pub fn is_grad_enabled() -> bool {
    GRAD_ENABLED.with(Cell::get)
}

/// Turns gradient recording on this thread on or off; returns the previous mode.
pub fn set_grad_enabled(on: bool) -> bool {
    GRAD_ENABLED.with(|c| c.replace(on))
}

/// Runs `f` with grad mode set to `on`, restoring the previous mode afterwards (also when `f`
/// panics).
pub fn with_grad_mode<R>(on: bool, f: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            set_grad_enabled(self.0);
        }
    }
    let _restore = Restore(set_grad_enabled(on));
    f()
}

/// Runs `f` without recording gradients (PyTorch's `with torch.no_grad():`).
pub fn no_grad<R>(f: impl FnOnce() -> R) -> R {
    with_grad_mode(false, f)
}

static NEXT_HOOK: AtomicUsize = AtomicUsize::new(1);

impl Tensor {
    pub(crate) fn grad_meta(&self) -> Option<&Arc<GradMeta>> {
        self.0.grad.get()
    }

    /// The record a node built from `operands` gets: one when grad mode is on, an operand
    /// requires a gradient and the result is a float.
    pub(super) fn record_for(operands: &Operands, dtype: crate::DType) -> Option<Arc<GradMeta>> {
        if !dtype.is_float() || !operands.iter().any(Tensor::requires_grad) || !is_grad_enabled() {
            return None;
        }
        Some(GradMeta::new(GradFn::Node(operands.clone()), true))
    }

    /// Builds a composite whose gradient is `vjp` rather than its parts': `forward` runs
    /// without recording, and its result records `vjp` over `inputs` (when grad mode is on and
    /// an input requires a gradient; otherwise `forward` is all there is).
    pub(crate) fn with_custom_grad(
        inputs: &[&Tensor],
        forward: impl FnOnce() -> Result<Tensor>,
        vjp: CustomVjp,
    ) -> Result<Tensor> {
        if !is_grad_enabled() || !inputs.iter().any(|t| t.requires_grad()) {
            return forward();
        }
        let y = no_grad(forward)?;
        if !y.dtype().is_float() || y.grad_meta().is_some() {
            return Err(Error::Internal("a custom gradient needs a fresh float result".into()));
        }
        let ops: Operands = inputs.iter().map(|t| (*t).clone()).collect();
        let _ = y.0.grad.set(GradMeta::new(GradFn::Custom(ops, vjp), true));
        Ok(y)
    }

    /// Whether gradients flow to this tensor (PyTorch's `requires_grad`).
    pub fn requires_grad(&self) -> bool {
        self.grad_meta().is_some_and(|m| m.requires_grad.load(Ordering::Relaxed))
    }

    /// Whether this is a leaf: a tensor no recorded op computed (PyTorch's `is_leaf`; every
    /// tensor that does not require a gradient is one).
    pub fn is_leaf(&self) -> bool {
        self.grad_meta().is_none_or(|m| matches!(*m.grad_fn(), GradFn::Leaf))
    }

    /// Makes this leaf require a gradient or not (`requires_grad_()`). Only float tensors can
    /// require one, and only a leaf can stop requiring one.
    pub fn set_requires_grad(&self, on: bool) -> Result<()> {
        if on && !self.dtype().is_float() {
            return Err(Error::Autograd {
                op: "requires_grad_",
                message: format!("only tensors of floating point dtype can require gradients, got {}", self.dtype()),
            });
        }
        if let Some(m) = self.grad_meta() {
            if !matches!(*m.grad_fn(), GradFn::Leaf) {
                if on {
                    return Ok(());
                }
                return Err(Error::Autograd {
                    op: "requires_grad_",
                    message: "you can only change requires_grad flags of leaf variables; use detach() for a \
                              value that does not require a gradient"
                        .into(),
                });
            }
            m.requires_grad.store(on, Ordering::Relaxed);
            return Ok(());
        }
        if on {
            let _ = self.0.grad.set(GradMeta::new(GradFn::Leaf, true));
        }
        Ok(())
    }

    /// The gradient accumulated by backward passes (`.grad`), lazy until evaluated.
    pub fn grad(&self) -> Option<Tensor> {
        self.grad_meta().and_then(|m| m.grad_slot().clone())
    }

    /// Sets (or clears) `.grad`; a gradient must have this tensor's shape.
    pub fn set_grad(&self, grad: Option<Tensor>) -> Result<()> {
        if let Some(g) = &grad {
            if g.shape() != self.shape() {
                return Err(Error::Autograd {
                    op: "grad",
                    message: format!("assigned grad has shape {} but the tensor has shape {}", g.shape(), self.shape()),
                });
            }
        }
        match (self.grad_meta(), grad) {
            (Some(m), g) => *m.grad_slot() = g,
            (None, None) => {}
            (None, Some(g)) => {
                let m = GradMeta::new(GradFn::Leaf, false);
                *m.grad_slot() = Some(g);
                let _ = self.0.grad.set(m);
            }
        }
        Ok(())
    }

    /// Keeps this non-leaf tensor's gradient in `.grad` during backward passes.
    pub fn retain_grad(&self) -> Result<()> {
        match self.grad_meta() {
            Some(m) if self.requires_grad() => {
                m.retains_grad.store(true, Ordering::Relaxed);
                Ok(())
            }
            _ => Err(Error::Autograd {
                op: "retain_grad",
                message: "can't retain_grad on a tensor that has requires_grad=False".into(),
            }),
        }
    }

    /// Whether backward passes keep this non-leaf tensor's gradient (`retains_grad`).
    pub fn retains_grad(&self) -> bool {
        !self.is_leaf() && self.grad_meta().is_some_and(|m| m.retains_grad.load(Ordering::Relaxed))
    }

    /// Adds a hook called with this tensor's gradient in every backward pass; returns its
    /// handle for [`Tensor::remove_hook`].
    pub fn register_hook(&self, hook: GradHook) -> Result<usize> {
        match self.grad_meta() {
            Some(m) if self.requires_grad() => {
                let id = NEXT_HOOK.fetch_add(1, Ordering::Relaxed);
                lock(&m.hooks).push((id, hook));
                Ok(id)
            }
            _ => Err(Error::Autograd {
                op: "register_hook",
                message: "cannot register a hook on a tensor that doesn't require gradient".into(),
            }),
        }
    }

    /// Removes the hook `id` gave; whether it was there.
    pub fn remove_hook(&self, id: usize) -> bool {
        let Some(m) = self.grad_meta() else { return false };
        let mut hooks = lock(&m.hooks);
        let before = hooks.len();
        hooks.retain(|(i, _)| *i != id);
        hooks.len() != before
    }

    /// The name of the op whose gradient computes this tensor's (PyTorch's `grad_fn`), as
    /// `MulBackward0`; `None` for a leaf.
    pub fn grad_fn_name(&self) -> Option<String> {
        (!self.is_leaf()).then(|| self.backward_name())
    }

    /// PyTorch's name of the backward of this tensor's op (`MulBackward0`).
    pub(crate) fn backward_name(&self) -> String {
        let name = self.op().name();
        let base: String = name.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').next().unwrap_or("").into();
        let camel: String = base
            .split('_')
            .map(|w| {
                let mut c = w.chars();
                c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
            })
            .collect();
        format!("{camel}Backward0")
    }

    /// An in-place op rebinds a name of this tensor to `new`: a leaf that requires a gradient
    /// may only be updated so under `no_grad`, and then `new` becomes that leaf (same record,
    /// same `.grad`); a recorded node is marked modified, so a gradient formula that needs its
    /// value raises, as in PyTorch. `op` is the in-place op the caller called.
    pub fn adopt_leaf(&self, new: &Tensor, op: &str) -> Result<()> {
        let Some(m) = self.grad_meta() else { return Ok(()) };
        let leaf = matches!(*m.grad_fn(), GradFn::Leaf);
        if leaf && self.requires_grad() {
            if is_grad_enabled() {
                return Err(Error::Autograd {
                    op: "in-place",
                    message: format!(
                        "{op}: a leaf tensor that requires grad is being used in an in-place operation \
                         (wrap it in no_grad())"
                    ),
                });
            }
            if new.grad_meta().is_none() && new.dtype() == self.dtype() {
                let _ = new.0.grad.set(m.clone());
            }
            return Ok(());
        }
        if !leaf {
            m.modified.store(true, Ordering::Relaxed);
        }
        Ok(())
    }

    /// A new tensor with this one's value that no gradient flows through (`detach()`): a twin
    /// node (same op and operands, or the same buffer) without a record.
    pub fn detach(&self) -> Tensor {
        let state = self.state().twin();
        Tensor::new(self.op().clone(), self.shape().clone(), self.dtype(), state)
    }
}

/// Releases the operands a dropped node's record held (see `state::release`).
pub(super) fn release_record(meta: &mut Option<Arc<GradMeta>>) {
    if let Some(mut m) = meta.take() {
        if let Some(m) = Arc::get_mut(&mut m) {
            release(m.take_operands());
        }
    }
}
