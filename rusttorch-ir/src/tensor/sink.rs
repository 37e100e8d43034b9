//! Views moved below elementwise work when they are built: `(x * 2 + 1).flip(0)` becomes
//! `x.flip(0) * 2 + 1`, so the kernel reads `x` through the reversed view instead of storing
//! `x * 2 + 1` to reverse it (the planner stores the operand of any view that is not a buffer).

use super::{Operands, Tensor};
use crate::Result;

/// Elementwise nodes rebuilt at most per view: a longer expression is viewed where the budget
/// ends (stored there, as without this), so building a view stays cheap on long chains.
const BUDGET: usize = 32;

impl Tensor {
    /// `view(self)`, where `view` is a permute/slice composite that keeps the element count, with
    /// the view applied to the operands of the elementwise ops `self` is made of (each operand
    /// broadcast to its op's shape first; 0-d operands stay as they are). Computes the same
    /// values: an elementwise op commutes with any rearrangement of its elements.
    pub(super) fn view_below(&self, view: &dyn Fn(&Tensor) -> Result<Tensor>) -> Result<Tensor> {
        let mut budget = BUDGET;
        self.sink(view, &mut budget)
    }

    fn sink(&self, view: &dyn Fn(&Tensor) -> Result<Tensor>, budget: &mut usize) -> Result<Tensor> {
        if *budget == 0 || self.is_evaluated() || !self.op().is_elementwise() {
            return view(self);
        }
        *budget -= 1;
        let operands = self.operands();
        let to: smallvec::SmallVec<[isize; 6]> = self.dims().iter().map(|&d| d as isize).collect();
        let mut moved = Operands::new();
        for x in &operands {
            moved.push(if x.ndim() == 0 { x.clone() } else { x.expand(&to)?.sink(view, budget)? });
        }
        let shape = match moved.iter().find(|m| m.ndim() > 0) {
            Some(m) => m.shape().clone(),
            // Every operand 0-d: so is the op, and viewing it changes nothing.
            None => return view(self),
        };
        Ok(Tensor::lazy(self.op().clone(), shape, self.dtype(), moved))
    }
}
