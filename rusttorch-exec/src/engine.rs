//! The [`Engine`]: a thread pool, a plan cache and the entry points that evaluate lazy tensors
//! fused or eagerly, or compile a graph with placeholders into an [`Executable`].

use crate::cancel::{is_set, Cancel};
use crate::kernel::{run_arg, run_kernel, run_matmul, Access, Ctx, KernelIo, MatMulIo, OutPtr};
use crate::num::Num;
use crate::plan_cache::{CacheLimits, PlanCache};
use rusttorch_ir::alloc::PooledVec;
use rusttorch_ir::fusion::{graph_to_dot, FusionConfig, FusionPlanner};
use rusttorch_ir::graph::{Graph, GraphKey};
use rusttorch_ir::passes::{default_passes, LegalizeViews, Pass, PassManager};
use rusttorch_ir::plan::{FusedKernel, Instr, KernelShape, Operand, Plan, ValueKind};
use rusttorch_ir::tensor::{lower, walk, Walk};
use rusttorch_ir::{Buffer, DType, Error, Result, Tensor};
use smallvec::SmallVec;
use std::num::Wrapping;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::RecvTimeoutError;
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::Duration;

/// Default elements per block of kernels with reductions: 1024 f32 = 4 KiB per register, so a
/// kernel's live registers stay in L1/L2 (see docs/architecture.md for the measurements).
pub const DEFAULT_BLOCK: usize = 1024;

/// Default elements per block of purely elementwise kernels, counted in 4-byte elements (2 KiB
/// per register; 8-byte types get half as many): W1 and W2 measured fastest there, 1.1-1.3x
/// faster than 128 or 1024 (docs/architecture.md).
pub const DEFAULT_MAP_BLOCK: usize = 512;

/// Engine settings.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// Worker threads (its own rayon pool).
    pub threads: usize,
    /// Elements per block (kernels with reductions, matmul epilogues, tiles).
    pub block: usize,
    /// Elements per block of purely elementwise kernels, for 4-byte types; scaled to the same
    /// bytes for other widths (256 f64 for 512).
    pub map_block: usize,
    /// Fusion knobs.
    pub fusion: FusionConfig,
    /// Plans kept in the cache (least recently used evicted first).
    pub cache_capacity: usize,
    /// Graph nodes kept in the cache over all its plans: a program building ever new large
    /// graphs holds at most this many nodes' plans (a few hundred bytes a node).
    pub cache_nodes: usize,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            threads: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            block: DEFAULT_BLOCK,
            map_block: DEFAULT_MAP_BLOCK,
            fusion: FusionConfig::default(),
            cache_capacity: 256,
            cache_nodes: 1 << 20,
        }
    }
}

