//! [`Executable`]: a planned graph with its per-kernel run data, run on bound input buffers.

use super::kernel_run::{run_one, KernelRun};
use super::slots::{AnyVec, Slot};
use crate::cancel::is_set;
use crate::jit::{JitMode, KernelTier, TierReport};
use crate::kernel::{Access, Ctx};
use rusttorch_ir::fusion::{graph_to_dot, FusionConfig, FusionPlanner};
use rusttorch_ir::graph::{Graph, GraphKey};
use rusttorch_ir::passes::{default_passes, LegalizeViews, Pass, PassManager};
use rusttorch_ir::plan::{Donor, Plan, ValueKind};
use rusttorch_ir::{Buffer, DType, Error, Result};
use smallvec::SmallVec;
use std::num::Wrapping;

/// The graph of `key`, optimized by the default passes: what the planner plans.
fn optimized(key: &GraphKey) -> Result<Graph> {
    let mut g = key.to_graph();
    PassManager::default().run(&mut g)?;
    Ok(g)
}

/// A compiled plan: runs with new input buffers without re-planning.
pub struct Executable {
    /// The structure it was planned for (checked on every cache hit).
    key: GraphKey,
    plan: Plan,
    /// Per kernel, how each input is read (precomputed once).
    access: Vec<Vec<Access>>,
    /// Per kernel, its compiled code (when it has some) and which tier ran it last.
    tiers: Vec<KernelTier>,
    /// The engine's setting: when kernels are compiled.
    jit: JitMode,
    /// Per kernel, the intermediates whose last reader it is.
    dies_after: Vec<Vec<usize>>,
    /// The input slots some kernel may write into when their buffers are donated.
    pub(super) donatable: Vec<usize>,
    /// Buffers captured at compile time (evaluated tensors), bound after the placeholders.
    pub(super) bound: Vec<Buffer>,
    pub(super) num_placeholders: usize,
}

impl Executable {
    /// Builds the graph of `key`, optimizes it and plans it with `fusion` (its `fuse` flag taken
    /// from the key); its elementwise kernels are compiled as `jit` says.
    pub(super) fn build(key: GraphKey, fusion: &FusionConfig, jit: JitMode) -> Result<Executable> {
        let g = optimized(&key)?;
        let fusion = FusionConfig { fuse: key.fused, ..fusion.clone() };
        let plan = FusionPlanner::new(fusion).plan(&g)?;
        let access: Vec<Vec<Access>> = plan.kernels.iter().map(|k| k.inputs.iter().map(Access::of).collect()).collect();
        let tiers = plan.kernels.iter().map(|_| KernelTier::default()).collect();
        let dies_after = plan.dies_after();
        let donatable = (plan.kernels.iter())
            .flat_map(|k| k.donors.iter().map(|d| k.inputs[d.input as usize].value))
            .filter_map(|v| match plan.values[v].kind {
                ValueKind::Input(s) => Some(s),
                _ => None,
            })
            .collect();
        Ok(Executable { key, plan, access, tiers, jit, dies_after, donatable, bound: Vec::new(), num_placeholders: 0 })
    }

    /// The structure the plan was made for.
    pub(crate) fn key(&self) -> &GraphKey {
        &self.key
    }

    /// The plan.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Text of the plan: kernels, ops, inputs/outputs and bytes moved.
    pub fn explain(&self) -> String {
        self.plan.explain()
    }

    /// Per kernel, which tier ran it last and what the compiler did with it.
    pub fn tiers(&self) -> Vec<TierReport> {
        self.tiers.iter().map(|t| t.report(self.jit)).collect()
    }

    /// [`Executable::explain`] with each kernel's [`TierReport`] after its lines.
    pub fn explain_with_tiers(&self) -> String {
        self.plan.explain_with(|k| self.tiers.get(k).map(|t| t.report(self.jit).to_string()))
    }

    /// Graphviz DOT of the optimized graph before fusion (without the copies `legalize_views`
    /// adds for the planner), then after (kernels as clusters). Rendered on demand: the graphs
    /// are built and optimized again from the plan's key.
    pub fn to_dot(&self) -> Result<String> {
        let mut before = self.key.to_graph();
        let rewrites = default_passes().into_iter().filter(|p| p.name() != LegalizeViews.name()).collect();
        PassManager::new(rewrites).run(&mut before)?;
        let after = optimized(&self.key)?;
        Ok(format!("// before fusion\n{}\n// after fusion\n{}", graph_to_dot(&before), self.plan.to_dot(&after)))
    }

    /// Number of fused kernels.
    pub fn num_kernels(&self) -> usize {
        self.plan.kernels.len()
    }

