//! The backward pass: walks the recorded graph from the outputs to the tensors that need
//! gradients, in reverse topological order, and builds each gradient as more lazy graph from
//! the formulas of `formulas`. Nothing is computed here: the caller evaluates the gradients,
//! and with them the forward values they read, in one plan, where the fusion planner decides
//! what to keep and what to recompute.

use super::formulas::{reads_values, vjp};
use crate::hash::{HashMap, HashSet};
use crate::tensor::{with_grad_mode, CustomVjp, GradFn, Operands};
use crate::{Error, Result, Scalar, Tensor};
use std::sync::atomic::Ordering;

/// What a backward pass was asked for.
pub(super) struct Request<'a> {
    /// The call, for errors (`backward`, `grad`).
    pub op: &'static str,
    pub outputs: &'a [Tensor],
    pub grad_outputs: &'a [Option<Tensor>],
    /// `autograd.grad`'s inputs; `None` for `backward()` (every leaf that requires grad).
    pub inputs: Option<&'a [Tensor]>,
    pub retain_graph: bool,
    pub create_graph: bool,
}

/// What a backward pass found: the gradient of every node it reached (after hooks), and the
/// leaves and retaining non-leaves among them in the order found.
pub(super) struct Adjoints {
    pub by_id: HashMap<usize, Tensor>,
    pub leaves: Vec<Tensor>,
    pub retained: Vec<Tensor>,
}

fn err(op: &'static str, message: impl Into<String>) -> Error {
    Error::Autograd { op, message: message.into() }
}

/// What a recorded node's gradient is computed from.
enum Recorded {
    /// Its op's formula, over these operands.
    Op(Operands),
    /// A composite's own formula, over the composite's inputs.
    Custom(Operands, CustomVjp),
}

impl Recorded {
    fn operands(&self) -> &Operands {
        match self {
            Recorded::Op(ops) | Recorded::Custom(ops, _) => ops,
        }
    }
}

/// What a node's record holds, if it is a recorded node (not a leaf).
fn recorded(t: &Tensor, op: &'static str) -> Result<Option<Recorded>> {
    let Some(meta) = t.grad_meta() else { return Ok(None) };
    match &*meta.grad_fn() {
        GradFn::Leaf => return Ok(None),
        GradFn::Node(ops) => return Ok(Some(Recorded::Op(ops.clone()))),
        GradFn::Custom(ops, vjp) => return Ok(Some(Recorded::Custom(ops.clone(), vjp.clone()))),
        GradFn::Freed => {}
    }
    Err(err(
        op,
        format!(
            "trying to backward through the graph a second time (or directly access saved tensors after they have \
             already been freed): the values {} needs were freed by an earlier backward pass. Specify \
             retain_graph=True the first time",
            t.backward_name()
        ),
    ))
}

/// The nodes reachable from `outputs` through records, operands before the nodes using them.
fn post_order(outputs: &[Tensor]) -> Vec<Tensor> {
    let mut order = Vec::new();
    let mut seen = HashSet::default();
    let mut stack: Vec<(Tensor, bool)> = outputs.iter().rev().map(|t| (t.clone(), false)).collect();
    while let Some((t, expanded)) = stack.pop() {
        if expanded {
            order.push(t);
            continue;
        }
        if !seen.insert(t.id()) {
            continue;
        }
        let operands = match t.grad_meta().map(|m| m.grad_fn()) {
            Some(g) => match &*g {
                GradFn::Node(ops) | GradFn::Custom(ops, _) => ops.clone(),
                _ => Default::default(),
            },
            None => Default::default(),
        };
        stack.push((t, true));
        for o in operands.iter().rev() {
            if o.requires_grad() && !seen.contains(&o.id()) {
                stack.push((o.clone(), false));
            }
        }
    }
    order
}

/// The gradient each output starts with: `grad_outputs[i]`, or 1 for a one-element output.
fn seeds(req: &Request<'_>) -> Result<Vec<Tensor>> {
    if !req.grad_outputs.is_empty() && req.grad_outputs.len() != req.outputs.len() {
        return Err(err(req.op, format!("got {} tensors and {} gradients", req.outputs.len(), req.grad_outputs.len())));
    }
    let mut out = Vec::with_capacity(req.outputs.len());
    for (i, y) in req.outputs.iter().enumerate() {
        if !y.requires_grad() {
            return Err(err(
                req.op,
                format!("element {i} of tensors does not require grad and does not have a grad_fn"),
            ));
        }
        match req.grad_outputs.get(i).and_then(Option::as_ref) {
            Some(g) if g.shape() != y.shape() => {
                return Err(err(
                    req.op,
                    format!(
                        "mismatch in shape: grad_output[{i}] has shape {} and output[{i}] has shape {}",
                        g.shape(),
                        y.shape()
                    ),
                ))
            }
            Some(g) => out.push(g.cast(y.dtype())?),
            None if y.numel() != 1 => {
                return Err(err(
                    req.op,
                    format!(
                        "grad can be implicitly created only for scalar outputs (output {i} has shape {})",
                        y.shape()
                    ),
                ))
            }
            None => out.push(Tensor::full(y.shape().clone(), Scalar::new(1.0), y.dtype())?),
        }
    }
    Ok(out)
}

