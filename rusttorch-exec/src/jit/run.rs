//! Running a compiled kernel: its positions (elementwise) or rows (short rows) cut into tasks on
//! the engine's pool.

use super::tier::{Ready, Shape};
use crate::cancel::is_set;
use crate::kernel::{finish_cols, finish_long_rows, store_fence, Access, Ctx, KernelIo};
use crate::num::Num;
use rayon::prelude::*;
use rusttorch_ir::plan::{FusedKernel, Strategy};

/// A compiled loop: computes the whole vectors of positions `start..end` of the kernel (its
/// width divides `end - start`: [`map_tail`] does the rest), reading input `n` at
/// `ins[n]` (contiguous from position 0, or one scalar element) and writing output `j` at
/// `outs[j]`.
/// Row kernels compute rows `start..end` instead, with `scratch` holding the task's spilled
/// registers (elementwise kernels ignore it). Constant slot `i` is read from `consts[i]`
/// (elements of the kernel's type).
pub(crate) type MapFn = unsafe extern "C" fn(
    ins: *const *const u8,
    outs: *const *mut u8,
    start: u64,
    end: u64,
    scratch: *mut u8,
    consts: *const u8,
);

/// Kernels over fewer elements run on the calling thread (as the VM's).
const PARALLEL_MIN: usize = 1 << 15;

/// Positions per task at most: a cancelled evaluation stops within one task (well under a
/// millisecond of compiled code).
const TASK_MAX: usize = 1 << 18;

/// Runs `code` for kernel `k`: every position of an elementwise kernel, every row of a row
/// kernel, with buffers of the kernel's type (the VM converts the others: the caller checks).
/// Returns `false`, having done nothing, when the buffers are not as the code was compiled for
/// (misaligned streamed outputs; a row kernel with a donated input).
pub(crate) fn run_compiled<T: Num>(ready: Ready<'_>, k: &FusedKernel, io: &KernelIo<'_, T>, ctx: Ctx<'_>) -> bool {
    let code = ready.code;
    let (n, row_len, scratch_len) = match code.shape {
        // A donated input is read through the output, which a later stage may have written
        // (elementwise kernels compiled as rows have one stage, reading each position before
        // writing it, as elementwise loops do).
        Shape::Rows { .. } if !io.donors.is_empty() && k.strategy != Strategy::Map => return false,
        Shape::Rows { row_len, spilled } => (k.shape.full_numel() / row_len, row_len, spilled * row_len),
        Shape::Map { .. } => (k.shape.full_numel(), 1, 0),
        Shape::Chunks { .. } | Shape::Cols { .. } if !io.donors.is_empty() => return false,
        // Tasks of one chunk of a row each.
        Shape::Chunks { row_len, chunk, .. } => (k.shape.row_numel() * row_len.div_ceil(chunk), chunk, 0),
        // Tasks of one chunk of rows of one tile each.
        Shape::Cols { m, n, tile, kchunks, .. } => {
            (m * n.div_ceil(tile) * kchunks, k.shape.full_numel() / (m * n.div_ceil(tile) * kchunks).max(1), 0)
        }
    };
    if n == 0 {
        return false;
    }
    let mut ins: smallvec::SmallVec<[*const u8; 8]> = smallvec::SmallVec::new();
    let mut scalar: smallvec::SmallVec<[bool; 8]> = smallvec::SmallVec::new();
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
        scalar.push(matches!(a, Access::Scalar { .. }));
    }
    let outs: smallvec::SmallVec<[*mut u8; 4]> = io.outputs.iter().map(|o| o.as_ptr() as *mut u8).collect();
    // Non-temporal vector stores need aligned addresses (large buffers are 2 MiB-aligned; task
    // boundaries fall on 64 elements).
    if code.stream && outs.iter().any(|p| !(*p as usize).is_multiple_of(64)) {
        return false;
    }
    // SAFETY: the address is a compiled `MapFn` (compiler.rs), kept alive for the process.
    let f: MapFn = unsafe { std::mem::transmute::<usize, MapFn>(code.addr) };
    let consts: smallvec::SmallVec<[T; 8]> = ready.consts.iter().map(|&c| T::from_f64(c)).collect();
    // Long rows: each task's partials, as float64 (see `emit_chunks`).
    let mut partials = match code.shape {
        Shape::Chunks { reduces, .. } => vec![0.0f64; n * reduces],
        Shape::Cols { reduces, tile, .. } => vec![0.0f64; n * reduces * tile],
        _ => Vec::new(),
    };
    let ptrs = Ptrs {
        ins: &ins,
        outs: &outs,
        consts: consts.as_ptr() as *const u8,
        partials: partials.as_mut_ptr() as *mut u8,
    };
    let call = |p: &Ptrs, start: usize, end: usize| {
        let mut scratch = vec![T::ZERO; scratch_len];
        let scratch = match code.shape {
            Shape::Chunks { .. } | Shape::Cols { .. } => p.partials,
            _ => scratch.as_mut_ptr() as *mut u8,
        };
        let whole = match code.shape {
            Shape::Map { width } => start + (end - start) / width * width,
            Shape::Rows { .. } | Shape::Chunks { .. } | Shape::Cols { .. } => end,
        };
        // SAFETY: every input pointer reaches the elements the plan reads through it (`n`
        // positions, one scalar, or a row), every output its value's elements (planned so);
        // the scratch holds `spilled` rows (long rows: every task's partials); tasks write
        // disjoint ranges.
        unsafe { f(p.ins.as_ptr(), p.outs.as_ptr(), start as u64, whole as u64, scratch, p.consts) };
        if let Shape::Map { width } = code.shape {
            if whole < end {
                // SAFETY: as above, for positions `whole..end` of the same buffers.
                unsafe { map_tail::<T>(f, p, &scalar, width, whole, end) };
            }
        }
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
    let per = match code.shape {
        Shape::Rows { .. } | Shape::Chunks { .. } | Shape::Cols { .. } => n.div_ceil(tasks),
        Shape::Map { .. } => n.div_ceil(tasks).div_ceil(64) * 64,
    };
    match ctx.pool {
        Some(pool) if tasks > 1 => pool.install(|| {
            (0..n.div_ceil(per)).into_par_iter().filter(|_| !is_set(ctx.cancel)).for_each(|t| {
                call(&ptrs, t * per, ((t + 1) * per).min(n));
            })
        }),
        _ => call(&ptrs, 0, n),
    }
    let acc = || partials.iter().map(|&p| <T::Acc as rusttorch_ir::Element>::from_f64(p)).collect::<Vec<T::Acc>>();
    match code.shape {
        Shape::Chunks { row_len, chunk, .. } => {
            finish_long_rows(k, io, ctx, k.shape.row_numel(), row_len.div_ceil(chunk), &acc())
        }
        Shape::Cols { m, n, tile, kchunks, .. } => finish_cols(k, io, ctx, (m, n), tile, kchunks, &acc()),
        Shape::Map { .. } | Shape::Rows { .. } => {}
    }
    true
}

