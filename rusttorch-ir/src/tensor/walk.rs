//! Lowering lazy tensors: a walk over the reachable, not-yet-evaluated part of the DAG with an
//! explicit stack (no recursion on depth), listing it in post-order and hashing its structure,
//! and the [`GraphKey`] it turns into: a canonical, data-free description (ops, shapes, dtypes,
//! edges) from which the IR [`Graph`](crate::graph::Graph) is built and by which plans are
//! cached. The buffers of evaluated tensors become numbered inputs.

use super::state::NodeState;
use super::Tensor;
use crate::graph::{GNode, GraphKey, KeyNode};
use crate::op::{Op, SourceOp};
use crate::{Buffer, Error, Result};
use foldhash::fast::FoldHasher;
use hashbrown::HashMap;
use smallvec::SmallVec;
use std::hash::{BuildHasher, Hash, Hasher};

/// The result of lowering tensors: the structure and the buffers bound to its input slots.
pub struct Lowered {
    /// The structure.
    pub key: GraphKey,
    /// Buffers of already-evaluated tensors, by input slot (after the placeholders).
    pub inputs: Vec<Buffer>,
    /// Number of leading input slots that are placeholders.
    pub num_placeholders: usize,
}

/// Node id → position while walking: a linear scan while the graph is small (per-call
/// expressions of a few nodes, where hashing and allocating a table cost more), a hash map beyond.
#[derive(Default)]
struct IdIndex {
    /// Ids by position, while there are at most 32.
    small: SmallVec<[usize; 32]>,
    large: Option<HashMap<usize, u32>>,
}

impl IdIndex {
    fn get(&self, id: &usize) -> Option<u32> {
        match &self.large {
            Some(m) => m.get(id).copied(),
            // Backwards: operands tend to be the nodes just emitted.
            None => self.small.iter().rposition(|k| k == id).map(|p| p as u32),
        }
    }
    fn contains_key(&self, id: &usize) -> bool {
        self.get(id).is_some()
    }
    /// Records `id` at the next position.
    fn push(&mut self, id: usize) {
        match &mut self.large {
            Some(m) => {
                m.insert(id, m.len() as u32);
            }
            None if self.small.len() < 32 => self.small.push(id),
            None => {
                let mut m: HashMap<usize, u32> = self.small.drain(..).enumerate().map(|(p, k)| (k, p as u32)).collect();
                m.insert(id, m.len() as u32);
                self.large = Some(m);
            }
        }
    }
}

/// One node of a [`Walk`].
pub struct WalkNode {
    /// The tensor. An evaluated tensor or a placeholder stands for its input slot.
    pub tensor: Tensor,
    /// The input slot, for evaluated tensors and placeholders.
    pub slot: Option<u32>,
    /// Positions of its operands in the walk's node list.
    pub operands: SmallVec<[u32; 2]>,
}

impl WalkNode {
    /// Whether this node is what key node `k` describes.
    fn matches(&self, k: &KeyNode) -> bool {
        let t = &self.tensor;
        let op_ok = match (self.slot, &k.node.op) {
            (Some(s), Op::Source(SourceOp::Input(i))) => *i == s as usize,
            (Some(_), _) => false,
            (None, op) => op == t.op(),
        };
        op_ok
            && k.node.dtype == t.dtype()
            && &k.node.shape == t.shape()
            && k.operands.len() == self.operands.len()
            && k.operands.iter().zip(&self.operands).all(|(a, b)| a == b)
    }
}

/// The reachable, not-yet-evaluated part of a DAG in post-order (operands first), before it is
/// turned into a [`GraphKey`]: evaluation looks its plan up by `hash` and checks the candidate
/// key against these nodes, so a cache hit copies no op or shape.
pub struct Walk {
    /// Nodes in post-order.
    pub nodes: Vec<WalkNode>,
    /// Positions of the outputs.
    pub outputs: SmallVec<[u32; 2]>,
    /// Whether the plan is fused.
    pub fused: bool,
    /// Hash of the structure: equal for walks whose keys are equal.
    pub hash: u64,
    /// Buffers of the evaluated tensors, by input slot (after the placeholders).
    pub inputs: SmallVec<[Buffer; 4]>,
    /// Number of leading input slots that are placeholders.
    pub num_placeholders: usize,
}

impl Walk {
    /// The canonical key (copies every op and shape: for a cache miss).
    pub fn key(&self) -> GraphKey {
        let nodes = self
            .nodes
            .iter()
            .map(|n| {
                let t = &n.tensor;
                let op = match n.slot {
                    Some(s) => Op::Source(SourceOp::Input(s as usize)),
                    None => t.op().clone(),
                };
                KeyNode { node: GNode { op, shape: t.shape().clone(), dtype: t.dtype() }, operands: n.operands.clone() }
            })
            .collect();
        GraphKey { nodes, outputs: self.outputs.to_vec(), fused: self.fused }
    }