fn accumulate(adj: &mut HashMap<usize, Tensor>, t: &Tensor, g: Tensor) -> Result<()> {
    let g = if g.dtype() != t.dtype() { g.cast(t.dtype())? } else { g };
    match adj.remove(&t.id()) {
        Some(prev) => adj.insert(t.id(), prev.plus(&g)?),
        None => adj.insert(t.id(), g),
    };
    Ok(())
}

/// Raises PyTorch's error when a formula that reads values meets a node modified in place.
fn check_unmodified(req: &Request<'_>, t: &Tensor, rec: &Recorded) -> Result<()> {
    let (reads_operands, reads_result) = match rec {
        Recorded::Op(_) => reads_values(t.op()),
        // A composite's formula rebuilds from its inputs.
        Recorded::Custom(..) => (true, false),
    };
    let operands = rec.operands();
    let modified = |x: &Tensor| x.grad_meta().is_some_and(|m| m.modified.load(Ordering::Relaxed));
    let result = std::iter::once(t).filter(|_| reads_result);
    if let Some(x) = result.chain(operands.iter().filter(|_| reads_operands)).find(|x| modified(x)) {
        return Err(err(
            req.op,
            format!(
                "one of the variables needed for gradient computation has been modified by an inplace operation: \
                 a tensor of shape {} and dtype {} that {} reads was rebound by an in-place op after it was used",
                x.shape(),
                x.dtype(),
                t.backward_name()
            ),
        ));
    }
    Ok(())
}

/// Runs the backward pass `req` asks for, building the gradients (lazily).
pub(super) fn run(req: &Request<'_>) -> Result<Adjoints> {
    let seeds = seeds(req)?;
    let order = post_order(req.outputs);
    // With `inputs`, only nodes on a path to one of them need a gradient.
    let needed: Option<HashSet<usize>> = req.inputs.map(|inputs| {
        let mut needed: HashSet<usize> = inputs.iter().map(Tensor::id).collect();
        for t in &order {
            if let Some(GradFn::Node(ops) | GradFn::Custom(ops, _)) = t.grad_meta().map(|m| m.grad_fn()).as_deref() {
                if ops.iter().any(|o| needed.contains(&o.id())) {
                    needed.insert(t.id());
                }
            }
        }
        needed
    });
    let is_needed = |t: &Tensor| needed.as_ref().is_none_or(|n| n.contains(&t.id()));
    let result = with_grad_mode(req.create_graph, || -> Result<Adjoints> {
        let mut adj: HashMap<usize, Tensor> = HashMap::default();
        for (y, g) in req.outputs.iter().zip(seeds) {
            accumulate(&mut adj, y, g)?;
        }
        let mut out = Adjoints { by_id: HashMap::default(), leaves: Vec::new(), retained: Vec::new() };
        for t in order.iter().rev() {
            let Some(mut g) = adj.remove(&t.id()) else { continue };
            if !is_needed(t) {
                continue;
            }
            if let Some(meta) = t.grad_meta() {
                for hook in meta.hook_list() {
                    if let Some(new) = hook(&g)? {
                        g = new;
                    }
                }
            }
            match recorded(t, req.op)? {
                None => {
                    if t.requires_grad() {
                        out.leaves.push(t.clone());
                    }
                }
                Some(rec) => {
                    if t.retains_grad() {
                        out.retained.push(t.clone());
                    }
                    let ops = rec.operands();
                    check_unmodified(req, t, &rec)?;
                    let grads = match &rec {
                        Recorded::Op(ops) => vjp(t, ops, &g)?,
                        Recorded::Custom(ops, f) => f(ops, &g)?,
                    };
                    for (o, d) in ops.iter().zip(grads) {
                        if let Some(d) = d {
                            if o.requires_grad() && is_needed(o) {
                                accumulate(&mut adj, o, d)?;
                            }
                        }
                    }
                }
            }
            out.by_id.insert(t.id(), g);
        }
        Ok(out)
    })?;
    if !req.retain_graph {
        for t in &order {
            if let Some(meta) = t.grad_meta() {
                let mut grad_fn = meta.grad_fn();
                if matches!(*grad_fn, GradFn::Node(_) | GradFn::Custom(..)) {
                    *grad_fn = GradFn::Freed;
                }
            }
        }
    }
    Ok(result)
}
