//! Running a compiled kernel: its positions (elementwise) or rows (short rows) cut into tasks on
//! the engine's pool.

use super::tier::Compiled;
use crate::cancel::is_set;
use crate::kernel::{store_fence, Access, Ctx, KernelIo};
use crate::num::Num;
use rayon::prelude::*;
use rusttorch_ir::plan::FusedKernel;

/// A compiled loop: computes positions `start..end` of the kernel, reading input `n` at
/// `ins[n]` (contiguous from position 0, or one scalar element) and writing output `j` at
/// `outs[j]`.
/// Row kernels compute rows `start..end` instead, with `scratch` holding the task's spilled
/// registers (elementwise kernels ignore it).
pub(crate) type MapFn =
    unsafe extern "C" fn(ins: *const *const u8, outs: *const *mut u8, start: u64, end: u64, scratch: *mut u8);

/// Kernels over fewer elements run on the calling thread (as the VM's).
const PARALLEL_MIN: usize = 1 << 15;

/// Positions per task at most: a cancelled evaluation stops within one task (well under a
/// millisecond of compiled code).
const TASK_MAX: usize = 1 << 18;

/// Runs `code` for kernel `k`: every position of an elementwise kernel, every row of a row
/// kernel, with buffers of the kernel's type (the VM converts the others: the caller checks).
/// Returns `false`, having done nothing, when the buffers are not as the code was compiled for
/// (misaligned streamed outputs; a row kernel with a donated input).
pub(crate) fn run_compiled<T: Num>(code: &Compiled, k: &FusedKernel, io: &KernelIo<'_, T>, ctx: Ctx<'_>) -> bool {
    let (n, row_len, scratch_len) = match code.rows {
        // A donated input is read through the output, which a later stage may have written.
        Some(_) if !io.donors.is_empty() => return false,
        Some((row_len, spilled)) => (k.shape.row_numel(), row_len, spilled * row_len),
        None => (k.shape.full_numel(), 1, 0),
    };
    if n == 0 {
        return false;
    }
    let mut ins: smallvec::SmallVec<[*const u8; 8]> = smallvec::SmallVec::new();
    for (i, a) in io.access.iter().enumerate() {
        let offset = match *a {
            Access::Contiguous { offset } | Access::Scalar { offset } | Access::Strided { offset, .. } => offset,
        };
        let ptr = match io.donated_to(i as u16) {
            // A donated input is read through its output, from its start.
            Some(o) => io.outputs[o].as_ptr() as *const u8,
            None if offset < io.inputs[i].len() => io.inputs[i][offset..].as_ptr() as *const u8,
            None => return false,
        };
        ins.push(ptr);
    }
    let outs: smallvec::SmallVec<[*mut u8; 4]> = io.outputs.iter().map(|o| o.as_ptr() as *mut u8).collect();
    // Non-temporal vector stores need aligned addresses (large buffers are 2 MiB-aligned; task
    // boundaries fall on 64 elements).
    if code.stream && outs.iter().any(|p| !(*p as usize).is_multiple_of(64)) {
        return false;
    }
    // SAFETY: the address is a compiled `MapFn` (compiler.rs), kept alive for the process.
    let f: MapFn = unsafe { std::mem::transmute::<usize, MapFn>(code.addr) };
    let ptrs = Ptrs { ins: ins.as_ptr(), outs: outs.as_ptr() };
    let call = |p: &Ptrs, start: usize, end: usize| {
        let mut scratch = vec![T::ZERO; scratch_len];
        // SAFETY: every input pointer reaches the elements the plan reads through it (`n`
        // positions, one scalar, or a row), every output its value's elements (planned so);
        // the scratch holds `spilled` rows; tasks write disjoint ranges.
        unsafe { f(p.ins, p.outs, start as u64, end as u64, scratch.as_mut_ptr() as *mut u8) };
        if code.stream {
            store_fence();
        }
    };
    let elems = n * row_len;
    let tasks = match ctx.pool {
        Some(_) if elems >= PARALLEL_MIN && ctx.threads > 1 => (ctx.threads * 4).max(elems.div_ceil(TASK_MAX)),
        _ => 1,
    };
    // Elementwise task boundaries on 64 elements: whole vectors and cache lines in every task
    // but the last.
    let per = match code.rows {
        Some(_) => n.div_ceil(tasks),
        None => n.div_ceil(tasks).div_ceil(64) * 64,
    };
    match ctx.pool {
        Some(pool) if tasks > 1 => pool.install(|| {
            (0..n.div_ceil(per)).into_par_iter().filter(|_| !is_set(ctx.cancel)).for_each(|t| {
                call(&ptrs, t * per, ((t + 1) * per).min(n));
            })
        }),
        _ => call(&ptrs, 0, n),
    }
    true
}

/// The pointer tables, shared by the tasks.
struct Ptrs {
    ins: *const *const u8,
    outs: *const *mut u8,
}

// SAFETY: the tables outlive the parallel loop (they are the caller's locals), and the memory
// they point at is read or written by the tasks in disjoint ranges.
unsafe impl Sync for Ptrs {}
