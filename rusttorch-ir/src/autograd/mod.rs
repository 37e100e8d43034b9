//! Reverse-mode automatic differentiation as a graph transformation.
//!
//! Ops built from a tensor that requires a gradient record their operands (see
//! `tensor/grad_state.rs`; `no_grad` turns that off). [`backward`] and [`grad`] walk those
//! records from the outputs back and build every gradient as more lazy graph, from one formula
//! per op kind (`formulas.rs`; the elementwise ones are the `grad` column of the op table).
//! Nothing runs here: evaluating the gradients together with the outputs is one plan, so the
//! fusion planner sees forward and backward together, fuses the elementwise backward of
//! `gelu`, `layer_norm`, `softmax`... into few kernels, and recomputes cheap forward values
//! inside backward kernels rather than storing them.
//!
//! ```
//! use rusttorch_ir::{autograd, Tensor};
//! # fn main() -> rusttorch_ir::Result<()> {
//! let x = Tensor::from_vec(vec![1.0f64, 2.0, 3.0], [3])?;
//! x.set_requires_grad(true)?;
//! let loss = x.square()?.sum(None, false)?;
//! let grads = autograd::grad(&[loss], &[x.clone()], &[], autograd::GradOptions::default())?;
//! assert_eq!(grads[0].as_ref().unwrap().shape().dims(), &[3]); // 2x, lazy until evaluated
//! # Ok(())
//! # }
//! ```

mod arith;
mod backward;
mod binary_grads;
mod formulas;
#[cfg(test)]
mod tests;
mod unary_grads;

pub use crate::tensor::{is_grad_enabled, no_grad, set_grad_enabled, with_grad_mode, GradHook};
pub use binary_grads::{extremum_grads, pow_grads};
pub use unary_grads::gelu_derivative;

use crate::{Error, Result, Tensor};
use backward::{run, Request};

/// How a backward pass treats the graph it walks.
#[derive(Clone, Copy, Debug, Default)]
pub struct GradOptions {
    /// Keep the recorded operands for another backward pass (otherwise they are freed, and a
    /// second pass through the same nodes raises).
    pub retain_graph: bool,
    /// Record the gradients themselves, so they can be differentiated again.
    pub create_graph: bool,
    /// [`grad`]: give `None` for an input the outputs do not depend on, rather than raising.
    pub allow_unused: bool,
}

/// `outputs[i].backward(grad_outputs[i])` for all `i` at once (`torch.autograd.backward`): adds
/// the gradient of the outputs to the `.grad` of every leaf that requires one, and to the
/// `.grad` of non-leaves that retain theirs. `grad_outputs` may be empty (every output then
/// has one element and starts from 1). Returns the `.grad` tensors it set, lazy: evaluate them
/// (with the outputs) in one plan.
pub fn backward(outputs: &[Tensor], grad_outputs: &[Option<Tensor>], options: GradOptions) -> Result<Vec<Tensor>> {
    let req = Request {
        op: "backward",
        outputs,
        grad_outputs,
        inputs: None,
        retain_graph: options.retain_graph || options.create_graph,
        create_graph: options.create_graph,
    };
    let adj = run(&req)?;
    let mut set = Vec::new();
    with_grad_mode(options.create_graph, || -> Result<()> {
        for t in adj.leaves.iter().chain(&adj.retained) {
            let g = &adj.by_id[&t.id()];
            let new = match t.grad() {
                Some(old) => old.plus(g)?,
                None => g.clone(),
            };
            t.set_grad(Some(new.clone()))?;
            set.push(new);
        }
        Ok(())
    })?;
    Ok(set)
}

/// The gradients of `outputs` with respect to `inputs` (`torch.autograd.grad`), lazy, without
/// touching any `.grad`. An input the outputs do not depend on is an error unless
/// `allow_unused` (then `None`).
pub fn grad(
    outputs: &[Tensor],
    inputs: &[Tensor],
    grad_outputs: &[Option<Tensor>],
    options: GradOptions,
) -> Result<Vec<Option<Tensor>>> {
    if let Some(i) = inputs.iter().position(|t| !t.requires_grad()) {
        return Err(Error::Autograd { op: "grad", message: format!("input {i} does not require grad") });
    }
    let req = Request {
        op: "grad",
        outputs,
        grad_outputs,
        inputs: Some(inputs),
        retain_graph: options.retain_graph || options.create_graph,
        create_graph: options.create_graph,
    };
    let adj = run(&req)?;
    inputs
        .iter()
        .enumerate()
        .map(|(i, t)| match adj.by_id.get(&t.id()) {
            Some(g) => Ok(Some(g.clone())),
            None if options.allow_unused => Ok(None),
            None => Err(Error::Autograd {
                op: "grad",
                message: format!(
                    "one of the differentiated tensors (input {i}) appears to not have been used in the graph; set \
                     allow_unused=True if this is the desired behavior"
                ),
            }),
        })
        .collect()
}
