//! Compiled kernels: the second tier of execution.
//!
//! A fused elementwise or short-row kernel runs on the block VM the first time it is met
//! (planning stays in microseconds), while a background thread compiles it with LLVM into one
//! loop (nest) whose values stay in vector registers at the host's full width; once the code is ready, runs of the same
//! kernel take it. Compiled kernels are cached for the process by the kernel's structural key
//! ([`spec::KernelSpec::key`]), so a new plan with a known kernel runs compiled at once.
//!
//! Layout: `spec` decides which kernels compile and describes them as data (no LLVM needed,
//! so every build says why a kernel stays on the VM); `tier` holds the cache and each kernel's
//! record of what ran; `run` calls compiled code over a kernel's range in parallel; with the
//! `jit` feature, `compiler` (the background thread), `codegen` (the elementwise loop),
//! `codegen_rows` (the short-row loop nest) and `vmath_ir`
//! (exp, tanh, log... as inline polynomials, the same arithmetic as [`crate::vmath`], so the
//! two tiers agree bit for bit), and `outline` (the same functions compiled once per process
//! and called, by kernels with several of them).
//!
//! `RUSTTORCH_JIT=0|1|sync` picks [`JitMode`]: off, background (default), or compiled before
//! the first run.

use std::sync::atomic::{AtomicU8, Ordering};

#[cfg(feature = "jit")]
mod codegen;
#[cfg(feature = "jit")]
mod codegen_partials;
#[cfg(feature = "jit")]
mod codegen_rows;
#[cfg(feature = "jit")]
mod compiler;
#[cfg(feature = "jit")]
mod outline;
mod run;
pub(crate) mod spec;
mod tier;
#[cfg(feature = "jit")]
mod vmath_ir;

pub(crate) use run::run_compiled;
pub use spec::{binary_compiles, unary_compiles};
pub use tier::{compiled_kernels, TierReport};
pub(crate) use tier::{KernelTier, Ready, SubmitAfterRun};

/// When kernels are compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JitMode {
    /// Never: every kernel runs on the block VM.
    Off,
    /// On a background thread; the VM runs a kernel until its code is ready (the default).
    Background,
    /// Before a kernel's first run (the caller waits for the compiler): for tests and
    /// benchmarks that want the compiled tier from the first call.
    Sync,
}

impl JitMode {
    /// `RUSTTORCH_JIT`: `0`/`off` → [`JitMode::Off`], `sync` → [`JitMode::Sync`], anything
    /// else (or unset) → [`JitMode::Background`]. Off where the build has no compiler.
    pub fn from_env() -> JitMode {
        if !available() {
            return JitMode::Off;
        }
        match std::env::var("RUSTTORCH_JIT").as_deref().map(str::trim) {
            Ok("0") | Ok("off") | Ok("false") => JitMode::Off,
            Ok("sync") => JitMode::Sync,
            _ => JitMode::Background,
        }
    }
}

/// The process-wide override of every engine's [`JitMode`] ([`set_mode`]): 0 none.
static OVERRIDE: AtomicU8 = AtomicU8::new(0);

/// Overrides every engine's [`JitMode`] in this process (`None`: each engine's own setting).
/// [`JitMode::Off`] takes effect at once (kernels with compiled code run on the VM again; the
/// code stays cached); the other modes apply to plans made from then on.
pub fn set_mode(mode: Option<JitMode>) {
    let v = match mode {
        None => 0,
        Some(JitMode::Off) => 1,
        Some(JitMode::Background) => 2,
        Some(JitMode::Sync) => 3,
    };
    OVERRIDE.store(v, Ordering::Relaxed);
}

/// The mode an engine configured with `own` works in: the override when set ([`set_mode`]),
/// and never anything but off in a build without the compiler.
pub fn effective_mode(own: JitMode) -> JitMode {
    match OVERRIDE.load(Ordering::Relaxed) {
        _ if !available() => JitMode::Off,
        1 => JitMode::Off,
        2 => JitMode::Background,
        3 => JitMode::Sync,
        _ => own,
    }
}

/// Whether this build can compile kernels (the `jit` feature, with LLVM found at build time).
pub const fn available() -> bool {
    cfg!(feature = "jit")
}
