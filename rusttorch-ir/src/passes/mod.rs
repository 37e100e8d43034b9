//! Optimizer passes: one type per file, each implementing [`Pass`], run in the order of
//! [`default_passes`] by a [`PassManager`] that checks invariants after every pass.
//!
//! The fusion planner ([`crate::fusion::FusionPlanner`]) then turns the optimized graph into a
//! [`crate::plan::Plan`] of fused kernels.

use crate::graph::Graph;
use crate::{Error, Result};

pub mod algebraic_simplification;
pub mod common_subexpression;
pub mod constant_folding;
pub mod dead_code;
pub mod legalize_views;

pub use algebraic_simplification::AlgebraicSimplification;
pub use common_subexpression::CommonSubexpressionElimination;
pub use constant_folding::ConstantFolding;
pub use dead_code::DeadCodeElimination;
pub use legalize_views::LegalizeViews;

#[cfg(test)]
mod testing;

/// A graph-to-graph rewrite.
pub trait Pass: Send + Sync {
    /// The pass name as reported in logs and errors (the file name).
    fn name(&self) -> &'static str;
    /// Rewrites `g` in place; returns whether anything changed.
    fn run(&self, g: &mut Graph) -> Result<bool>;
}

/// The default pipeline, in order.
pub fn default_passes() -> Vec<Box<dyn Pass>> {
    vec![
        // Folding first: it turns constant subtrees into single `Full` nodes, which gives
        // simplification and CSE more to match.
        Box::new(ConstantFolding),
        // Simplification may expose new common subexpressions (e.g. `x*1` and `x`).
        Box::new(AlgebraicSimplification),
        Box::new(CommonSubexpressionElimination),
        // Removes what the rewrites above orphaned.
        Box::new(DeadCodeElimination),
        // Last, for the planner: it copies views by their final shape and place (a rewrite
        // above can turn an output into a view), and changes nothing on a graph it already
        // made legal, so the loop still ends once the rewrites above settle.
        Box::new(LegalizeViews),
    ]
}

/// Runs passes in order until none changes the graph (at most `max_rounds` rounds), checking
/// after each pass that output shapes and dtypes are unchanged (and, when `validate` is set,
/// the whole graph's invariants).
pub struct PassManager {
    passes: Vec<Box<dyn Pass>>,
    validate: bool,
    max_rounds: usize,
}

impl Default for PassManager {
    fn default() -> Self {
        PassManager::new(default_passes())
    }
}

impl PassManager {
    /// A manager over `passes`, validating in debug builds or when `RUSTTORCH_VALIDATE` is set.
    pub fn new(passes: Vec<Box<dyn Pass>>) -> PassManager {
        let validate = cfg!(debug_assertions) || std::env::var_os("RUSTTORCH_VALIDATE").is_some();
        PassManager { passes, validate, max_rounds: 4 }
    }

    /// Turns full graph validation after each pass on or off.
    pub fn with_validation(mut self, on: bool) -> PassManager {
        self.validate = on;
        self
    }

    /// Names of the passes, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.passes.iter().map(|p| p.name()).collect()
    }

    /// Runs the pipeline.
    pub fn run(&self, g: &mut Graph) -> Result<()> {
        let log = std::env::var_os("RUSTTORCH_LOG_PASSES").is_some_and(|v| v == "1");
        let signature = g.signature();
        for _ in 0..self.max_rounds {
            let mut changed = false;
            for p in &self.passes {
                let c = p.run(g)?;
                changed |= c;
                if log {
                    eprintln!("--- after {} (changed: {c})\n{}", p.name(), g.dump());
                }
                if g.signature() != signature {
                    return Err(Error::Internal(format!("pass {} changed the output shapes or dtypes", p.name())));
                }
                if self.validate {
                    g.validate().map_err(|e| Error::Internal(format!("after pass {}: {e}", p.name())))?;
                }
            }
            if !changed {
                break;
            }
        }
        Ok(())
    }
}