/// One cache line, the alignment of the padded copies (streamed stores need their vector's).
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Line([u8; 64]);

/// Positions `start..end` (fewer than one vector of `width`) of an elementwise kernel, as one
/// whole vector of the compiled code over padded copies: each read input's elements then zeros
/// (scalar inputs are read in place), the outputs copied back. Lanes are independent, so the
/// padding changes no result.
///
/// # Safety
/// `p`'s pointers reach positions `start..end` of their buffers (one element for scalars), as
/// in [`run_compiled`].
unsafe fn map_tail<T: Num>(f: MapFn, p: &Ptrs, scalar: &[bool], width: usize, start: usize, end: usize) {
    let bytes = width * std::mem::size_of::<T>();
    let lines = bytes.div_ceil(64);
    let mut pad = vec![Line([0; 64]); lines * (p.ins.len() + p.outs.len())];
    let base = pad.as_mut_ptr() as *mut u8;
    let (len, skip) = ((end - start) * std::mem::size_of::<T>(), start * std::mem::size_of::<T>());
    let mut ins: smallvec::SmallVec<[*const u8; 8]> = smallvec::SmallVec::new();
    for (i, (&src, &one)) in p.ins.iter().zip(scalar).enumerate() {
        if one {
            ins.push(src);
        } else {
            let dst = base.add(i * lines * 64);
            // SAFETY: `src` reaches positions `start..end` (caller); `dst` has `bytes >= len`.
            std::ptr::copy_nonoverlapping(src.add(skip), dst, len);
            ins.push(dst);
        }
    }
    let outs: smallvec::SmallVec<[*mut u8; 4]> =
        (0..p.outs.len()).map(|j| base.add((p.ins.len() + j) * lines * 64)).collect();
    // SAFETY: every pointer reaches `width` elements (or is a scalar input); one whole vector.
    f(ins.as_ptr(), outs.as_ptr(), 0, width as u64, std::ptr::null_mut(), p.consts);
    for (&dst, &src) in p.outs.iter().zip(&outs) {
        // SAFETY: the output reaches positions `start..end` (caller).
        std::ptr::copy_nonoverlapping(src, dst.add(skip), len);
    }
}

/// The pointer tables, shared by the tasks.
struct Ptrs<'a> {
    ins: &'a [*const u8],
    outs: &'a [*mut u8],
    /// The constants' values, as the kernel's type.
    consts: *const u8,
    /// Long rows: the tasks' partials (float64).
    partials: *mut u8,
}

// SAFETY: the tables outlive the parallel loop (they are the caller's locals), and the memory
// they point at is read or written by the tasks in disjoint ranges.
unsafe impl Sync for Ptrs<'_> {}
