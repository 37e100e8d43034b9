//! Running a compiled elementwise kernel: its range cut into tasks on the engine's pool.

use super::tier::Compiled;
use crate::cancel::is_set;
use crate::kernel::{store_fence, Access, Ctx, KernelIo};
use crate::num::Num;
use rayon::prelude::*;

/// A compiled loop: computes positions `start..end` of the kernel, reading input `n` at
/// `ins[n]` (contiguous from position 0, or one scalar element) and writing output `j` at
/// `outs[j]`.
pub(crate) type MapFn = unsafe extern "C" fn(ins: *const *const u8, outs: *const *mut u8, start: u64, end: u64);

/// Kernels over fewer elements run on the calling thread (as the VM's).
const PARALLEL_MIN: usize = 1 << 15;

/// Positions per task at most: a cancelled evaluation stops within one task (well under a
/// millisecond of compiled code).
const TASK_MAX: usize = 1 << 18;

/// Runs `code` for the `n` positions of an elementwise kernel whose inputs and outputs are of
/// the kernel's type (the VM converts the others: the caller checks). Returns `false`, having
/// done nothing, when an input is read in a way the code was not compiled for.
pub(crate) fn run_compiled<T: Num>(code: &Compiled, io: &KernelIo<'_, T>, ctx: Ctx<'_>, n: usize) -> bool {
    let mut ins: smallvec::SmallVec<[*const u8; 8]> = smallvec::SmallVec::new();
    for (i, a) in io.access.iter().enumerate() {
        let ptr = match io.donated_to(i as u16) {
            // A donated input is read through its output, from its start.
            Some(o) => io.outputs[o].as_ptr() as *const u8,
            None => match *a {
                Access::Contiguous { offset } | Access::Scalar { offset } if offset < io.inputs[i].len() => {
                    io.inputs[i][offset..].as_ptr() as *const u8
                }
                _ => return false,
            },
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
        // SAFETY: every input pointer reaches `n` elements (contiguous reads) or one (scalar
        // reads), every output `n` elements (planned so); tasks write disjoint ranges.
        unsafe { f(p.ins, p.outs, start as u64, end as u64) };
        if code.stream {
            store_fence();
        }
    };
    let tasks = match ctx.pool {
        Some(_) if n >= PARALLEL_MIN && ctx.threads > 1 => (ctx.threads * 4).max(n.div_ceil(TASK_MAX)),
        _ => 1,
    };
    // Task boundaries on 64 elements: whole vectors and cache lines in every task but the last.
    let per = n.div_ceil(tasks).div_ceil(64) * 64;
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
