//! The pass tests' one helper (DataFusion's `assert_optimized_plan_eq`): run passes, snapshot the dump.

use super::Pass;
use crate::graph::Graph;
use crate::tensor::lower;
use crate::Tensor;

/// The fused graph `outputs` lower to, with `placeholders` as its inputs.
pub(crate) fn lowered(outputs: &[Tensor], placeholders: &[Tensor]) -> Graph {
    lower(outputs, placeholders, true).unwrap().key.to_graph()
}

/// Runs each of `passes` once, in order, on `g`; after each the outputs' shapes and dtypes must
/// be unchanged and the graph must validate. Returns whether each pass changed the graph.
pub(crate) fn run_passes(g: &mut Graph, passes: &[&dyn Pass]) -> Vec<bool> {
    let signature = g.signature();
    passes
        .iter()
        .map(|p| {
            let changed = p.run(g).unwrap();
            assert_eq!(g.signature(), signature, "{} changed the outputs' shapes or dtypes", p.name());
            g.validate().unwrap_or_else(|e| panic!("after {}: {e}", p.name()));
            changed
        })
        .collect()
}

/// `assert_optimized!(graph, passes, @"dump")`: runs `passes` (`&[&dyn Pass]`) on `graph` (a
/// `&mut Graph`) with [`run_passes`], asserts that the graph's dump matches the inline snapshot
/// (`cargo insta review` updates it), and evaluates to whether each pass changed the graph.
macro_rules! assert_optimized {
    ($graph:expr, $passes:expr, @$snapshot:literal) => {{
        let graph: &mut $crate::graph::Graph = $graph;
        let changed = $crate::passes::testing::run_passes(graph, $passes);
        insta::assert_snapshot!(graph.dump(), @$snapshot);
        changed
    }};
}
pub(crate) use assert_optimized;