    /// Whether `key` describes this walk.
    pub fn matches(&self, key: &GraphKey) -> bool {
        key.fused == self.fused
            && key.outputs == self.outputs.as_slice()
            && key.nodes.len() == self.nodes.len()
            && self.nodes.iter().zip(&key.nodes).all(|(n, k)| n.matches(k))
    }

    /// The tensor bound to input `slot`.
    pub fn input_tensor(&self, slot: usize) -> Option<&Tensor> {
        self.nodes.iter().find(|n| n.slot == Some(slot as u32)).map(|n| &n.tensor)
    }

    /// The evaluated tensors bound to input slots, in slot order (the walk's other handles are
    /// dropped).
    pub fn into_input_tensors(self) -> Vec<Tensor> {
        let np = self.num_placeholders as u32;
        self.nodes.into_iter().filter(|n| n.slot.is_some_and(|s| s >= np)).map(|n| n.tensor).collect()
    }
}

/// Hashes a tensor's dtype and a summary of its shape (rank and size; the key check on a hit
/// compares the dims themselves).
fn hash_shape(h: &mut FoldHasher, t: &Tensor) {
    let s = t.shape();
    h.write_usize(s.ndim() << 8 | t.dtype() as usize);
    h.write_usize(s.numel());
}

/// The seed of walk hashes (fixed, so equal structures hash alike in every walk).
const WALK_SEED: u64 = 0x5275_7374_546f_7263;

/// Walks the DAG reachable from `outputs` without recursion. `placeholders` get input slots
/// `0..placeholders.len()` in order; evaluated tensors get the following slots.
pub fn walk(outputs: &[Tensor], placeholders: &[Tensor], fused: bool) -> Result<Walk> {
    let mut index = IdIndex::default();
    let mut nodes: Vec<WalkNode> = Vec::with_capacity(16);
    let mut inputs: SmallVec<[Buffer; 4]> = SmallVec::new();
    let mut h = foldhash::fast::FixedState::with_seed(WALK_SEED).build_hasher();
    fused.hash(&mut h);
    // Input slots hash as their slot number under a tag no op hashes to.
    let hash_input = |h: &mut FoldHasher, slot: usize, t: &Tensor| {
        h.write_u64(u64::MAX);
        h.write_usize(slot);
        hash_shape(h, t);
    };
    for (i, p) in placeholders.iter().enumerate() {
        if !p.is_placeholder() {
            return Err(Error::BadInput { index: i, reason: "not a placeholder tensor".into() });
        }
        index.push(p.id());
        hash_input(&mut h, i, p);
        nodes.push(WalkNode { tensor: p.clone(), slot: Some(i as u32), operands: SmallVec::new() });
    }
    let np = placeholders.len();
    // Explicit-stack post-order DFS: a node is emitted once all its operands are; until then it
    // goes back on the stack under them.
    // (Plain pushes and loops below, not iterator collects: this runs on every evaluation, and
    // the collects cost several times the work.)
    // The DFS stack is two parallel stacks of plain words (pushing a two-word frame built on
    // the stack stalled on store forwarding): the tensor, and `ENTER` to visit it or, to emit it
    // once its operands are, where its operands' ids start on `exit_ids`.
    const ENTER: u32 = u32::MAX;
    let mut stack: SmallVec<[Tensor; 16]> = SmallVec::new();
    let mut frames: SmallVec<[u32; 16]> = SmallVec::new();
    let mut exit_ids: SmallVec<[usize; 16]> = SmallVec::new();
    for t in outputs.iter().rev() {
        stack.push(t.clone());
        frames.push(ENTER);
    }
    let emit =
        |t: Tensor, ids: SmallVec<[u32; 2]>, index: &mut IdIndex, nodes: &mut Vec<WalkNode>, h: &mut FoldHasher| {
            index.push(t.id());
            t.op().hash(h);
            hash_shape(h, &t);
            for &i in &ids {
                h.write_u32(i);
            }
            nodes.push(WalkNode { tensor: t, slot: None, operands: ids });
        };
    while let (Some(t), Some(frame)) = (stack.pop(), frames.pop()) {
        match frame {
            ENTER => {}
            // Its operands were all emitted since it was entered.
            start => {
                let mut ids = SmallVec::new();
                for id in &exit_ids[start as usize..] {
                    ids.push(index.get(id).expect("operands come first"));
                }
                exit_ids.truncate(start as usize);
                emit(t, ids, &mut index, &mut nodes, &mut h);
                continue;
            }
        }
        if index.contains_key(&t.id()) {
            continue;
        }
        let state = t.state();
        let operands = match &*state {
            NodeState::Ready(buf) => {
                let slot = np + inputs.len();
                inputs.push(buf.clone());
                drop(state);
                index.push(t.id());
                hash_input(&mut h, slot, &t);
                nodes.push(WalkNode { tensor: t, slot: Some(slot as u32), operands: SmallVec::new() });
                continue;
            }
            NodeState::Lazy(ops) => ops,
            NodeState::Donated => return Err(Error::Donated { shape: t.shape().clone() }),
        };
        if operands.is_empty() && t.is_placeholder_op() {
            return Err(Error::Unbound { shape: t.shape().clone(), note: t.note().map(str::to_string) });
        }
        // (An operand evaluated by another thread meanwhile is still indexed under its id.)
        let mut ids: SmallVec<[u32; 2]> = SmallVec::new();
        for o in operands {
            match index.get(&o.id()) {
                Some(i) => ids.push(i),
                None => break,
            }
        }
        if ids.len() == operands.len() {
            drop(state);
            emit(t, ids, &mut index, &mut nodes, &mut h);
            continue;
        }
        // Come back to it once the operands not seen yet are emitted (operand 0 first).
        let start = exit_ids.len() as u32;
        let mut pending: SmallVec<[Tensor; 3]> = SmallVec::new();
        for o in operands {
            exit_ids.push(o.id());
        }
        for o in operands.iter().rev() {
            if !index.contains_key(&o.id()) {
                pending.push(o.clone());
            }
        }
        drop(state);
        stack.push(t);
        frames.push(start);
        for o in pending {
            stack.push(o);
            frames.push(ENTER);
        }
    }
    let outs: SmallVec<[u32; 2]> =
        outputs.iter().map(|t| index.get(&t.id()).expect("every output was walked")).collect();
    outs.hash(&mut h);
    Ok(Walk { nodes, outputs: outs, fused, hash: h.finish(), inputs, num_placeholders: np })
}

