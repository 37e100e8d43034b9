//! Kernel order: every kernel runs after the producers of what it reads, ties broken by the
//! topological position of its first root.

use super::{view_base, Spec};
use crate::graph::{Graph, NodeId};
use crate::hash::HashMap;
use crate::{Error, Result};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Kahn's algorithm over kernel dependencies (view leaves resolved to their base nodes); gives
/// the indices of `specs` in execution order.
pub(super) fn kernel_order(g: &Graph, specs: &[Spec], pos: &[usize]) -> Result<Vec<usize>> {
    let mut producer: HashMap<NodeId, usize> = HashMap::default();
    for (i, s) in specs.iter().enumerate() {
        for &r in &s.roots {
            producer.insert(r, i);
        }
    }
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); specs.len()];
    let mut indeg = vec![0usize; specs.len()];
    for (i, s) in specs.iter().enumerate() {
        let mut ds: Vec<usize> = s.leaves.iter().filter_map(|&l| producer.get(&view_base(g, l)).copied()).collect();
        ds.sort_unstable();
        ds.dedup();
        ds.retain(|&d| d != i);
        indeg[i] = ds.len();
        for d in ds {
            deps[d].push(i);
        }
    }
    let key = |i: usize| specs[i].roots.iter().map(|r| pos[r.index()]).min().unwrap_or(0);
    let mut ready: BinaryHeap<Reverse<(usize, usize)>> =
        (0..specs.len()).filter(|&i| indeg[i] == 0).map(|i| Reverse((key(i), i))).collect();
    let mut order = Vec::with_capacity(specs.len());
    while let Some(Reverse((_, i))) = ready.pop() {
        order.push(i);
        for &u in &deps[i] {
            indeg[u] -= 1;
            if indeg[u] == 0 {
                ready.push(Reverse((key(u), u)));
            }
        }
    }
    if order.len() != specs.len() {
        return Err(Error::Internal("fusion produced a cycle between kernels".into()));
    }
    Ok(order)
}