    /// Runs the plan on `inputs` (by slot) with the engine's `ctx`. `donated[i]` says that input
    /// `i`'s buffer is ours alone (its tensor gave it up): a kernel that is its last reader may
    /// write into it. The run stops with [`Error::Interrupted`] once `ctx.cancel` is set; on any
    /// error, the donated buffers no kernel wrote into are left in `unused` (by input slot).
    pub(super) fn run_bound(
        &self,
        ctx: Ctx<'_>,
        inputs_given: impl IntoIterator<Item = Buffer>,
        donated: &[bool],
        outs: &mut SmallVec<[Buffer; 2]>,
        unused: &mut SmallVec<[(usize, Buffer); 1]>,
    ) -> Result<()> {
        let plan = &self.plan;
        let _compile_after = crate::jit::SubmitAfterRun;
        // (SmallVecs here and below: a small evaluation should not spend its time in malloc.)
        let mut slots: SmallVec<[Slot; 16]> = SmallVec::new();
        slots.resize_with(plan.values.len(), || Slot::Empty);
        let mut inputs: SmallVec<[Option<Buffer>; 8]> = SmallVec::new();
        for b in inputs_given {
            inputs.push(Some(b));
        }
        for (v, val) in plan.values.iter().enumerate() {
            if let ValueKind::Input(i) = val.kind {
                let b = inputs
                    .get_mut(i)
                    .and_then(Option::take)
                    .ok_or_else(|| Error::Internal(format!("input slot {i} unbound")))?;
                if b.len() != val.shape.numel() || b.dtype() != val.dtype {
                    return Err(Error::BadInput {
                        index: i,
                        reason: format!(
                            "buffer of {} x {} does not fit shape {} of {}",
                            b.len(),
                            b.dtype(),
                            val.shape,
                            val.dtype
                        ),
                    });
                }
                slots[v] = Slot::Shared(b);
            }
        }
        let dies_after = &self.dies_after;
        let mut free: Vec<AnyVec> = Vec::new();
        let mut ctx = ctx;
        // On an error, the donated inputs still unread by their kernels are handed back.
        let mut fail = |e: Error, slots: &mut [Slot]| {
            for (v, val) in plan.values.iter().enumerate() {
                match (&val.kind, &mut slots[v]) {
                    (ValueKind::Input(i), slot @ Slot::Shared(_)) if donated.get(*i) == Some(&true) => {
                        if let Slot::Shared(b) = std::mem::replace(slot, Slot::Empty) {
                            unused.push((*i, b));
                        }
                    }
                    _ => {}
                }
            }
            e
        };
        for (ki, k) in plan.kernels.iter().enumerate() {
            if is_set(ctx.cancel) {
                return Err(fail(Error::Interrupted, &mut slots));
            }
            let access = &self.access[ki];
            // Per output, the first candidate whose buffer is ours.
            let mut donors: SmallVec<[Donor; 1]> = SmallVec::new();
            for d in &k.donors {
                let given = match plan.values[k.inputs[d.input as usize].value].kind {
                    ValueKind::Input(s) => donated.get(s) == Some(&true),
                    // An intermediate the planner gave away: only this kernel reads it.
                    ValueKind::Kernel(_) => true,
                    ValueKind::View { .. } => false,
                };
                if given && !donors.iter().any(|e| e.output == d.output) {
                    donors.push(*d);
                }
            }
            // Writing into a donated input destroys its old value: from here on the evaluation
            // can only be finished, not abandoned.
            if !donors.is_empty() {
                ctx.cancel = None;
            }
            let tier = &self.tiers[ki];
            let code = tier.ready(plan, k, access, self.jit);
            let run = KernelRun { ctx, plan, k, access, donors: &donors, tier, code };
            let ran = match k.dtype {
                DType::F32 => run_one::<f32>(run, &mut slots, &mut free),
                DType::F64 => run_one::<f64>(run, &mut slots, &mut free),
                DType::I32 => run_one::<Wrapping<i32>>(run, &mut slots, &mut free),
                DType::I64 => run_one::<Wrapping<i64>>(run, &mut slots, &mut free),
                DType::U64 => run_one::<Wrapping<u64>>(run, &mut slots, &mut free),
                d => Err(Error::UnsupportedDType { op: "kernel", dtype: d }),
            };
            match ran {
                Err(e) => return Err(fail(e, &mut slots)),
                // Skipped tasks left the kernel's outputs incomplete.
                Ok(()) if is_set(ctx.cancel) => return Err(fail(Error::Interrupted, &mut slots)),
                Ok(()) => {}
            }
            // Intermediates whose last reader just ran go back to the free list.
            for &v in &dies_after[ki] {
                if let Slot::Owned(vec) = std::mem::replace(&mut slots[v], Slot::Empty) {
                    free.push(vec);
                }
            }
        }
        let mut done: SmallVec<[(usize, Buffer); 2]> = SmallVec::new();
        for &o in &plan.outputs {
            let r = plan.base(o);
            if let Some((_, b)) = done.iter().find(|(v, _)| *v == r) {
                outs.push(b.clone());
                continue;
            }
            let b = match std::mem::replace(&mut slots[r], Slot::Empty) {
                Slot::Shared(b) => b,
                Slot::Owned(v) => v.into_buffer(),
                Slot::Empty => return Err(Error::Internal(format!("output value v{r} was not computed"))),
            };
            slots[r] = Slot::Shared(b.clone());
            done.push((r, b.clone()));
            outs.push(b);
        }
        Ok(())
    }
}
