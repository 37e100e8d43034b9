//! The [`Engine`]: a thread pool, a plan cache and the entry points that evaluate lazy tensors
//! fused or eagerly, or compile a graph with placeholders into an [`Executable`].
//!
//! An evaluation runs down the files in import order: here the [`PreparedEval`] walks the graph,
//! finds its plan (`plan_cache`) and lets inputs give up their buffers (`donation`);
//! `executable` runs the plan's kernels in order with the values in `slots`, and `kernel_run`
//! gives one kernel its buffers and runs it on the block executor; `config` holds the settings.

mod config;
mod convert;
mod donation;
mod executable;
mod kernel_run;
mod plan_cache;
mod slots;

pub use config::{last_level_cache_bytes, EngineConfig, DEFAULT_BLOCK, DEFAULT_MAP_BLOCK};
pub use executable::Executable;

use crate::cancel::Cancel;
use crate::kernel::Ctx;
use donation::donate_inputs;
use plan_cache::{CacheLimits, PlanCache};
use rusttorch_ir::tensor::{lower, walk, Walk};
use rusttorch_ir::{Buffer, Error, Result, Tensor};
use smallvec::SmallVec;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::RecvTimeoutError;
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::Duration;

/// Evaluates lazy tensors: owns a thread pool and a plan cache.
pub struct Engine {
    config: EngineConfig,
    pool: rayon::ThreadPool,
    cache: Mutex<PlanCache>,
}

static DEFAULT: OnceLock<RwLock<Arc<Engine>>> = OnceLock::new();

fn default_cell() -> &'static RwLock<Arc<Engine>> {
    DEFAULT.get_or_init(|| RwLock::new(Arc::new(Engine::with_config(EngineConfig::default()).expect("default engine"))))
}

impl Engine {
    /// An engine with `threads` workers and default settings.
    pub fn new(threads: usize) -> Result<Engine> {
        Engine::with_config(EngineConfig { threads, ..EngineConfig::default() })
    }

