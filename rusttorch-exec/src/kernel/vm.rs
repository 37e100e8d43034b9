//! The block VM: runs a register program over one block, one match per instruction per block.

use super::access::{gather, offset_of, prefetch, Access, LINE};
use super::block::{Block, TILE};
use super::indexed::{gather_block, GatherRead};
use super::io::KernelIo;
use super::isa::{isa_dispatch, wants_wide};
use super::stores::OutPtr;
use super::transpose::load_transposed;
use crate::num::{binary, select, unary, Num, Src};
use rusttorch_ir::op::{Scalar, UnaryOp};
use rusttorch_ir::plan::{Instr, Operand, Reg};

/// Runs `prog` over block `b`: each instruction once over the whole block (one `match` per
/// instruction per block; every arm is a loop over slices that compiles to SIMD). Inlined into
/// the per-ISA block loops (`map_blocks`, `short_rows_blocks`, `chunk_blocks`).
#[inline(always)]
pub(super) fn exec_generic<T: Num>(prog: &[Instr], b: &mut Block<'_, T>, io: &KernelIo<'_, T>) {
    let (stride, len) = (b.stride, b.len);
    let base = b.regs.as_mut_ptr();
    let nregs = b.regs.len() / stride.max(1);
    // A contiguous input is not copied: its register aliases the input's range for this block.
    // (A fixed array, not a SmallVec: building one and moving it cost 20% of W1 in stalled
    // store-to-load forwarding.)
    let mut small = [std::ptr::null::<T>(); 32];
    let mut big: Vec<*const T> = Vec::new();
    let alias: &mut [*const T] = if nregs <= 32 {
        &mut small[..nregs]
    } else {
        big.resize(nregs, std::ptr::null());
        &mut big
    };
    let direct = b.direct;
    for (k, ins) in prog.iter().enumerate() {
        let reg = |r: Reg| -> &[T] {
            let p = alias[r as usize];
            if !p.is_null() {
                // SAFETY: `p` points at `start..start + len` of a kernel input (bounds checked
                // when the alias was made); inputs are immutable while the kernel runs.
                return unsafe { std::slice::from_raw_parts(p, len) };
            }
            assert!((r as usize) < nregs);
            // SAFETY: `r < nregs`, so the range lies inside `regs`; no `&mut` to this register
            // exists while it is read (the planner never makes a destination alias a source).
            unsafe { std::slice::from_raw_parts(base.add(r as usize * stride), len) }
        };
        let reg_mut = |r: Reg| -> &mut [T] {
            assert!((r as usize) < nregs);
            // SAFETY: in range as above; the destination register differs from every source of
            // the same instruction (register allocation frees sources only after the destination
            // is assigned), so this is the only live reference to it.
            unsafe { std::slice::from_raw_parts_mut(base.add(r as usize * stride), len) }
        };
        let src = |o: &Operand| -> Src<'_, T> {
            match *o {
                Operand::Reg(r) => Src::Slice(reg(r)),
                Operand::Const(c) => Src::Scalar(c.to()),
            }
        };
        let mut new_alias = std::ptr::null();
        // The destination of a computing instruction: its register, or the output's own range
        // for the one whose value is only stored (`direct_store`); the register then aliases it.
        let mut dst_mut = |r: Reg| -> &mut [T] {
            match direct {
                Some((at, o)) if at == k => {
                    let d = io.outputs[o as usize].slice_mut(b.start, len);
                    new_alias = d.as_ptr();
                    d
                }
                _ => reg_mut(r),
            }
        };
        let dst = match ins {
            Instr::Load { dst, input } if b.tile.is_some() => {
                load_tile(b, io, *input as usize, reg_mut(*dst));
                Some(*dst)
            }
            Instr::Load { dst, input } if io.donated_to(*input).is_some() => {
                // The donated input is an output's memory: alias the block's range through the
                // output's raw pointer (no reference to the whole buffer is ever made).
                let Access::Contiguous { offset } = io.access[*input as usize] else {
                    unreachable!("a donated input is read contiguously")
                };
                let o = io.donated_to(*input).expect("checked");
                new_alias = io.outputs[o].read_ptr(offset + b.start, len);
                Some(*dst)
            }
            Instr::Load { dst, input } => {
                let i = *input as usize;
                if let (Some(Some(narrow)), Access::Contiguous { offset }) = (io.narrow.get(i), &io.access[i]) {
                    narrow.load(offset + b.start, reg_mut(*dst));
                } else if let Access::Contiguous { offset } = io.access[i] {
                    let data = io.inputs[i];
                    new_alias = data[offset + b.start..offset + b.start + len].as_ptr();
                } else {
                    gather(&io.access[i], io.inputs[i], b.start, reg_mut(*dst));
                }
                Some(*dst)
            }
            Instr::Acc { dst } => {
                assert!(!b.acc.is_null(), "Acc outside a matmul kernel");
                new_alias = b.acc;
                Some(*dst)
            }
            Instr::Expand { dst, src: s } => {
                expand(b, *s, reg_mut(*dst));
                Some(*dst)
            }
            Instr::Arange { dst, start, step } => {
                arange(b, *start, *step, reg_mut(*dst));
                Some(*dst)
            }
            Instr::Unary { op, dst, src: s } => {
                unary_of(*op, dst_mut(*dst), src(s));
                Some(*dst)
            }
            Instr::Binary { op, dst, a, b: bb } => {
                binary(*op, dst_mut(*dst), src(a), src(bb));
                Some(*dst)
            }
            Instr::Select { dst, cond, a, b: bb } => {
                select(dst_mut(*dst), src(cond), src(a), src(bb));
                Some(*dst)
            }
            Instr::Gather { dst, input, index, dim, size, stride } => {
                let g = GatherRead {
                    table: *input as usize,
                    index: *index as usize,
                    dim: *dim,
                    size: *size,
                    stride: *stride,
                };
                gather_block(b, io, g, dst_mut(*dst));
                Some(*dst)
            }
            Instr::Store { output, src: s } => {
                match io.narrow_out.get(*output as usize) {
                    Some(Some(narrow)) => narrow.store(b.start, len, src(s)),
                    _ => store(b, &io.outputs[*output as usize], src(s)),
                }
                None
            }
        };
        if let Some(d) = dst {
            alias[d as usize] = new_alias;
        }
    }
    leave_results(b, alias, base);
}