/// Lowers the DAG reachable from `outputs` (see [`walk`]) to its key and inputs.
pub fn lower(outputs: &[Tensor], placeholders: &[Tensor], fused: bool) -> Result<Lowered> {
    let mut w = walk(outputs, placeholders, fused)?;
    Ok(Lowered { key: w.key(), inputs: std::mem::take(&mut w.inputs).into_vec(), num_placeholders: w.num_placeholders })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DType;

    fn evaluated(v: Vec<f32>) -> Tensor {
        let n = v.len();
        let t = Tensor::from_vec(v, [n]).unwrap();
        assert!(t.is_evaluated());
        t
    }

    /// Each walk matches its own key and no other: sharing, constants, ops, shapes, dtypes,
    /// output order and fusion all count, and buffers do not.
    #[test]
    fn a_walk_matches_exactly_the_keys_of_its_structure() {
        let (a, b) = (evaluated(vec![1.0, 2.0]), evaluated(vec![3.0, 4.0]));
        let a2 = evaluated(vec![5.0, 6.0]);
        let c = evaluated(vec![1.0, 2.0, 3.0]);
        let graphs: Vec<(Vec<Tensor>, bool)> = vec![
            (vec![(&a * &a).unwrap()], true),
            (vec![(&a * &b).unwrap()], true),
            (vec![(&a * &b).unwrap()], false),
            (vec![(&a + &b).unwrap()], true),
            (vec![(&a * 0.5).unwrap()], true),
            (vec![(&a * 0.7).unwrap()], true),
            (vec![(&c * 0.5).unwrap()], true),
            (vec![(&a * 0.5).unwrap().cast(DType::F64).unwrap()], true),
            (vec![(&a * &b).unwrap(), (&a + &b).unwrap()], true),
            (vec![(&a + &b).unwrap(), (&a * &b).unwrap()], true),
        ];
        let walks: Vec<Walk> = graphs.iter().map(|(o, f)| walk(o, &[], *f).unwrap()).collect();
        for (i, wi) in walks.iter().enumerate() {
            for (j, wj) in walks.iter().enumerate() {
                assert_eq!(wi.matches(&wj.key()), i == j, "walk {i} against key {j}");
            }
        }
        // Another buffer of the same shape, and a new build of the same expression: same key.
        let again = walk(&[(&a2 * &b).unwrap()], &[], true).unwrap();
        assert!(again.matches(&walks[1].key()));
        assert_eq!(again.hash, walks[1].hash);
    }
}
