//! Compiled kernels: the second tier of execution.
//!
//! A fused elementwise kernel runs on the block VM the first time it is met (planning stays in
//! microseconds), while a background thread compiles it with LLVM into one loop whose values
//! stay in vector registers at the host's full width; once the code is ready, runs of the same
//! kernel take it. Compiled kernels are cached for the process by the kernel's structural key
//! ([`spec::MapSpec::key`]), so a new plan with a known kernel runs compiled at once.
//!
//! Layout: `spec` decides which kernels compile and describes them as data (no LLVM needed,
//! so every build says why a kernel stays on the VM); `tier` holds the cache and each kernel's
//! record of what ran; `run` calls compiled code over a kernel's range in parallel; with the
//! `jit` feature, `compiler` (the background thread), `codegen` (the loop) and `vmath_ir`
//! (exp, tanh, log... as inline polynomials, the same arithmetic as [`crate::vmath`], so the
//! two tiers agree bit for bit).
//!
//! `RUSTTORCH_JIT=0|1|sync` picks [`JitMode`]: off, background (default), or compiled before
//! the first run.

#[cfg(feature = "jit")]
mod codegen;
#[cfg(feature = "jit")]
mod compiler;
mod run;
pub(crate) mod spec;
mod tier;
#[cfg(feature = "jit")]
mod vmath_ir;

pub(crate) use run::run_compiled;
pub use spec::{binary_compiles, unary_compiles};
pub(crate) use tier::KernelTier;
pub use tier::{compiled_kernels, TierReport};

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

/// Whether this build can compile kernels (the `jit` feature, with LLVM found at build time).
pub const fn available() -> bool {
    cfg!(feature = "jit")
}
