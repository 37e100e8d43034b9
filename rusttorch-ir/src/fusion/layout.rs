//! View layouts: the plan value of each view (its base buffer, offset and strides), given
//! once the value it views exists.

use crate::graph::{Graph, NodeId};
use crate::hash::HashMap;
use crate::plan::{Value, ValueId, ValueKind};
use crate::view::{apply_view, contiguous, Layout};
use crate::{Error, Result};

/// The base value and layout of value `v`.
pub(super) fn layout_of(values: &[Value], v: ValueId) -> (ValueId, Layout) {
    match &values[v].kind {
        ValueKind::View { base, offset, strides } => (*base, Layout { offset: *offset, strides: strides.clone() }),
        _ => (v, contiguous(&values[v].shape)),
    }
}

/// Views still without a value, indexed by the node they view, so each view is looked at once
/// however many kernels there are.
pub(super) struct PendingViews {
    waiting: HashMap<NodeId, Vec<NodeId>>,
}

impl PendingViews {
    /// Every view of `g` (`topo` its topological order).
    pub(super) fn new(g: &Graph, topo: &[NodeId]) -> PendingViews {
        let mut waiting: HashMap<NodeId, Vec<NodeId>> = HashMap::default();
        for &n in topo {
            if g.node(n).op.is_movement() {
                waiting.entry(g.inputs(n)[0]).or_default().push(n);
            }
        }
        PendingViews { waiting }
    }

    /// Gives a value to every view that `ready` (nodes just given values) reaches through
    /// views, in topological order (a view of a view after its operand).
    pub(super) fn resolve(
        &mut self,
        g: &Graph,
        pos: &[usize],
        ready: &[NodeId],
        values: &mut Vec<Value>,
        value_of: &mut HashMap<NodeId, ValueId>,
    ) -> Result<()> {
        let mut found = Vec::new();
        let mut stack = ready.to_vec();
        while let Some(x) = stack.pop() {
            for r in self.waiting.remove(&x).unwrap_or_default() {
                found.push(r);
                stack.push(r);
            }
        }
        found.sort_unstable_by_key(|r| pos[r.index()]);
        for r in found {
            let v = value_of[&g.inputs(r)[0]];
            let (base, layout) = layout_of(values, v);
            let l = apply_view(&g.node(r).op, &values[v].shape, &g.node(r).shape, &layout).ok_or_else(|| {
                Error::Internal(format!("fusion: view {} is not legalized (see legalize_views)", r.index()))
            })?;
            value_of.insert(r, values.len());
            values.push(Value {
                shape: g.node(r).shape.clone(),
                dtype: g.node(r).dtype,
                kind: ValueKind::View { base, offset: l.offset, strides: l.strides },
            });
        }
        Ok(())
    }
}
