//! The compiled-kernel cache and each planned kernel's tier: which code runs it, what ran last.

use super::spec::kernel_spec;
use super::JitMode;
use crate::kernel::Access;
use hashbrown::HashMap;
use rusttorch_ir::plan::{FusedKernel, Plan};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// Compiled code for one kernel structure.
pub(crate) struct Compiled {
    /// Address of the loop function ([`super::run::MapFn`]).
    pub(crate) addr: usize,
    /// Time from the start of its compilation to ready code (IR, codegen, linking).
    pub(crate) took: Duration,
    /// Its whole-vector stores are non-temporal: outputs must be 64-byte aligned, and each
    /// task fences its stores.
    pub(crate) stream: bool,
    /// What one call computes.
    pub(crate) shape: Shape,
    /// Which code generator made it.
    pub(crate) level: Level,
}

/// The two code generators: quick code first, optimized code for kernels that run again.
///
/// LLVM at `-O0` (fast instruction selection and register allocation, few machine passes)
/// compiles a 20-op chain in about half the time of `-O1`, and its code runs 15-25 % slower
/// than `-O1`'s (still well ahead of the VM): a new kernel gets quick code, and once that has
/// run, the optimized code replaces it. Both compute the same bits (the same IR, no
/// fast-math).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(feature = "jit"), allow(dead_code))]
pub(crate) enum Level {
    Quick,
    Optimized,
}

impl Level {
    fn flag(self) -> &'static str {
        match self {
            Level::Quick => "-O0",
            Level::Optimized => "-O1",
        }
    }
}

/// The unit of work of compiled code.
#[derive(Clone, Copy, Debug)]
// Only the compiler makes code (without it, no `Compiled` exists).
#[cfg_attr(not(feature = "jit"), allow(dead_code))]
pub(crate) enum Shape {
    /// Elementwise: whole vectors of `width` positions (the caller does the rest).
    Map { width: usize },
    /// Whole rows of `row_len`, with a scratch row per spilled register.
    Rows { row_len: usize, spilled: usize },
    /// Chunks of `chunk` elements of rows of `row_len`: each task's `reduces` partials.
    Chunks { row_len: usize, chunk: usize, reduces: usize },
    /// Column reductions of `m` matrices of `n` columns, in tiles of `tile` columns and
    /// `kchunks` chunks of rows: each task's `reduces * tile` partials.
    Cols { m: usize, n: usize, tile: usize, kchunks: usize, reduces: usize },
}

/// A cache entry: the kernel's first code (or why it has none), then its optimized code when the
/// first was quick.
pub(crate) struct JitKernel {
    #[cfg_attr(not(feature = "jit"), allow(dead_code))]
    pub(crate) spec: super::spec::KernelSpec,
    pub(crate) result: OnceLock<Result<Compiled, String>>,
    pub(crate) optimized: OnceLock<Result<Compiled, String>>,
    /// Its optimized code is asked for (once).
    promoted: AtomicBool,
}

impl JitKernel {
    pub(crate) fn new(spec: super::spec::KernelSpec) -> JitKernel {
        JitKernel { spec, result: OnceLock::new(), optimized: OnceLock::new(), promoted: AtomicBool::new(false) }
    }

    /// Where the compiler's next code for the kernel goes: its first code, or (once it has
    /// quick code) its optimized code.
    #[cfg_attr(not(feature = "jit"), allow(dead_code))]
    pub(crate) fn next_code(&self) -> &OnceLock<Result<Compiled, String>> {
        if self.result.get().is_some() {
            &self.optimized
        } else {
            &self.result
        }
    }

    /// The code runs take: the optimized, else the first; asks for the optimized code when
    /// the quick code is taken (by this thread's run: [`SubmitAfterRun`]).
    #[inline]
    fn code(self: &Arc<Self>) -> Option<&Compiled> {
        if let Some(Ok(code)) = self.optimized.get() {
            return Some(code);
        }
        let code = self.result.get()?.as_ref().ok()?;
        if code.level == Level::Quick
            && !self.promoted.load(Ordering::Relaxed)
            && !self.promoted.swap(true, Ordering::Relaxed)
        {
            #[cfg(feature = "jit")]
            PENDING.with(|p| p.borrow_mut().push((self.clone(), Level::Optimized)));
        }
        Some(code)
    }
}

/// Kernel structures compiled (or being compiled) per process at most: past it new kernels stay
/// on the VM, so a program generating ever new kernels holds bounded code (a compiled kernel
/// is a few KiB of machine code and LLVM's module for it).
const MAX_KERNELS: usize = 4096;

fn cache() -> &'static Mutex<HashMap<String, Arc<JitKernel>>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<JitKernel>>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// Kernel structures with compiled code ready in this process.
pub fn compiled_kernels() -> usize {
    let c = cache().lock().unwrap_or_else(|e| e.into_inner());
    c.values().filter(|k| matches!(k.result.get(), Some(Ok(_)))).count()
}

enum State {
    /// The kernel stays on the VM, for this reason.
    Unsupported(String),
    /// Compiled code, ready or on its way, and the values of this kernel's constants.
    Jit(Arc<JitKernel>, Vec<f64>),
}

/// A planned kernel's compiled code, ready to run, with the values of its constants (the code
/// reads constant slot `i` from `consts[i]`).
#[derive(Clone, Copy)]
pub(crate) struct Ready<'a> {
    pub(crate) code: &'a Compiled,
    pub(crate) consts: &'a [f64],
}

/// What ran a kernel last (a [`KernelTier`] starts at 0).
const NOT_RUN: u8 = 0;
const RAN_VM: u8 = 1;
const RAN_COMPILED: u8 = 2;