    /// An engine with the given settings.
    pub fn with_config(config: EngineConfig) -> Result<Engine> {
        if config.threads == 0 || config.block == 0 || config.map_block == 0 {
            return Err(Error::BadArgument { op: "Engine", reason: "threads and block size must be positive".into() });
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(config.threads)
            .thread_name(|i| format!("rusttorch-{i}"))
            .build()
            .map_err(|e| Error::Internal(format!("cannot start thread pool: {e}")))?;
        Ok(Engine { config, pool, cache: Mutex::new(PlanCache::default()) })
    }

    /// The process-wide default engine (all cores unless [`Engine::set_default_threads`]).
    pub fn default_engine() -> Arc<Engine> {
        default_cell().read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Replaces the default engine with one of `threads` workers (its other settings kept).
    pub fn set_default_threads(threads: usize) -> Result<()> {
        let config = EngineConfig { threads, ..Engine::default_engine().config.clone() };
        let e = Arc::new(Engine::with_config(config)?);
        *default_cell().write().unwrap_or_else(|e| e.into_inner()) = e;
        Ok(())
    }

    /// Worker threads.
    pub fn threads(&self) -> usize {
        self.config.threads
    }

    /// The settings.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Evaluates `tensors` fused, in one plan; each keeps its result buffer.
    pub fn eval(&self, tensors: &[Tensor]) -> Result<()> {
        self.eval_with(tensors, true)
    }

    /// Evaluates `tensors` eagerly: every op materialises its result (the baseline).
    pub fn eval_eager(&self, tensors: &[Tensor]) -> Result<()> {
        self.eval_with(tensors, false)
    }

    /// Evaluates fused (`fuse`) or eagerly.
    pub fn eval_with(&self, tensors: &[Tensor], fuse: bool) -> Result<()> {
        self.prepare(tensors, fuse)?.run()
    }

    /// Walks the graph of `tensors` without planning or running it: a caller holding a lock
    /// (Python's GIL) can then release it for large evaluations only.
    pub fn prepare(&self, tensors: &[Tensor], fuse: bool) -> Result<PreparedEval<'_>> {
        PreparedEval::new(self, tensors, fuse)
    }

    /// The plan `tensors` would be evaluated with (from the cache when present).
    pub fn plan_for(&self, tensors: &[Tensor], fuse: bool) -> Result<Arc<Executable>> {
        self.executable(&walk(tensors, &[], fuse)?)
    }

    /// Text of the optimized, fused plan of `tensors`.
    /// Data an op computed while building (a data-dependent shape: `nonzero`, masks, `unique`)
    /// is listed after the plan, as `note:` lines.
    pub fn explain(&self, tensors: &[Tensor]) -> Result<String> {
        Ok(with_notes(self.plan_for(tensors, true)?.explain(), tensors))
    }

    /// [`Engine::explain`] with, after each kernel, which tier ran it last and what the compiler
    /// did with it ([`crate::jit`]).
    pub fn explain_tiers(&self, tensors: &[Tensor]) -> Result<String> {
        Ok(with_notes(self.plan_for(tensors, true)?.explain_with_tiers(), tensors))
    }

    /// Compiles outputs over placeholders once; run it with [`Executable::run`].
    pub fn compile(&self, placeholders: &[Tensor], outputs: &[Tensor]) -> Result<Executable> {
        self.compile_with(placeholders, outputs, true)
    }

    /// Like [`Engine::compile`], fused or (`fuse == false`) as the eager op-by-op plan.
    pub fn compile_with(&self, placeholders: &[Tensor], outputs: &[Tensor], fuse: bool) -> Result<Executable> {
        let lowered = lower(outputs, placeholders, fuse)?;
        let mut exe = Executable::build(lowered.key, &self.config.fusion, self.config.jit)?;
        exe.bound = lowered.inputs;
        exe.num_placeholders = lowered.num_placeholders;
        Ok(exe)
    }

    /// The cached plan of `w`'s structure, planned now on a miss.
    fn executable(&self, w: &Walk) -> Result<Arc<Executable>> {
        if let Some(e) = self.cache().get(w) {
            return Ok(e);
        }
        let exe = Arc::new(Executable::build(w.key(), &self.config.fusion, self.config.jit)?);
        let mut cache = self.cache();
        // Another thread may have planned the same structure meanwhile.
        if let Some(e) = cache.get(w) {
            return Ok(e);
        }
        let limits = CacheLimits { plans: self.config.cache_capacity, nodes: self.config.cache_nodes };
        cache.insert(w.hash, exe.clone(), limits);
        Ok(exe)
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, PlanCache> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How the kernels of an evaluation run on this engine, stopping once `cancel` is set.
    fn ctx<'a>(&'a self, cancel: Option<&'a AtomicBool>) -> Ctx<'a> {
        let c = &self.config;
        Ctx { block: c.block, map_block: c.map_block, threads: c.threads, pool: Some(&self.pool), cancel }
    }

    /// Number of cached plans.
    pub fn cached_plans(&self) -> usize {
        self.cache().len()
    }

    /// Graph nodes held by the cached plans (bounded by [`EngineConfig::cache_nodes`]).
    pub fn cached_nodes(&self) -> usize {
        self.cache().nodes()
    }
}

/// `plan` followed by the notes of `tensors`' ops, one `note:` line each.
fn with_notes(mut plan: String, tensors: &[Tensor]) -> String {
    for n in Tensor::notes(tensors) {
        plan.push_str("note: ");
        plan.push_str(&n);
        plan.push('\n');
    }
    plan
}

/// Largest evaluation [`PreparedEval::is_small`] accepts: elements summed over the walked nodes.
pub const SMALL_EVAL_ELEMS: usize = 1 << 16;

/// An evaluation whose graph is walked, ready to find its plan (planning it on a cache miss)
/// and run ([`Engine::prepare`]).
pub struct PreparedEval<'a> {
    engine: &'a Engine,
    work: Option<Walk>,
    todo: SmallVec<[Tensor; 4]>,
}

impl<'a> PreparedEval<'a> {
    /// Walks the graph of `tensors` for `engine` ([`Engine::prepare`]).
    fn new(engine: &'a Engine, tensors: &[Tensor], fuse: bool) -> Result<PreparedEval<'a>> {
        let mut todo: SmallVec<[Tensor; 4]> = SmallVec::new();
        for t in tensors.iter().filter(|t| !t.is_evaluated()) {
            todo.push(t.clone());
        }
        if todo.is_empty() {
            return Ok(PreparedEval { engine, work: None, todo });
        }
        Ok(PreparedEval { engine, work: Some(walk_waiting(&todo, fuse)?), todo })
    }

    /// Whether the evaluation is a few microseconds of work: at most 64 nodes and
    /// [`SMALL_EVAL_ELEMS`] elements over them. Releasing a lock around it costs more than it
    /// lets other threads do (NumPy keeps the GIL below a similar size).
    pub fn is_small(&self) -> bool {
        self.work.as_ref().is_none_or(|w| {
            w.nodes.len() <= 64 && w.nodes.iter().map(|n| n.tensor.shape().numel()).sum::<usize>() <= SMALL_EVAL_ELEMS
        })
    }

    /// Finds the plan (planning it on a cache miss) and runs it; each tensor keeps its result
    /// buffer.
    pub fn run(self) -> Result<()> {
        self.run_with(None)
    }

    /// Like [`PreparedEval::run`], stopping with [`Error::Interrupted`] soon after `cancel` is
    /// set (see [`Cancel`] for what stays as it was).
    pub fn run_cancellable(self, cancel: &Cancel) -> Result<()> {
        self.run_with(Some(cancel.flag()))
    }

    /// Runs the evaluation on one of the engine's workers while the calling thread watches:
    /// about every `period` it calls `interrupt`, and once that returns `true` the evaluation
    /// is cancelled ([`Cancel`]) and waited for. Returns the evaluation's result
    /// ([`Error::Interrupted`] when it stopped early). Lets a caller that must poll for
    /// something (Python's signal handlers, which run only on the main thread) do so while
    /// a long evaluation runs.
    pub fn run_watched(self, period: Duration, mut interrupt: impl FnMut() -> bool) -> Result<()> {
        let cancel = Cancel::new();
        let (tx, rx) = std::sync::mpsc::channel();
        let engine = self.engine;
        engine.pool.in_place_scope(|s| {
            let c = &cancel;
            s.spawn(move |_| {
                let _ = tx.send(self.run_cancellable(c));
            });
            loop {
                match rx.recv_timeout(period) {
                    Ok(r) => return r,
                    Err(RecvTimeoutError::Timeout) => {
                        if !cancel.is_cancelled() && interrupt() {
                            cancel.cancel();
                        }
                    }
                    // The evaluation panicked: the scope raises its panic when it ends.
                    Err(RecvTimeoutError::Disconnected) => {
                        return Err(Error::Internal("the evaluation ended without a result".into()))
                    }
                }
            }
        })
    }

    fn run_with(self, cancel: Option<&AtomicBool>) -> Result<()> {
        let Some(mut w) = self.work else { return Ok(()) };
        let exe = self.engine.executable(&w)?;
        let inputs = std::mem::take(&mut w.inputs);
        let (donated, donors) = donate_inputs(&exe.donatable, &inputs, w, &self.todo);
        let mut outs = SmallVec::new();
        let mut unused = SmallVec::new();
        if let Err(e) = exe.run_bound(self.engine.ctx(cancel), inputs, &donated, &mut outs, &mut unused) {
            // A donated buffer no kernel wrote into goes back to its tensor, which stays readable.
            for (slot, b) in unused {
                if let Some((_, t)) = donors.iter().find(|(s, _)| *s == slot) {
                    t.restore_donated(b);
                }
            }
            return Err(e);
        }
        for (t, b) in self.todo.iter().zip(outs) {
            t.set_buffer(b)?;
        }
        Ok(())
    }
}

/// [`walk`], waiting while a tensor of the graph is being updated in place by another
/// evaluation (its buffer donated): once that evaluation stores its result, the walk stops at
/// the updated tensor. Gives up with [`Error::Donated`] after about a second.
fn walk_waiting(outputs: &[Tensor], fuse: bool) -> Result<Walk> {
    let mut start = None;
    loop {
        match walk(outputs, &[], fuse) {
            Err(Error::Donated { .. })
                if start.get_or_insert_with(std::time::Instant::now).elapsed() < std::time::Duration::from_secs(1) =>
            {
                std::thread::sleep(std::time::Duration::from_micros(50))
            }
            other => return other,
        }
    }
}

// Beside the engine it runs on, so that `executable.rs` needs to know only the block executor.
impl Executable {
    /// Runs with `inputs` bound to the placeholders, in order; returns the output buffers.
    pub fn run(&self, engine: &Engine, inputs: &[Buffer]) -> Result<Vec<Buffer>> {
        if inputs.len() != self.num_placeholders {
            return Err(Error::BadInput {
                index: inputs.len(),
                reason: format!("expected {} inputs, got {}", self.num_placeholders, inputs.len()),
            });
        }
        let all = inputs.iter().chain(&self.bound).cloned();
        let mut outs = SmallVec::new();
        self.run_bound(engine.ctx(None), all, &[], &mut outs, &mut SmallVec::new())?;
        Ok(outs.into_vec())
    }
}
