//! Merging (rule 5): kernels over the same space that share nodes or inputs become one
//! multi-output kernel, unless one depends on the other.

use super::{view_base, Spec, MAX_KERNEL_INPUTS, MAX_KERNEL_OUTPUTS};
use crate::graph::{Graph, NodeId};
use crate::hash::{HashMap, HashSet};
use crate::op::{LineOp, Op, OrderOp};
use std::collections::BTreeSet;

/// Candidates taken per shared node or leaf, and dependent candidates tried per kernel, when
/// merging: bounds the work of a long run of kernels that all read one input (each depends on
/// the one before, so none would merge anyway).
const MERGE_TRIES: usize = 16;

/// Kernels visited when proving two kernels independent; past it they count as dependent and
/// are not merged (always safe; only plans of hundreds of kernels get there).
const DEPENDS_VISITS: usize = 256;

/// Merges kernels over the same space that share nodes or inputs: each kernel, in order,
/// absorbs the first later kernel that shares with it and depends on it neither way, until
/// none is left. Candidates are found through the nodes and leaves they share, not by
/// comparing every pair.
pub(super) fn merge(g: &Graph, specs: Vec<Spec>) -> Vec<Spec> {
    let mut node_holders: HashMap<NodeId, Vec<usize>> = HashMap::default();
    let mut leaf_holders: HashMap<NodeId, Vec<usize>> = HashMap::default();
    let mut producer: HashMap<NodeId, usize> = HashMap::default();
    for (i, s) in specs.iter().enumerate() {
        for &n in &s.nodes {
            node_holders.entry(n).or_default().push(i);
        }
        for &n in &s.leaves {
            leaf_holders.entry(n).or_default().push(i);
        }
        for &r in &s.roots {
            producer.insert(r, i);
        }
    }
    let mergeable = |s: &Spec| s.matmul.is_none() && !s.solo;
    let mut specs: Vec<Option<Spec>> = specs.into_iter().map(Some).collect();
    for i in 0..specs.len() {
        let Some(mut a) = specs[i].take() else { continue };
        if !mergeable(&a) {
            specs[i] = Some(a);
            continue;
        }
        let later = |s: &Spec, cands: &mut BTreeSet<usize>, examined: &HashSet<usize>| {
            for (holders, xs) in [(&node_holders, &s.nodes), (&leaf_holders, &s.leaves)] {
                for x in xs {
                    let h = &holders[x];
                    let from = h.partition_point(|&j| j <= i);
                    cands.extend(h[from..].iter().take(MERGE_TRIES).filter(|&j| !examined.contains(j)));
                }
            }
        };
        let (mut cands, mut examined) = (BTreeSet::new(), HashSet::default());
        later(&a, &mut cands, &examined);
        let mut dependent = 0;
        while let Some(j) = cands.pop_first() {
            examined.insert(j);
            let Some(b) = specs[j].as_ref() else { continue };
            if b.space != a.space
                || b.dtype != a.dtype
                || !mergeable(b)
                || a.roots.len() + b.roots.len() > MAX_KERNEL_OUTPUTS
                || a.leaves.len() + b.leaves.len() > MAX_KERNEL_INPUTS
            {
                continue;
            }
            if depends(g, &specs, (i, &a), i, j, &producer) || depends(g, &specs, (i, &a), j, i, &producer) {
                dependent += 1;
                if dependent > MERGE_TRIES {
                    break;
                }
                continue;
            }
            let b = specs[j].take().expect("checked above");
            later(&b, &mut cands, &examined);
            for &r in &b.roots {
                producer.insert(r, i);
            }
            a.roots.extend(b.roots);
            a.nodes.extend(b.nodes);
            a.leaves.extend(b.leaves);
            // A root of one may be a leaf of the other only if dependent, excluded above.
        }
        specs[i] = Some(a);
    }
    specs.into_iter().flatten().collect()
}

/// Pairs each order line kernel writing values with the one writing the indices of the same
/// order op over the same operand (`sort` evaluated for both): one kernel that ranks each line
/// once and writes both (values first). Neither reads the other, so they never depend.
pub(super) fn pair_order_lines(g: &Graph, specs: Vec<Spec>) -> Vec<Spec> {
    let key = |s: &Spec| -> Option<((NodeId, OrderOp, usize), bool)> {
        let [r] = s.roots[..] else { return None };
        match g.node(r).op {
            Op::Line { op: LineOp::Order(o), dim } => Some(((g.inputs(r)[0], o, dim), false)),
            Op::Line { op: LineOp::OrderIndex(o), dim } => Some(((g.inputs(r)[0], o, dim), true)),
            _ => None,
        }
    };
    let values_at: HashMap<_, usize> =
        specs.iter().enumerate().filter_map(|(i, s)| key(s).filter(|k| !k.1).map(|k| (k.0, i))).collect();
    let mut specs: Vec<Option<Spec>> = specs.into_iter().map(Some).collect();
    for j in 0..specs.len() {
        let Some((at, true)) = specs[j].as_ref().and_then(key) else { continue };
        let Some(&i) = values_at.get(&at) else { continue };
        let b = specs[j].take().expect("checked above");
        let a = specs[i].as_mut().expect("a values kernel is never taken");
        a.roots.extend(b.roots);
        a.nodes.extend(b.nodes);
        a.leaves.extend(b.leaves);
    }
    specs.into_iter().flatten().collect()
}

/// Whether spec `from` (transitively) reads something spec `to` writes; `cur` is the spec
/// being merged into, held outside the list.
fn depends(
    g: &Graph,
    specs: &[Option<Spec>],
    cur: (usize, &Spec),
    from: usize,
    to: usize,
    producer: &HashMap<NodeId, usize>,
) -> bool {
    let spec = |k: usize| if k == cur.0 { Some(cur.1) } else { specs[k].as_ref() };
    let mut stack = vec![from];
    let mut seen = HashSet::default();
    seen.insert(from);
    while let Some(x) = stack.pop() {
        let Some(sx) = spec(x) else { continue };
        for &l in &sx.leaves {
            let Some(&y) = producer.get(&view_base(g, l)) else { continue };
            if y == to {
                return true;
            }
            if y != x && seen.insert(y) {
                if seen.len() > DEPENDS_VISITS {
                    return true;
                }
                stack.push(y);
            }
        }
    }
    false
}