/// `Load` of input `i` into register `d` of a tiled block, row by row of the tile.
#[inline(always)]
fn load_tile<T: Num>(b: &Block<'_, T>, io: &KernelIo<'_, T>, i: usize, d: &mut [T]) {
    let (seg, rs) = b.tile.expect("a tiled block");
    match b.transposed.get(i).copied().flatten() {
        Some(sc) => {
            // Column j of the tile is a contiguous run of the input.
            let base = offset_of(&io.layouts[i], b.start) as isize;
            let next = (b.next != 0).then(|| offset_of(&io.layouts[i], (b.start as isize + b.next) as usize) as isize);
            load_transposed(io.inputs[i], base, sc, b.len / seg, seg, d, next);
        }
        None => match io.access[i] {
            // Full tile rows: fixed-size copies the compiler inlines (a memcpy call per row cost
            // more than the copy).
            Access::Contiguous { offset } if seg == TILE => {
                let data = io.inputs[i];
                let pf = b.next != 0;
                for (r, chunk) in d.chunks_exact_mut(TILE).enumerate() {
                    let at = offset + b.start + r * rs;
                    let row: &[T; TILE] = data[at..at + TILE].try_into().expect("a tile row");
                    if pf {
                        // The same row of the next tile (its lines, a hint only).
                        let next = row.as_ptr().wrapping_offset(b.next);
                        for l in (0..TILE).step_by(LINE / std::mem::size_of::<T>()) {
                            prefetch(next.wrapping_add(l));
                        }
                    }
                    chunk.copy_from_slice(row);
                }
            }
            _ => {
                for (r, chunk) in d.chunks_mut(seg).enumerate() {
                    gather(&io.access[i], io.inputs[i], b.start + r * rs, chunk);
                }
            }
        },
    }
}

/// `Expand`: each row value of row register `src` repeated over its run of the block.
#[inline(always)]
fn expand<T: Num>(b: &Block<'_, T>, src: Reg, d: &mut [T]) {
    let row = &b.rows[src as usize * b.stride..];
    for (j, chunk) in d.chunks_mut(b.expand_run.max(1)).enumerate() {
        chunk.fill(row[j]);
    }
}

/// `Arange`: `start + step * i` for the flat index `i` of each element of the block.
#[inline(always)]
fn arange<T: Num>(b: &Block<'_, T>, start: Scalar, step: Scalar, d: &mut [T]) {
    let (seg, rs) = b.tile.unwrap_or((b.len.max(1), 0));
    let index = |i: usize| b.start + (i / seg) * rs + i % seg;
    match (start.as_int(), step.as_int()) {
        // Exact: every value lies between start and stop, both int64, so the wrapping products
        // and sums are the true ones.
        (Some(s0), Some(st)) => {
            for (i, d) in d.iter_mut().enumerate() {
                *d = T::from_i64(s0.wrapping_add(st.wrapping_mul(index(i) as i64)));
            }
        }
        _ => {
            let (s0, st) = (start.get(), step.get());
            for (i, d) in d.iter_mut().enumerate() {
                *d = T::from_f64(s0 + st * index(i) as f64);
            }
        }
    }
}

