//! The engine's plan cache: compiled plans by graph structure, least recently used first out,
//! bounded both in plans and in the graph nodes they hold.

use super::executable::Executable;
use hashbrown::HashMap;
use rusttorch_ir::tensor::Walk;
use smallvec::SmallVec;
use std::sync::Arc;

/// Bounds of a [`PlanCache`].
#[derive(Clone, Copy, Debug)]
pub(super) struct CacheLimits {
    /// Plans kept.
    pub plans: usize,
    /// Graph nodes kept over all plans (a plan holds its graph's key and per-node plan data,
    /// a few hundred bytes a node).
    pub nodes: usize,
}

struct Entry {
    exe: Arc<Executable>,
    /// The cache's clock when the plan was last looked up.
    used: u64,
}

/// Plans by [`Walk::hash`]; a bucket holds the plans of distinct structures with that hash.
#[derive(Default)]
pub(super) struct PlanCache {
    map: HashMap<u64, SmallVec<[Entry; 1]>>,
    clock: u64,
    plans: usize,
    nodes: usize,
}

impl PlanCache {
    /// The plan of `w`'s structure, marked as just used.
    pub fn get(&mut self, w: &Walk) -> Option<Arc<Executable>> {
        self.clock += 1;
        let e = self.map.get_mut(&w.hash)?.iter_mut().find(|e| w.matches(e.exe.key()))?;
        e.used = self.clock;
        Some(e.exe.clone())
    }

    /// Adds `exe` (the plan of a structure hashing to `hash`), first evicting the least
    /// recently used plans until it fits `limits`. A plan larger than the node bound alone is
    /// still kept (by itself), so repeating one huge evaluation does not plan it again.
    pub fn insert(&mut self, hash: u64, exe: Arc<Executable>, limits: CacheLimits) {
        let size = exe.key().nodes.len();
        while self.plans > 0 && (self.plans >= limits.plans.max(1) || self.nodes + size > limits.nodes) {
            self.evict_oldest();
        }
        self.clock += 1;
        self.plans += 1;
        self.nodes += size;
        self.map.entry(hash).or_default().push(Entry { exe, used: self.clock });
    }

    /// Drops the least recently used plan (a scan: eviction follows a miss, which plans a
    /// graph, far dearer than looking at a few hundred entries).
    fn evict_oldest(&mut self) {
        let Some((&hash, i)) = self
            .map
            .iter()
            .flat_map(|(h, b)| b.iter().enumerate().map(move |(i, e)| (h, i, e.used)))
            .min_by_key(|&(_, _, used)| used)
            .map(|(h, i, _)| (h, i))
        else {
            return;
        };
        let bucket = self.map.get_mut(&hash).expect("bucket found above");
        let e = bucket.remove(i);
        if bucket.is_empty() {
            self.map.remove(&hash);
        }
        self.plans -= 1;
        self.nodes -= e.exe.key().nodes.len();
    }

    /// Number of plans.
    pub fn len(&self) -> usize {
        self.plans
    }

    /// Graph nodes held over all plans.
    pub fn nodes(&self) -> usize {
        self.nodes
    }
}