/// A compiled plan: runs with new input buffers without re-planning.
pub struct Executable {
    /// The structure it was planned for (checked on every cache hit).
    key: GraphKey,
    plan: Plan,
    /// Per kernel, how each input is read (precomputed once).
    access: Vec<Vec<Access>>,
    /// Per kernel, the intermediates whose last reader it is.
    dies_after: Vec<Vec<usize>>,
    /// Per kernel, the input whose buffer may hold its output (buffer donation).
    donors: Vec<Option<u16>>,
    /// The input slots some kernel may write into when their buffers are donated.
    donatable: Vec<usize>,
    /// Buffers captured at compile time (evaluated tensors), bound after the placeholders.
    bound: Vec<Buffer>,
    num_placeholders: usize,
}

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
        let mut todo: SmallVec<[Tensor; 4]> = SmallVec::new();
        for t in tensors.iter().filter(|t| !t.is_evaluated()) {
            todo.push(t.clone());
        }
        if todo.is_empty() {
            return Ok(PreparedEval { engine: self, work: None, todo });
        }
        Ok(PreparedEval { engine: self, work: Some(walk_waiting(&todo, fuse)?), todo })
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
        let mut exe = self.build(lowered.key)?;
        exe.bound = lowered.inputs;
        exe.num_placeholders = lowered.num_placeholders;
        Ok(exe)
    }

    /// The cached plan of `w`'s structure, planned now on a miss.
    fn executable(&self, w: &Walk) -> Result<Arc<Executable>> {
        if let Some(e) = self.cache().get(w) {
            return Ok(e);
        }
        let exe = Arc::new(self.build(w.key())?);
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

    /// Builds the graph, optimizes it and plans it.
    fn build(&self, key: GraphKey) -> Result<Executable> {
        let g = optimized(&key)?;
        let fusion = FusionConfig { fuse: key.fused, ..self.config.fusion.clone() };
        let plan = FusionPlanner::new(fusion).plan(&g)?;
        let access: Vec<Vec<Access>> = plan.kernels.iter().map(|k| k.inputs.iter().map(Access::of).collect()).collect();
        let dies_after = plan.dies_after();
        let donors = donor_inputs(&plan, &access);
        let donatable = (plan.kernels.iter().zip(&donors))
            .filter_map(|(k, d)| match plan.values[k.inputs[(*d)? as usize].value].kind {
                ValueKind::Input(s) => Some(s),
                _ => None,
            })
            .collect();
        Ok(Executable { key, plan, access, dies_after, donors, donatable, bound: Vec::new(), num_placeholders: 0 })
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

/// Largest evaluation [`PreparedEval::is_small`] accepts: elements summed over the walked nodes.
pub const SMALL_EVAL_ELEMS: usize = 1 << 16;

/// An evaluation whose graph is walked and planned, ready to run ([`Engine::prepare`]).
pub struct PreparedEval<'a> {
    engine: &'a Engine,
    work: Option<Walk>,
    todo: SmallVec<[Tensor; 4]>,
}

impl PreparedEval<'_> {
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
        let (donated, donors) = donate_inputs(&exe, &inputs, w, &self.todo);
        let mut outs = SmallVec::new();
        let mut unused = SmallVec::new();
        if let Err(e) = exe.run_bound(self.engine, inputs, &donated, cancel, &mut outs, &mut unused) {
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

/// A value's storage while a plan runs.
enum Slot {
    Empty,
    Shared(Buffer),
    Owned(AnyVec),
}

/// A typed, owned vector.
enum AnyVec {
    F32(PooledVec<f32>),
    F64(PooledVec<f64>),
    I32(PooledVec<Wrapping<i32>>),
    I64(PooledVec<Wrapping<i64>>),
    Bool(PooledVec<bool>),
}

macro_rules! each_vec {
    ($v:expr, $x:ident => $e:expr) => {
        match $v {
            AnyVec::F32($x) => $e,
            AnyVec::F64($x) => $e,
            AnyVec::I32($x) => $e,
            AnyVec::I64($x) => $e,
            AnyVec::Bool($x) => $e,
        }
    };
}

impl AnyVec {
    fn len(&self) -> usize {
        each_vec!(self, v => v.len())
    }
    fn dtype(&self) -> DType {
        match self {
            AnyVec::F32(_) => DType::F32,
            AnyVec::F64(_) => DType::F64,
            AnyVec::I32(_) => DType::I32,
            AnyVec::I64(_) => DType::I64,
            AnyVec::Bool(_) => DType::Bool,
        }
    }
    fn into_buffer(self) -> Buffer {
        each_vec!(self, v => Buffer::from_pooled(v))
    }
}

/// A stored value's elements, typed.
enum AnySlice<'a> {
    F32(&'a [f32]),
    F64(&'a [f64]),
    I32(&'a [Wrapping<i32>]),
    I64(&'a [Wrapping<i64>]),
    /// Bool bytes (any non-zero byte reads as true).
    Bool(&'a [u8]),
}

impl<'a> AnySlice<'a> {
    fn of(slot: &'a Slot) -> Result<AnySlice<'a>> {
        Ok(match slot {
            Slot::Shared(b) => match b.dtype() {
                DType::F32 => AnySlice::F32(b.as_slice()?),
                DType::F64 => AnySlice::F64(b.as_slice()?),
                DType::I32 => AnySlice::I32(b.as_slice()?),
                DType::I64 => AnySlice::I64(b.as_slice()?),
                // SAFETY: a bool buffer holds `len` initialised bytes that live as long as `b`.
                DType::Bool => AnySlice::Bool(unsafe { std::slice::from_raw_parts(b.as_ptr(), b.len()) }),
            },
            Slot::Owned(AnyVec::F32(v)) => AnySlice::F32(v),
            Slot::Owned(AnyVec::F64(v)) => AnySlice::F64(v),
            Slot::Owned(AnyVec::I32(v)) => AnySlice::I32(v),
            Slot::Owned(AnyVec::I64(v)) => AnySlice::I64(v),
            // SAFETY: `bool` is one byte holding 0 or 1, a valid `u8`; the borrow keeps `v` alive.
            Slot::Owned(AnyVec::Bool(v)) => {
                AnySlice::Bool(unsafe { std::slice::from_raw_parts(v.as_ptr() as *const u8, v.len()) })
            }
            Slot::Empty => return Err(Error::Internal("kernel input is missing".into())),
        })
    }

    /// The elements converted to `T` with cast semantics (float to int saturates, NaN is 0,
    /// int64 to int32 wraps, bools are 0/1).
    fn convert<T: Num>(&self) -> Vec<T> {
        match *self {
            AnySlice::F32(v) => v.iter().map(|&x| T::from_f64(x as f64)).collect(),
            AnySlice::F64(v) => v.iter().map(|&x| T::from_f64(x)).collect(),
            AnySlice::I32(v) => v.iter().map(|&x| T::from_i64(x.0 as i64)).collect(),
            AnySlice::I64(v) => v.iter().map(|&x| T::from_i64(x.0)).collect(),
            AnySlice::Bool(v) => v.iter().map(|&x| if x != 0 { T::ONE } else { T::ZERO }).collect(),
        }
    }
}

/// The graph of `key`, optimized by the default passes: what the planner plans.
fn optimized(key: &GraphKey) -> Result<Graph> {
    let mut g = key.to_graph();
    PassManager::default().run(&mut g)?;
    Ok(g)
}

/// For each kernel, the input whose buffer may become its output when donated: the kernel is
/// elementwise with one output of the input's dtype and size, reads the input once,
/// contiguously and in the same order as it writes (so each block is read before it is
/// overwritten), is the input's last reader, and the input is a graph input, not an output.
fn donor_inputs(plan: &Plan, access: &[Vec<Access>]) -> Vec<Option<u16>> {
    let last_use = plan.last_use();
    let outputs: Vec<usize> = plan.outputs.iter().map(|&o| plan.base(o)).collect();
    plan.kernels
        .iter()
        .enumerate()
        .map(|(ki, k)| {
            let simple = k.matmul.is_none()
                && matches!(k.shape, KernelShape::Rows { row_len: 1, .. })
                && k.stages.len() == 1
                && k.stages[0].reduces.is_empty()
                && k.outputs.len() == 1
                && plan.values[k.outputs[0].value].dtype == k.dtype
                // No transposed reads (those run as 2-d tiles, which read inputs in another order).
                && !access[ki].iter().any(|a| matches!(a, Access::Strided { .. }));
            if !simple {
                return None;
            }
            let out = &plan.values[k.outputs[0].value];
            k.inputs.iter().enumerate().find_map(|(i, input)| {
                let v = input.value;
                let val = &plan.values[v];
                let ok = matches!(val.kind, ValueKind::Input(_))
                    && val.dtype == k.dtype
                    && val.shape.numel() == out.shape.numel()
                    && input.read_shape.numel() == out.shape.numel()
                    && matches!(access[ki][i], Access::Contiguous { offset: 0 })
                    && k.inputs.iter().filter(|j| j.value == v).count() == 1
                    && last_use[v] == ki
                    && !outputs.contains(&v)
                    // The store must come from a computed register, never straight from the
                    // donated input's own (aliased) load.
                    && k.stages[0].full.iter().all(|ins| match ins {
                        Instr::Store { src: Operand::Reg(r), .. } => !k.stages[0].full.iter().any(
                            |l| matches!(l, Instr::Load { dst, input } if dst == r && *input as usize == i),
                        ),
                        _ => true,
                    });
                ok.then_some(i as u16)
            })
        })
        .collect()
}

/// Typed access to slots.
trait SlotType: Num {
    fn slice(slot: &Slot) -> Result<&[Self]>;
    fn wrap(v: PooledVec<Self>) -> AnyVec;
    fn unwrap(v: AnyVec) -> Option<PooledVec<Self>>;
}

macro_rules! slot_type {
    ($t:ty, $var:ident) => {
        impl SlotType for $t {
            fn slice(slot: &Slot) -> Result<&[Self]> {
                match slot {
                    Slot::Shared(b) => b.as_slice::<$t>(),
                    Slot::Owned(AnyVec::$var(v)) => Ok(v),
                    _ => Err(Error::Internal("kernel input is missing or of another dtype".into())),
                }
            }
            fn wrap(v: PooledVec<Self>) -> AnyVec {
                AnyVec::$var(v)
            }
            fn unwrap(v: AnyVec) -> Option<PooledVec<Self>> {
                match v {
                    AnyVec::$var(v) => Some(v),
                    _ => None,
                }
            }
        }
    };
}
slot_type!(f32, F32);
slot_type!(f64, F64);
slot_type!(Wrapping<i32>, I32);
slot_type!(Wrapping<i64>, I64);

impl Executable {
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
        self.run_bound(engine, all, &[], None, &mut outs, &mut SmallVec::new())?;
        Ok(outs.into_vec())
    }

    /// Runs the plan on `inputs` (by slot). `donated[i]` says that input `i`'s buffer is ours
    /// alone (its tensor gave it up): a kernel that is its last reader may write into it. The
    /// run stops with [`Error::Interrupted`] once `cancel` is set; on any error, the donated
    /// buffers no kernel wrote into are left in `unused` (by input slot).
    fn run_bound(
        &self,
        engine: &Engine,
        inputs_given: impl IntoIterator<Item = Buffer>,
        donated: &[bool],
        cancel: Option<&AtomicBool>,
        outs: &mut SmallVec<[Buffer; 2]>,
        unused: &mut SmallVec<[(usize, Buffer); 1]>,
    ) -> Result<()> {
        let plan = &self.plan;
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
        let mut cancel = cancel;
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
            if is_set(cancel) {
                return Err(fail(Error::Interrupted, &mut slots));
            }
            let access = &self.access[ki];
            let donor = self.donors[ki].filter(|&i| {
                matches!(plan.values[k.inputs[i as usize].value].kind, ValueKind::Input(s) if donated.get(s) == Some(&true))
            });
            // Writing into a donated input destroys its old value: from here on the evaluation
            // can only be finished, not abandoned.
            if donor.is_some() {
                cancel = None;
            }
            let run = KernelRun { engine, plan, k, access, donor, cancel };
            let ran = match k.dtype {
                DType::F32 => run_one::<f32>(run, &mut slots, &mut free),
                DType::F64 => run_one::<f64>(run, &mut slots, &mut free),
                DType::I32 => run_one::<Wrapping<i32>>(run, &mut slots, &mut free),
                DType::I64 => run_one::<Wrapping<i64>>(run, &mut slots, &mut free),
                d => Err(Error::UnsupportedDType { op: "kernel", dtype: d }),
            };
            match ran {
                Err(e) => return Err(fail(e, &mut slots)),
                // Skipped tasks left the kernel's outputs incomplete.
                Ok(()) if is_set(cancel) => return Err(fail(Error::Interrupted, &mut slots)),
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

/// Buffer donation: which of the evaluated inputs (`buffers` of `w`'s input tensors, by slot) give their
/// buffers to the evaluation of `outputs`. An evaluated input qualifies when a kernel may write into it (`exe.donatable`),
/// only `outputs` can still reach it (`t += x` rebinding `t`), and nobody else holds its buffer;
/// it then gives the buffer up under its lock ([`Tensor::donate_buffer`]). Returns the flags by
/// slot and the tensors that gave their buffers.
fn donate_inputs(exe: &Executable, buffers: &[Buffer], w: Walk, outputs: &[Tensor]) -> (SmallVec<[bool; 8]>, Donors) {
    let mut donated = SmallVec::from_elem(false, buffers.len());
    let mut donors = Donors::new();
    if exe.donatable.is_empty() {
        return (donated, donors);
    }
    // Handles on a candidate: its consumer's operand list and the walk's.
    if !exe.donatable.iter().any(|&slot| w.input_tensor(slot).is_some_and(|t| t.handle_count() == 2)) {
        return (donated, donors);
    }
    // Only the walk's handles on evaluated tensors stay while the lazy nodes' are counted.
    let tensors = w.into_input_tensors();
    let candidate = |&slot: &usize| tensors.get(slot).is_some_and(|t| t.handle_count() == 2);
    let exclusive = Tensor::exclusively_consumed(outputs, 1);
    for &slot in exe.donatable.iter().filter(|s| candidate(s)) {
        if exclusive.contains(&tensors[slot].id()) && tensors[slot].donate_buffer(&buffers[slot]) {
            donated[slot] = true;
            donors.push((slot, tensors[slot].clone()));
        }
    }
    (donated, donors)
}

/// The tensors that gave their buffers to an evaluation, by input slot.
type Donors = SmallVec<[(usize, Tensor); 1]>;

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

/// One kernel to run, and where its context comes from.
#[derive(Clone, Copy)]
struct KernelRun<'a> {
    engine: &'a Engine,
    plan: &'a Plan,
    k: &'a FusedKernel,
    access: &'a [Access],
    /// The input whose (donated) buffer becomes the output.
    donor: Option<u16>,
    /// Stops the kernel's remaining tasks when set.
    cancel: Option<&'a AtomicBool>,
}

fn run_one<T: SlotType>(run: KernelRun<'_>, slots: &mut [Slot], free: &mut Vec<AnyVec>) -> Result<()> {
    let KernelRun { engine, plan, k, access, donor, cancel } = run;
    // A donated input's memory becomes output 0 when it is ours alone and of type `T`.
    let mut outs: SmallVec<[PooledVec<T>; 2]> = SmallVec::new();
    let mut donor_input = None;
    if let Some(i) = donor {
        let v = k.inputs[i as usize].value;
        if let Slot::Shared(b) = std::mem::replace(&mut slots[v], Slot::Empty) {
            match b.try_into_pooled::<T>() {
                Ok(vec) => {
                    outs.push(vec);
                    donor_input = Some(i);
                }
                Err(b) => slots[v] = Slot::Shared(b),
            }
        }
    }
    // Allocate outputs (reusing freed intermediates of the same dtype and length).
    for o in &k.outputs[outs.len()..] {
        let n = plan.values[o.value].shape.numel();
        let reuse = free.iter().position(|v| v.len() == n && v.dtype() == T::DTYPE);
        let v = match reuse {
            Some(i) => T::unwrap(free.swap_remove(i)).expect("dtype checked"),
            None => PooledVec::<T>::new(n)?,
        };
        outs.push(v);
    }
    let mut arg_out = None;
    {
        // Inputs of another dtype (a cast kernel's operand, a bool mask) are converted up front.
        let mut converted: SmallVec<[Option<Vec<T>>; 4]> = SmallVec::new();
        for i in &k.inputs {
            let slot = &slots[plan.base(i.value)];
            converted.push(match plan.values[i.value].dtype != T::DTYPE {
                true => Some(AnySlice::of(slot)?.convert()),
                false => None,
            });
        }
        let mut inputs = SmallVec::new();
        for (n, (i, conv)) in k.inputs.iter().zip(&converted).enumerate() {
            inputs.push(match conv {
                // The donated input is read through the output's pointer (the same memory).
                _ if donor_input == Some(n as u16) => &[][..],
                Some(v) => v.as_slice(),
                None => T::slice(&slots[plan.base(i.value)])?,
            });
        }
        let outputs = outs.iter_mut().map(|v| OutPtr::new(v)).collect();
        let io = KernelIo { inputs, access, layouts: &k.inputs, outputs, donor: donor_input };
        let c = &engine.config;
        let ctx = Ctx { block: c.block, map_block: c.map_block, threads: c.threads, pool: Some(&engine.pool), cancel };
        if let KernelShape::Arg { m, n, .. } = k.shape {
            let mut idx = PooledVec::<Wrapping<i64>>::new(m * n)?;
            run_arg(k, &io, OutPtr::new(&mut idx), ctx);
            arg_out = Some(idx);
        }
        match &k.matmul {
            _ if arg_out.is_some() => {}
            Some(_) if !T::DTYPE.is_float() => return Err(Error::UnsupportedDType { op: "matmul", dtype: T::DTYPE }),
            Some(mm) => {
                let mio = MatMulIo { a: T::slice(&slots[plan.base(mm.a)])?, b: T::slice(&slots[plan.base(mm.b)])? };
                run_matmul(k, &io, &mio, ctx);
            }
            None => run_kernel(k, &io, ctx),
        }
    }
    if let Some(idx) = arg_out {
        slots[k.outputs[0].value] = Slot::Owned(AnyVec::I64(idx));
        return Ok(());
    }
    for (o, v) in k.outputs.iter().zip(outs) {
        // Bool results were computed as 0/1 in the kernel's type.
        slots[o.value] = Slot::Owned(match plan.values[o.value].dtype {
            d if d == T::DTYPE => T::wrap(v),
            DType::Bool => {
                let mut b = PooledVec::<bool>::new(v.len())?;
                for (b, &x) in b.iter_mut().zip(v.iter()) {
                    *b = x != T::ZERO;
                }
                AnyVec::Bool(b)
            }
            d => return Err(Error::Internal(format!("a {} kernel cannot write {d}", T::DTYPE))),
        });
    }
    Ok(())
}