/// `Unary` of a register or of a constant (filled in first).
#[inline(always)]
fn unary_of<T: Num>(op: UnaryOp, d: &mut [T], a: Src<'_, T>) {
    match a {
        Src::Slice(a) => unary(op, d, a),
        Src::Scalar(v) => {
            d.fill(v);
            let tmp: Vec<T> = d.to_vec();
            unary(op, d, &tmp);
        }
    }
}

/// `Store` of `v` into the block's range of `out`: tile rows, a flat range (streamed when the
/// block says so), or nothing when a `direct_store` already put it there.
#[inline(always)]
fn store<T: Num>(b: &Block<'_, T>, out: &OutPtr<T>, v: Src<'_, T>) {
    let len = b.len;
    let (seg, rs) = b.tile.unwrap_or((len.max(1), 0));
    match v {
        Src::Slice(v) if seg == TILE && b.tile.is_some() => {
            for (r, chunk) in v.chunks_exact(TILE).enumerate() {
                let row: &[T; TILE] = chunk.try_into().expect("a tile row");
                if b.stream {
                    out.stream(b.start + r * rs, row);
                } else {
                    out.write_n(b.start + r * rs, row);
                }
            }
        }
        // Already there (`direct_store`).
        Src::Slice(v) if b.tile.is_none() && std::ptr::eq(v.as_ptr(), out.read_ptr(b.start, len)) => {}
        Src::Slice(v) if b.stream && b.tile.is_none() => out.stream(b.start, v),
        Src::Slice(v) => {
            for (r, chunk) in v.chunks(seg).enumerate() {
                out.write(b.start + r * rs, chunk);
            }
        }
        Src::Scalar(v) => {
            for r in 0..len.div_ceil(seg) {
                out.fill(b.start + r * rs, seg.min(len - r * seg), v);
            }
        }
    }
}

/// Leaves in `b.results` where the registers read after the program (reduction sources) hold
/// their values: an input's memory when aliased (`alias`), else the register itself (in the
/// file at `base`); sources past the 8th are copied into their registers.
#[inline(always)]
fn leave_results<T: Num>(b: &mut Block<'_, T>, alias: &[*const T], base: *mut T) {
    for (i, &r) in b.materialize.iter().enumerate() {
        let p = alias[r as usize];
        // SAFETY: `r` is a register of this file (checked when it was written).
        let reg = unsafe { base.add(r as usize * b.stride) as *const T };
        if i < 8 {
            b.results[i] = if p.is_null() { reg } else { p };
        } else if !p.is_null() {
            // SAFETY: `p` aliases `len` input elements; the register is in range and distinct.
            unsafe { std::ptr::copy_nonoverlapping(p, reg as *mut T, b.len) };
        }
    }
}

isa_dispatch! {
    /// Runs a program over the blocks of `start..end` (see `run_map`): the AVX-512 build for
    /// programs with transcendental ops (compute-bound), the AVX2 build otherwise
    /// (memory-bound: the wide build measured slower). The VM's entry for elementwise kernels
    /// and single blocks ([`exec`]); short- and long-row kernels inline it into their own
    /// per-ISA block loops.
    pub(super) fn map_blocks<T: Num>(prog: &[Instr], b: &mut Block<'_, T>, io: &KernelIo<'_, T>, end: usize) -> () = map_blocks_generic;
    wide_if wants_wide(prog);
}

/// The block loop of `run_map`: `b` starts at the first block and has the block length.
#[inline(always)]
fn map_blocks_generic<T: Num>(prog: &[Instr], b: &mut Block<'_, T>, io: &KernelIo<'_, T>, end: usize) {
    let block = b.len;
    while b.start < end {
        b.len = block.min(end - b.start);
        exec_generic(prog, b, io);
        b.start += block;
    }
}

/// Runs a program over one block (nothing for an empty block).
pub(super) fn exec<T: Num>(prog: &[Instr], b: &mut Block<'_, T>, io: &KernelIo<'_, T>) {
    if b.len > 0 {
        // One pass of the block loop; it advances `start`, which the caller keeps.
        let start = b.start;
        map_blocks(prog, b, io, start + b.len);
        b.start = start;
    }
}
