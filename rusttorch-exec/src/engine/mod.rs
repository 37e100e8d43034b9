//! The [`Engine`]: a thread pool, a plan cache and the entry points that evaluate lazy tensors
//! fused or eagerly, or compile a graph with placeholders into an [`Executable`].
//!
//! An evaluation runs down the files in import order: `prepared` (walk, find the plan, donate
//! inputs: `donation`) -> `executable` (the plan's kernels in order, values in `slots`) ->
//! `kernel_run` (one kernel's buffers, then the block executor); `config` holds the settings.

mod config;
mod donation;
mod executable;
mod kernel_run;
mod prepared;
mod slots;

pub use config::{EngineConfig, DEFAULT_BLOCK, DEFAULT_MAP_BLOCK};
pub use executable::Executable;
pub use prepared::{PreparedEval, SMALL_EVAL_ELEMS};

use crate::plan_cache::{CacheLimits, PlanCache};
use rusttorch_ir::tensor::{lower, walk, Walk};
use rusttorch_ir::{Error, Result, Tensor};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

/// Evaluates lazy tensors: owns a thread pool and a plan cache.
pub struct Engine {
    config: EngineConfig,
    pub(super) pool: rayon::ThreadPool,
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

    /// Replaces the default engine with one of `threads` workers.
    pub fn set_default_threads(threads: usize) -> Result<()> {
        let e = Arc::new(Engine::new(threads)?);
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
    pub fn explain(&self, tensors: &[Tensor]) -> Result<String> {
        Ok(self.plan_for(tensors, true)?.explain())
    }

    /// Compiles outputs over placeholders once; run it with [`Executable::run`].
    pub fn compile(&self, placeholders: &[Tensor], outputs: &[Tensor]) -> Result<Executable> {
        self.compile_with(placeholders, outputs, true)
    }

    /// Like [`Engine::compile`], fused or (`fuse == false`) as the eager op-by-op plan.
    pub fn compile_with(&self, placeholders: &[Tensor], outputs: &[Tensor], fuse: bool) -> Result<Executable> {
        let lowered = lower(outputs, placeholders, fuse)?;
        let mut exe = Executable::build(lowered.key, &self.config.fusion)?;
        exe.bound = lowered.inputs;
        exe.num_placeholders = lowered.num_placeholders;
        Ok(exe)
    }

    /// The cached plan of `w`'s structure, planned now on a miss.
    fn executable(&self, w: &Walk) -> Result<Arc<Executable>> {
        if let Some(e) = self.cache().get(w) {
            return Ok(e);
        }
        let exe = Arc::new(Executable::build(w.key(), &self.config.fusion)?);
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

    /// Number of cached plans.
    pub fn cached_plans(&self) -> usize {
        self.cache().len()
    }

    /// Graph nodes held by the cached plans (bounded by [`EngineConfig::cache_nodes`]).
    pub fn cached_nodes(&self) -> usize {
        self.cache().nodes()
    }
}