/// One planned kernel's tier: its compiled code when there is (or will be) some, and which tier
/// ran it last (for `explain()`). What the compiler does with the kernel is settled at its
/// first run with the JIT on (a plan made and cached while it was off compiles once it is on).
#[derive(Default)]
pub(crate) struct KernelTier {
    state: OnceLock<State>,
    last: AtomicU8,
}

impl KernelTier {
    /// The compiled code of kernel `k` of `plan` for an engine in mode `own`, once it is ready.
    /// At the kernel's first run with the JIT on, its code is looked up in the cache, else
    /// queued for compilation (and waited for in [`JitMode::Sync`]).
    #[inline]
    pub(crate) fn ready(&self, plan: &Plan, k: &FusedKernel, access: &[Access], own: JitMode) -> Option<Ready<'_>> {
        let mode = super::effective_mode(own);
        if mode == JitMode::Off {
            return None;
        }
        let state = self.state.get_or_init(|| match kernel_spec(plan, k, access) {
            Err(why) => State::Unsupported(why),
            Ok((spec, consts)) => match lookup(spec, mode) {
                Ok(code) => State::Jit(code, consts),
                Err(why) => State::Unsupported(why),
            },
        });
        match state {
            State::Jit(j, consts) => j.code().map(|code| Ready { code, consts }),
            _ => None,
        }
    }

    /// Records which tier just ran the kernel.
    #[inline]
    pub(crate) fn ran(&self, compiled: bool) {
        self.last.store(if compiled { RAN_COMPILED } else { RAN_VM }, Ordering::Relaxed);
    }

    /// What `explain()` prints for the kernel of an engine in mode `own`.
    pub(crate) fn report(&self, own: JitMode) -> TierReport {
        let ran = match self.last.load(Ordering::Relaxed) {
            NOT_RUN => "not run yet",
            RAN_VM => "vm",
            _ => "compiled",
        };
        let jit = match self.state.get() {
            _ if super::effective_mode(own) == JitMode::Off => "off".to_string(),
            None => "not compiled yet (at the first run)".to_string(),
            Some(State::Unsupported(why)) => format!("stays on the vm: {why}"),
            Some(State::Jit(j, _)) => {
                let ms = |c: &Compiled| format!("{:.2} ms ({})", c.took.as_secs_f64() * 1e3, c.level.flag());
                match (j.result.get(), j.optimized.get()) {
                    (None, _) => "compiling".to_string(),
                    (Some(Ok(c)), None) if c.level == Level::Quick && j.promoted.load(Ordering::Relaxed) => {
                        format!("compiled in {}; optimizing", ms(c))
                    }
                    (Some(Ok(c)), None) => format!("compiled in {}", ms(c)),
                    (Some(Ok(c)), Some(Ok(o))) => format!("compiled in {}, optimized in {}", ms(c), ms(o)),
                    (Some(Ok(c)), Some(Err(e))) => format!("compiled in {}; optimizing failed: {e}", ms(c)),
                    (Some(Err(e)), _) => format!("compilation failed: {e}"),
                }
            }
        };
        TierReport { ran, jit }
    }
}

/// The cached entry of `spec`'s structure, or a new one queued for the compiler; or why there
/// is none.
fn lookup(spec: super::spec::KernelSpec, mode: JitMode) -> Result<Arc<JitKernel>, String> {
    let key = spec.key();
    let (entry, fresh) = {
        let mut c = cache().lock().unwrap_or_else(|e| e.into_inner());
        match c.get(&key) {
            Some(e) => (e.clone(), false),
            None if c.len() >= MAX_KERNELS => {
                return Err(format!("the compiled-kernel cache is full ({MAX_KERNELS} kernels)"))
            }
            None => {
                let e = Arc::new(JitKernel::new(spec));
                c.insert(key, e.clone());
                (e, true)
            }
        }
    };
    #[cfg(feature = "jit")]
    {
        // Sync mode waits for the compiler, so it has optimized code at once; in the background
        // a new kernel gets quick code first.
        if fresh && mode == JitMode::Sync {
            super::compiler::submit(entry.clone(), Level::Optimized);
        } else if fresh {
            PENDING.with(|p| p.borrow_mut().push((entry.clone(), Level::Quick)));
        }
        if mode == JitMode::Sync {
            super::compiler::wait(&entry);
        }
    }
    #[cfg(not(feature = "jit"))]
    {
        let _ = (fresh, mode);
        let _ = entry.result.set(Err("this build has no compiler".into()));
    }
    Ok(entry)
}

#[cfg(feature = "jit")]
thread_local! {
    /// New kernels met by the run in progress on this thread (background mode), and kernels it
    /// ran on quick code, handed to the compiler when the run ends, so that compiling never
    /// takes a core from the pool tasks of the run that found them (two cores, a two-thread
    /// pool: the compiler would take one).
    static PENDING: std::cell::RefCell<Vec<(Arc<JitKernel>, Level)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Held by a run of a plan: when it is dropped (the run ended, by success, error or panic), the
/// kernels the run met for the first time go to the compiler.
pub(crate) struct SubmitAfterRun;

impl Drop for SubmitAfterRun {
    fn drop(&mut self) {
        #[cfg(feature = "jit")]
        for (entry, level) in PENDING.with(|p| std::mem::take(&mut *p.borrow_mut())) {
            super::compiler::submit(entry, level);
        }
    }
}

/// Which tier ran a kernel last, and what the compiler did with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TierReport {
    /// `"compiled"`, `"vm"` or `"not run yet"`.
    pub ran: &'static str,
    /// The compiler's state: `off`, `compiling`, `compiled in … ms`, or why the kernel stays on
    /// the VM.
    pub jit: String,
}

impl std::fmt::Display for TierReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "tier: ran {}; jit {}", self.ran, self.jit)
    }
}
