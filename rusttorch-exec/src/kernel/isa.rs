//! Which vector ISA a hot loop runs with: CPU feature detection and the dispatch macro.

use rusttorch_ir::plan::Instr;

/// Whether the CPU has the AVX-512 subsets the wide build uses (detected once, cached by std),
/// unless `RUSTTORCH_NO_AVX512` is set.
#[inline(always)]
pub(super) fn has_avx512() -> bool {
    #[cfg(target_arch = "x86_64")]
    return {
        static OFF: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        !*OFF.get_or_init(|| std::env::var_os("RUSTTORCH_NO_AVX512").is_some())
    } && std::is_x86_feature_detected!("avx512f")
        && std::is_x86_feature_detected!("avx512bw")
        && std::is_x86_feature_detected!("avx512dq")
        && std::is_x86_feature_detected!("avx512vl");
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// Whether the CPU has AVX2 and FMA (detected once, cached by std).
#[inline(always)]
pub(super) fn has_avx2_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    return std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma");
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// Defines `$name`, which runs `$generic` (an `#[inline(always)]` function) compiled with
/// AVX-512 (F/BW/DQ/VL) when `wide_if` holds and the CPU has it (and `RUSTTORCH_NO_AVX512` is
/// unset), else with AVX2 and FMA when available, else as compiled for the baseline target. On
/// the benchmark machine the AVX-512 build made `exp` 1.35x and `tanh` 1.55x faster than the
/// AVX2 one, but memory-bound kernels (W1, W5) slower.
macro_rules! isa_dispatch {
    ($(#[$m:meta])* $vis:vis fn $name:ident<$t:ident: $bound:ident>($($arg:ident: $ty:ty),*) -> $ret:ty = $generic:ident;) => {
        isa_dispatch! { $(#[$m])* $vis fn $name<$t: $bound>($($arg: $ty),*) -> $ret = $generic; wide_if false; }
    };
    ($(#[$m:meta])* $vis:vis fn $name:ident<$t:ident: $bound:ident>($($arg:ident: $ty:ty),*) -> $ret:ty = $generic:ident; wide_if $wide:expr;) => {
        $(#[$m])*
        $vis fn $name<$t: $bound>($($arg: $ty),*) -> $ret {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")]
                unsafe fn wide<$t: $bound>($($arg: $ty),*) -> $ret {
                    $generic($($arg),*)
                }
                #[target_feature(enable = "avx2,fma")]
                unsafe fn fast<$t: $bound>($($arg: $ty),*) -> $ret {
                    $generic($($arg),*)
                }
                // Integer programs hold no transcendentals, so they never take the wide build,
                // which is then not compiled for them (a copy of the VM less to build).
                if $wide && $t::FLOAT && $crate::kernel::isa::has_avx512() {
                    // SAFETY: `wide` only needs the AVX-512 subsets, AVX2 and FMA (checked).
                    return unsafe { wide($($arg),*) };
                }
                if $crate::kernel::isa::has_avx2_fma() {
                    // SAFETY: `fast` only needs AVX2 and FMA, which the CPU has (checked above).
                    return unsafe { fast($($arg),*) };
                }
            }
            $generic($($arg),*)
        }
    };
}
pub(super) use isa_dispatch;

/// Whether a program is compute-bound enough for the AVX-512 build (transcendental ops).
pub(super) fn wants_wide(prog: &[Instr]) -> bool {
    prog.iter().any(|i| matches!(i, Instr::Unary { op, .. } if op.info().cost >= 8))
}
