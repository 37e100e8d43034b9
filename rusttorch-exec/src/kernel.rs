//! The block executor: runs one [`FusedKernel`] in a single pass over cache-sized blocks,
//! in parallel over blocks (or rows, or column tiles) on a rayon pool.
//!
//! Dispatch happens per block: each instruction applies to a whole block of registers.
//! Reductions keep per-chunk partial results in f64 and combine them in a fixed order, so the
//! result does not depend on the number of threads.

use crate::cancel::is_set;
use crate::num::{
    binary, block_max, block_min, block_sum, block_sum_binary, block_sum_sq, combine, identity, select, unary, Num, Src,
};
use rayon::prelude::*;
use rusttorch_ir::op::{ArgOp, BinaryOp, ReduceOp, Scalar};
use rusttorch_ir::plan::{
    FusedKernel, Instr, KernelInput, KernelShape, Operand, ReduceInstr, Reg, Stage, WHOLE_ROW_MAX,
};
use rusttorch_ir::shape::Dims;
use std::num::Wrapping;
use std::sync::atomic::AtomicBool;

/// Elements per reduction chunk = this many blocks; partials are combined chunk by chunk.
const CHUNK_BLOCKS: usize = 16;

/// Column reductions cut the reduced extent into chunks of at least this many elements.
const COL_CHUNK: usize = 1 << 18;

/// Blocks of whole rows in a column reduction hold up to this many elements (and four rows).
const COL_ROWS_BLOCK: usize = 1 << 14;

/// Column sums add this many rows in the element type before moving them into f64.
const COL_FLUSH: usize = 16;

/// Side of the square tiles an elementwise kernel walks when it reads a transposed input.
const TILE: usize = 64;

/// Elementwise kernels whose outputs are at least this large (beyond the caches) write them
/// with non-temporal stores.
const STREAM_MIN_BYTES: usize = 32 << 20;

/// Most element-instructions (elements times program length) one task of blocks runs, a few
/// milliseconds: it bounds how long a cancelled evaluation takes to stop (tasks are where the
/// flag is looked at), at the cost of one task dispatch (about a microsecond) per task.
const TASK_WORK: usize = 1 << 24;

/// Elementwise kernels up to this size run as a single block.
const SMALL_KERNEL: usize = 4096;

/// Kernels touching fewer elements run on the calling thread: waking the pool costs more
/// (several microseconds) than the work.
const PARALLEL_MIN_ELEMS: usize = 1 << 15;

/// Whether the CPU has the AVX-512 subsets the wide build uses (detected once, cached by std),
/// unless `RUSTTORCH_NO_AVX512` is set.
#[inline(always)]
fn has_avx512() -> bool {
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
fn has_avx2_fma() -> bool {
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
macro_rules! avx2_dispatch {
    ($(#[$m:meta])* fn $name:ident<$t:ident: $bound:ident>($($arg:ident: $ty:ty),*) -> $ret:ty = $generic:ident;) => {
        avx2_dispatch! { $(#[$m])* fn $name<$t: $bound>($($arg: $ty),*) -> $ret = $generic; wide_if false; }
    };
    ($(#[$m:meta])* fn $name:ident<$t:ident: $bound:ident>($($arg:ident: $ty:ty),*) -> $ret:ty = $generic:ident; wide_if $wide:expr;) => {
        $(#[$m])*
        fn $name<$t: $bound>($($arg: $ty),*) -> $ret {
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
                if $wide && $t::FLOAT && has_avx512() {
                    // SAFETY: `wide` only needs the AVX-512 subsets, AVX2 and FMA (checked).
                    return unsafe { wide($($arg),*) };
                }
                if has_avx2_fma() {
                    // SAFETY: `fast` only needs AVX2 and FMA, which the CPU has (checked above).
                    return unsafe { fast($($arg),*) };
                }
            }
            $generic($($arg),*)
        }
    };
}

/// A raw output pointer shared by tasks that write disjoint ranges.
#[derive(Clone, Copy)]
pub(crate) struct OutPtr<T> {
    ptr: *mut T,
    len: usize,
}

// SAFETY: tasks write disjoint index ranges of the output (each block/row/tile is owned by one
// task), and the buffer outlives the parallel loop that writes it.
unsafe impl<T: Send> Send for OutPtr<T> {}
// SAFETY: as above: no two tasks touch the same element.
unsafe impl<T: Send> Sync for OutPtr<T> {}

impl<T: Copy> OutPtr<T> {
    pub(crate) fn new(v: &mut [T]) -> OutPtr<T> {
        OutPtr { ptr: v.as_mut_ptr(), len: v.len() }
    }

    #[inline(always)]
    fn write(&self, start: usize, src: &[T]) {
        assert!(start + src.len() <= self.len, "store out of bounds");
        // SAFETY: in bounds (checked above); the range belongs to the calling task only. `copy`
        // (memmove) because a register may alias the same memory (an in-place epilogue).
        unsafe { std::ptr::copy(src.as_ptr(), self.ptr.add(start), src.len()) }
    }

    /// The `len` elements from `start`, for a task to compute its own range in place.
    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    fn slice_mut(&self, start: usize, len: usize) -> &mut [T] {
        assert!(start + len <= self.len, "store out of bounds");
        // SAFETY: in bounds (checked above); the range belongs to the calling task only, and
        // nothing else reads or writes it while the returned slice lives (one block's program).
        unsafe { std::slice::from_raw_parts_mut(self.ptr.add(start), len) }
    }

    /// A pointer to `len` elements from `start`, for reading a range this task owns before it
    /// writes it (a donated input).
    #[inline(always)]
    fn read_ptr(&self, start: usize, len: usize) -> *const T {
        assert!(start + len <= self.len, "read out of bounds");
        // SAFETY: in bounds (checked above).
        unsafe { self.ptr.add(start) }
    }

    /// Writes 8 elements (an inlined fixed-size copy).
    #[inline(always)]
    fn write_n<const N: usize>(&self, start: usize, src: &[T; N]) {
        assert!(start + N <= self.len, "store out of bounds");
        // SAFETY: in bounds (checked above); the range belongs to the calling task only.
        unsafe { (self.ptr.add(start) as *mut [T; N]).write_unaligned(*src) }
    }

    /// Writes `src` from `start` with non-temporal stores for its 32-byte aligned middle and
    /// plain stores for the unaligned ends (plain stores throughout without AVX2). The writing
    /// task must end with [`store_fence`].
    #[inline(always)]
    fn stream(&self, start: usize, src: &[T]) {
        assert!(start + src.len() <= self.len, "store out of bounds");
        let size = std::mem::size_of::<T>();
        let dst = self.ptr.wrapping_add(start);
        if size == 0 || 32 % size != 0 || !has_avx2_fma() {
            return self.write(start, src);
        }
        // Elements before the first 32-byte boundary, then whole 32-byte chunks.
        let head = ((32 - dst as usize % 32) % 32 / size).min(src.len());
        let body = (src.len() - head) / (32 / size) * (32 / size);
        self.write(start, &src[..head]);
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `head..head + body` is in bounds (checked above) and starts 32-byte aligned
        // (`dst` is `size`-aligned, so `head` elements reach the boundary exactly); `body * size` is
        // a multiple of 32; the range belongs to the calling task only; the CPU has AVX2
        // (checked). Source and destination do not overlap: the source is a register or an input
        // other than the output (callers do not stream into a donated input).
        unsafe {
            stream_bytes(src.as_ptr().add(head) as *const u8, dst.add(head) as *mut u8, body * size)
        };
        self.write(start + head + body, &src[head + body..]);
    }

    #[inline(always)]
    fn fill(&self, start: usize, len: usize, v: T) {
        assert!(start + len <= self.len, "store out of bounds");
        // SAFETY: in bounds (checked above); the range belongs to the calling task only.
        let s = unsafe { std::slice::from_raw_parts_mut(self.ptr.add(start), len) };
        s.fill(v);
    }
}

/// How an input is read: precomputed once per kernel.
pub(crate) enum Access {
    /// Same element order as the space, from `offset`.
    Contiguous { offset: usize },
    /// One value everywhere (element `offset`).
    Scalar { offset: usize },
    /// Strided/broadcast gather over coalesced dims.
    Strided { offset: usize, dims: Dims, strides: smallvec::SmallVec<[isize; 6]> },
}

impl Access {
    pub(crate) fn of(input: &KernelInput) -> Access {
        let offset = input.offset;
        if input.is_scalar() {
            return Access::Scalar { offset };
        }
        if input.is_contiguous() {
            return Access::Contiguous { offset };
        }
        // Coalesce adjacent dims whose strides chain, and drop size-1 dims.
        let mut dims: Dims = Dims::new();
        let mut strides: smallvec::SmallVec<[isize; 6]> = smallvec::SmallVec::new();
        for (&d, &s) in input.read_shape.dims().iter().zip(&input.strides) {
            if d == 1 {
                continue;
            }
            if let (Some(&ld), Some(&ls)) = (dims.last(), strides.last()) {
                if ls == s * d as isize {
                    *dims.last_mut().unwrap() = ld * d;
                    *strides.last_mut().unwrap() = s;
                    continue;
                }
            }
            dims.push(d);
            strides.push(s);
        }
        Access::Strided { offset, dims, strides }
    }
}

/// Reads `dst.len()` elements of `data` starting at flat index `start` of the read shape.
#[inline(always)]
fn gather<T: Num>(access: &Access, data: &[T], start: usize, dst: &mut [T]) {
    let len = dst.len();
    match access {
        Access::Contiguous { offset } => dst.copy_from_slice(&data[offset + start..offset + start + len]),
        Access::Scalar { offset } => dst.fill(data[*offset]),
        Access::Strided { offset, dims, strides } => {
            let nd = dims.len();
            // Multi-index of `start`.
            let mut idx: Dims = smallvec::smallvec![0; nd];
            let mut rem = start;
            for i in (0..nd).rev() {
                idx[i] = rem % dims[i];
                rem /= dims[i];
            }
            let mut off: isize =
                *offset as isize + idx.iter().zip(strides).map(|(&i, &s)| i as isize * s).sum::<isize>();
            let (inner, s_in) = (dims[nd - 1], strides[nd - 1]);
            let mut done = 0;
            while done < len {
                let run = (inner - idx[nd - 1]).min(len - done);
                let out = &mut dst[done..done + run];
                let o = off as usize;
                match s_in {
                    0 => out.fill(data[o]),
                    1 => out.copy_from_slice(&data[o..o + run]),
                    s => {
                        for (j, v) in out.iter_mut().enumerate() {
                            *v = data[(off + j as isize * s) as usize];
                        }
                    }
                }
                done += run;
                // Advance the odometer by `run` along the innermost dim.
                idx[nd - 1] += run;
                off += run as isize * s_in;
                let mut d = nd - 1;
                while idx[d] == dims[d] && d > 0 {
                    off -= idx[d] as isize * strides[d];
                    idx[d] = 0;
                    d -= 1;
                    idx[d] += 1;
                    off += strides[d];
                }
            }
        }
    }
}

/// Everything a kernel reads and writes, typed.
pub(crate) struct KernelIo<'a, T> {
    pub inputs: smallvec::SmallVec<[&'a [T]; 4]>,
    pub access: &'a [Access],
    pub outputs: smallvec::SmallVec<[OutPtr<T>; 2]>,
    /// The kernel's inputs (their layouts).
    pub layouts: &'a [KernelInput],
    /// The input whose buffer is output 0 (buffer donation): its `inputs` entry is empty and it
    /// is read through the output's pointer, contiguously, each block before it is written.
    pub donor: Option<u16>,
}

/// Buffer offset of the element of `input` at flat index `flat` of its read shape.
fn offset_of(input: &KernelInput, mut flat: usize) -> usize {
    let mut off = input.offset as isize;
    for (&d, &s) in input.read_shape.dims().iter().zip(&input.strides).rev() {
        off += (flat % d) as isize * s;
        flat /= d;
    }
    off as usize
}

/// Execution knobs.
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'p> {
    pub block: usize,
    /// Block size of purely elementwise kernels, in 4-byte elements.
    pub map_block: usize,
    pub threads: usize,
    pub pool: Option<&'p rayon::ThreadPool>,
    /// Set when the evaluation is to stop: tasks not started yet are skipped (the kernel's
    /// output is then incomplete, and the engine discards it).
    pub cancel: Option<&'p AtomicBool>,
}

/// One program run over one block.
struct Block<'r, T> {
    /// Registers of the program's own file (`nregs * block` elements).
    regs: &'r mut [T],
    /// Row registers read by `Expand` (full programs only).
    rows: &'r [T],
    /// Register stride.
    stride: usize,
    /// Elements in this block.
    len: usize,
    /// Flat index of the block's first element in its space.
    start: usize,
    /// Elements per row value when expanding (`len` when the block is one row's part).
    expand_run: usize,
    /// Registers read after the program (reduction sources): their data pointers are left in
    /// `results`.
    materialize: &'r [Reg],
    /// Where `materialize[i]` holds its values after the program (an input's memory when the
    /// register aliases it); entries past the 8th are copied into their registers instead.
    results: [*const T; 8],
    /// The matrix product for this block (matmul kernels), `len` elements.
    acc: *const T,
    /// A 2-d tile instead of a flat range: `(segment length, row stride)`; element `i` of the
    /// block is flat index `start + (i / seg) * row_stride + i % seg`.
    tile: Option<(usize, usize)>,
    /// Per input, for tiled blocks: `Some(column stride)` when the input is stored transposed
    /// (unit stride down the tile's rows), so it is read a column at a time.
    transposed: &'r [Option<isize>],
    /// For tiled blocks: flat index of the next tile this task runs minus `start` (0 when none);
    /// its inputs are prefetched while this tile is read.
    next: isize,
    /// Write outputs with non-temporal stores (outputs far larger than the caches; the task
    /// ends with a store fence): full tile rows of tiled blocks, whole flat blocks.
    stream: bool,
    /// The instruction (and output) that writes straight into the output ([`direct_store`]),
    /// settled by the caller once per program.
    direct: Option<(usize, u16)>,
}

/// Asks the CPU to start fetching the cache line holding `p` (any address: a prefetch is only a
/// hint and never faults).
#[inline(always)]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `prefetcht0` reads nothing architecturally and cannot fault; SSE is baseline.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p as *const i8)
    }
}

/// Prefetches `runs` runs of `len` elements, the `k`-th from `p + k * stride`.
#[inline(always)]
fn prefetch_runs<T>(p: *const T, stride: isize, runs: usize, len: usize) {
    for k in 0..runs as isize {
        let run = p.wrapping_offset(k * stride);
        for l in (0..len).step_by(LINE / std::mem::size_of::<T>()) {
            prefetch(run.wrapping_add(l));
        }
    }
}

/// Cache line bytes (for prefetching whole runs).
const LINE: usize = 64;

/// Copies `bytes` (a multiple of 32) from `src` to the 32-byte aligned `dst` with non-temporal
/// stores.
///
/// # Safety
/// The CPU has AVX2; both ranges are valid; `dst` is 32-byte aligned.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn stream_bytes(src: *const u8, dst: *mut u8, bytes: usize) {
    use std::arch::x86_64::*;
    for i in (0..bytes).step_by(32) {
        _mm256_stream_si256(dst.add(i) as *mut __m256i, _mm256_loadu_si256(src.add(i) as *const __m256i));
    }
}

/// Orders this thread's earlier non-temporal stores before its later stores (so whoever syncs
/// with the task afterwards sees them).
#[inline(always)]
fn store_fence() {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `sfence` only orders stores; SSE is baseline on x86_64.
    unsafe {
        std::arch::x86_64::_mm_sfence()
    }
}

/// Reads the `nr × seg` tile whose element `(r, j)` is `data[base + j * sc + r]` into `d`, row
/// by row (`d[r * seg + j]`): each tile column is a contiguous run of `data`.
///
/// 4- and 8-byte elements move as bits through 8×8 / 4×4 register transposes (AVX2) where the
/// CPU has them; the rest (and other CPUs) element by element.
#[inline(always)]
fn load_transposed<T: Num>(
    data: &[T],
    base: isize,
    sc: isize,
    nr: usize,
    seg: usize,
    d: &mut [T],
    next: Option<isize>,
) {
    if nr == 0 || seg == 0 {
        return;
    }
    let d = &mut d[..nr * seg];
    let last = base + (seg as isize - 1) * sc;
    let (lo, hi) = (base.min(last), base.max(last) + nr as isize);
    assert!(lo >= 0 && hi as usize <= data.len(), "transposed tile out of bounds");
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        let (src, dst) = (data.as_ptr(), d.as_mut_ptr());
        match std::mem::size_of::<T>() {
            // SAFETY: every column run `base + j*sc .. + nr` (j < seg) lies inside `data` (checked
            // above) and `d` holds `nr * seg` elements; the CPU has AVX2 (checked); 4-byte `Num`
            // types (f32, i32) are plain bits, moved unchanged.
            4 => return unsafe { transpose_tile_4(src as *const f32, base, sc, nr, seg, dst as *mut f32, next) },
            // SAFETY: as above, for 8-byte types (f64, i64).
            8 => return unsafe { transpose_tile_8(src as *const f64, base, sc, nr, seg, dst as *mut f64, next) },
            _ => {}
        }
    }
    for j in 0..seg {
        let col = (base + j as isize * sc) as usize;
        for (r, &v) in data[col..col + nr].iter().enumerate() {
            d[r * seg + j] = v;
        }
    }
}

/// [`load_transposed`] of 4-byte elements: 8×8 blocks through AVX2 shuffles, edges one by one.
///
/// # Safety
/// The CPU has AVX2; `src[base + j*sc + r]` is readable and `d[r*seg + j]` writable for all
/// `r < nr`, `j < seg`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn transpose_tile_4(
    src: *const f32,
    base: isize,
    sc: isize,
    nr: usize,
    seg: usize,
    d: *mut f32,
    next: Option<isize>,
) {
    use std::arch::x86_64::*;
    let (nr8, seg8) = (nr & !7, seg & !7);
    for jb in (0..seg8).step_by(8) {
        let col = src.offset(base + jb as isize * sc);
        if let Some(nb) = next {
            prefetch_runs(src.wrapping_offset(nb + jb as isize * sc), sc, 8, nr);
        }
        for rb in (0..nr8).step_by(8) {
            let p = col.add(rb);
            let r: [__m256; 8] = std::array::from_fn(|k| _mm256_loadu_ps(p.offset(k as isize * sc)));
            let t0 = _mm256_unpacklo_ps(r[0], r[1]);
            let t1 = _mm256_unpackhi_ps(r[0], r[1]);
            let t2 = _mm256_unpacklo_ps(r[2], r[3]);
            let t3 = _mm256_unpackhi_ps(r[2], r[3]);
            let t4 = _mm256_unpacklo_ps(r[4], r[5]);
            let t5 = _mm256_unpackhi_ps(r[4], r[5]);
            let t6 = _mm256_unpacklo_ps(r[6], r[7]);
            let t7 = _mm256_unpackhi_ps(r[6], r[7]);
            let s0 = _mm256_shuffle_ps::<0x44>(t0, t2);
            let s1 = _mm256_shuffle_ps::<0xEE>(t0, t2);
            let s2 = _mm256_shuffle_ps::<0x44>(t1, t3);
            let s3 = _mm256_shuffle_ps::<0xEE>(t1, t3);
            let s4 = _mm256_shuffle_ps::<0x44>(t4, t6);
            let s5 = _mm256_shuffle_ps::<0xEE>(t4, t6);
            let s6 = _mm256_shuffle_ps::<0x44>(t5, t7);
            let s7 = _mm256_shuffle_ps::<0xEE>(t5, t7);
            let out = d.add(rb * seg + jb);
            _mm256_storeu_ps(out, _mm256_permute2f128_ps::<0x20>(s0, s4));
            _mm256_storeu_ps(out.add(seg), _mm256_permute2f128_ps::<0x20>(s1, s5));
            _mm256_storeu_ps(out.add(2 * seg), _mm256_permute2f128_ps::<0x20>(s2, s6));
            _mm256_storeu_ps(out.add(3 * seg), _mm256_permute2f128_ps::<0x20>(s3, s7));
            _mm256_storeu_ps(out.add(4 * seg), _mm256_permute2f128_ps::<0x31>(s0, s4));
            _mm256_storeu_ps(out.add(5 * seg), _mm256_permute2f128_ps::<0x31>(s1, s5));
            _mm256_storeu_ps(out.add(6 * seg), _mm256_permute2f128_ps::<0x31>(s2, s6));
            _mm256_storeu_ps(out.add(7 * seg), _mm256_permute2f128_ps::<0x31>(s3, s7));
        }
    }
    transpose_edges(src, base, sc, nr, seg, d, nr8, seg8);
}

/// [`load_transposed`] of 8-byte elements: 4×4 blocks through AVX2 shuffles, edges one by one.
///
/// # Safety
/// As [`transpose_tile_4`].
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn transpose_tile_8(
    src: *const f64,
    base: isize,
    sc: isize,
    nr: usize,
    seg: usize,
    d: *mut f64,
    next: Option<isize>,
) {
    use std::arch::x86_64::*;
    let (nr4, seg4) = (nr & !3, seg & !3);
    for jb in (0..seg4).step_by(4) {
        let col = src.offset(base + jb as isize * sc);
        if let Some(nb) = next {
            prefetch_runs(src.wrapping_offset(nb + jb as isize * sc), sc, 4, nr);
        }
        for rb in (0..nr4).step_by(4) {
            let p = col.add(rb);
            let r: [__m256d; 4] = std::array::from_fn(|k| _mm256_loadu_pd(p.offset(k as isize * sc)));
            let t0 = _mm256_unpacklo_pd(r[0], r[1]);
            let t1 = _mm256_unpackhi_pd(r[0], r[1]);
            let t2 = _mm256_unpacklo_pd(r[2], r[3]);
            let t3 = _mm256_unpackhi_pd(r[2], r[3]);
            let out = d.add(rb * seg + jb);
            _mm256_storeu_pd(out, _mm256_permute2f128_pd::<0x20>(t0, t2));
            _mm256_storeu_pd(out.add(seg), _mm256_permute2f128_pd::<0x20>(t1, t3));
            _mm256_storeu_pd(out.add(2 * seg), _mm256_permute2f128_pd::<0x31>(t0, t2));
            _mm256_storeu_pd(out.add(3 * seg), _mm256_permute2f128_pd::<0x31>(t1, t3));
        }
    }
    transpose_edges(src, base, sc, nr, seg, d, nr4, seg4);
}

/// The part of a transposed tile the register blocks left: rows from `nr_done` in every column,
/// then columns from `seg_done` in the rows before it.
///
/// # Safety
/// As [`transpose_tile_4`] (without the AVX2 requirement).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn transpose_edges<E: Copy>(
    src: *const E,
    base: isize,
    sc: isize,
    nr: usize,
    seg: usize,
    d: *mut E,
    nr_done: usize,
    seg_done: usize,
) {
    for j in 0..seg {
        let col = src.offset(base + j as isize * sc);
        let from = if j < seg_done { nr_done } else { 0 };
        for r in from..nr {
            *d.add(r * seg + j) = *col.add(r);
        }
    }
}

#[inline(always)]
fn exec_generic<T: Num>(prog: &[Instr], b: &mut Block<'_, T>, io: &KernelIo<'_, T>) {
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
                let (seg, rs) = b.tile.unwrap();
                let (i, d) = (*input as usize, reg_mut(*dst));
                match b.transposed.get(i).copied().flatten() {
                    Some(sc) => {
                        // Column j of the tile is a contiguous run of the input.
                        let base = offset_of(&io.layouts[i], b.start) as isize;
                        let next = (b.next != 0)
                            .then(|| offset_of(&io.layouts[i], (b.start as isize + b.next) as usize) as isize);
                        load_transposed(io.inputs[i], base, sc, len / seg, seg, d, next);
                    }
                    None => match io.access[i] {
                        // Full tile rows: fixed-size copies the compiler inlines (a memcpy call
                        // per row cost more than the copy).
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
                Some(*dst)
            }
            Instr::Load { dst, input } if io.donor == Some(*input) => {
                // The donated input is output 0's memory: alias the block's range through the
                // output's raw pointer (no reference to the whole buffer is ever made).
                let Access::Contiguous { offset } = io.access[*input as usize] else {
                    unreachable!("a donated input is read contiguously")
                };
                new_alias = io.outputs[0].read_ptr(offset + b.start, len);
                Some(*dst)
            }
            Instr::Load { dst, input } => {
                let i = *input as usize;
                if let Access::Contiguous { offset } = io.access[i] {
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
                let d = reg_mut(*dst);
                let row = &b.rows[*s as usize * stride..];
                for (j, chunk) in d.chunks_mut(b.expand_run.max(1)).enumerate() {
                    chunk.fill(row[j]);
                }
                Some(*dst)
            }
            Instr::Arange { dst, start, step } => {
                let (seg, rs) = b.tile.unwrap_or((len.max(1), 0));
                let index = |i: usize| b.start + (i / seg) * rs + i % seg;
                match (start.as_int(), step.as_int()) {
                    // Exact: every value lies between start and stop, both int64, so the
                    // wrapping products and sums are the true ones.
                    (Some(s0), Some(st)) => {
                        for (i, d) in reg_mut(*dst).iter_mut().enumerate() {
                            *d = T::from_i64(s0.wrapping_add(st.wrapping_mul(index(i) as i64)));
                        }
                    }
                    _ => {
                        let (s0, st) = (start.get(), step.get());
                        for (i, d) in reg_mut(*dst).iter_mut().enumerate() {
                            *d = T::from_f64(s0 + st * index(i) as f64);
                        }
                    }
                }
                Some(*dst)
            }
            Instr::Unary { op, dst, src: s } => {
                let d = dst_mut(*dst);
                match src(s) {
                    Src::Slice(a) => unary(*op, d, a),
                    Src::Scalar(v) => {
                        d.fill(v);
                        let tmp: Vec<T> = d.to_vec();
                        unary(*op, d, &tmp);
                    }
                }
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
            Instr::Store { output, src: s } => {
                let out = &io.outputs[*output as usize];
                let (seg, rs) = b.tile.unwrap_or((len.max(1), 0));
                match src(s) {
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
                None
            }
        };
        if let Some(d) = dst {
            alias[d as usize] = new_alias;
        }
    }
    // Where the registers read after the program (reduction sources) hold their values: an
    // input's memory when aliased, else the register itself.
    for (i, &r) in b.materialize.iter().enumerate() {
        let p = alias[r as usize];
        // SAFETY: `r` is a register of this file (checked when it was written).
        let reg = unsafe { base.add(r as usize * stride) as *const T };
        if i < 8 {
            b.results[i] = if p.is_null() { reg } else { p };
        } else if !p.is_null() {
            // SAFETY: `p` aliases `len` input elements; the register is in range and distinct.
            unsafe { std::ptr::copy_nonoverlapping(p, reg as *mut T, len) };
        }
    }
}

/// The instruction (and its output) whose result goes straight into the output's range of a
/// flat block: the last computing instruction when only stores follow it and one of them stores
/// its register, which nothing reads after the program. Saves a register round trip and a copy
/// per block. For flat blocks only (callers): not for tiles (their output rows are apart) or
/// matmul epilogues (their accumulator is the output's memory); `materialize` are the
/// registers read after the program. Never with a donated input (read through the output).
fn direct_store<T>(prog: &[Instr], materialize: &[Reg], io: &KernelIo<'_, T>) -> Option<(usize, u16)> {
    if io.donor.is_some() {
        return None;
    }
    let stores = prog.iter().rev().take_while(|i| matches!(i, Instr::Store { .. })).count();
    let at = prog.len().checked_sub(stores + 1)?;
    let r = match prog[at] {
        Instr::Binary { dst, .. } | Instr::Unary { dst, .. } | Instr::Select { dst, .. } => dst,
        _ => return None,
    };
    if stores == 0 || materialize.contains(&r) {
        return None;
    }
    prog[at + 1..].iter().find_map(|i| match *i {
        Instr::Store { output, src: Operand::Reg(s) } if s == r => Some((at, output)),
        _ => None,
    })
}

impl<'r, T> Block<'r, T> {
    /// A full-space block of `len` elements from flat index `start` (expanding row values over
    /// the whole block, no matmul tile, flat order); callers adjust the other fields.
    fn full(regs: &'r mut [T], rows: &'r [T], stride: usize, start: usize, len: usize, materialize: &'r [Reg]) -> Self {
        Block {
            regs,
            rows,
            stride,
            len,
            start,
            expand_run: len,
            materialize,
            results: [std::ptr::null(); 8],
            acc: std::ptr::null(),
            tile: None,
            transposed: &[],
            next: 0,
            stream: false,
            direct: None,
        }
    }

    /// A row-space block of `len` row values from row `start`.
    fn row(regs: &'r mut [T], stride: usize, start: usize, len: usize) -> Self {
        Block { expand_run: 1, ..Block::full(regs, &[], stride, start, len, &[]) }
    }

    /// Where each reduction's source holds its values after `exec`.
    fn sources(&self, reduces: &[ReduceInstr]) -> smallvec::SmallVec<[*const T; 8]> {
        reduces.iter().enumerate().map(|(i, red)| self.result(i, red.src)).collect()
    }

    /// Where reduction source `i` (register `r`) holds its values after `exec`.
    fn result(&self, i: usize, r: Reg) -> *const T {
        if i < 8 {
            self.results[i]
        } else {
            self.regs[r as usize * self.stride..].as_ptr()
        }
    }
}

/// The `len` values behind a [`Block::result`] pointer.
///
/// # Safety
/// `p` must come from the last `exec` on a block of at least `len` elements whose registers
/// (and inputs) have not been written since.
#[inline(always)]
unsafe fn result<'a, T>(p: *const T, len: usize) -> &'a [T] {
    std::slice::from_raw_parts(p, len)
}

/// Whether a program is compute-bound enough for the AVX-512 build (transcendental ops).
fn wants_wide(prog: &[Instr]) -> bool {
    prog.iter().any(|i| matches!(i, Instr::Unary { op, .. } if op.info().cost >= 8))
}

avx2_dispatch! {
    /// Runs a program over the blocks of `start..end` (see [`run_map`]): the AVX-512 build for
    /// programs with transcendental ops (compute-bound), the AVX2 build otherwise
    /// (memory-bound: the wide build measured slower). The one entry to the VM, so the VM is
    /// compiled once per ISA and type.
    fn map_blocks<T: Num>(prog: &[Instr], b: &mut Block<'_, T>, io: &KernelIo<'_, T>, end: usize) -> () = map_blocks_generic;
    wide_if wants_wide(prog);
}

/// The block loop of [`run_map`]: `b` starts at the first block and has the block length.
#[inline(always)]
fn map_blocks_generic<T: Num>(prog: &[Instr], b: &mut Block<'_, T>, io: &KernelIo<'_, T>, end: usize) {
    let block = b.len;
    while b.start < end {
        b.len = block.min(end - b.start);
        exec_generic(prog, b, io);
        b.start += block;
    }
}

/// A purely elementwise kernel over `n` flat elements (one stage, no reductions): each task
/// runs its blocks in one loop compiled for the CPU's vector ISA, with the ISA choice, the
/// direct store and the block's bookkeeping settled once per task. Paid per 128-element block
/// instead, they cost about a fifth of W1.
fn run_map<T: Num>(k: &FusedKernel, io: &KernelIo<'_, T>, ctx: Ctx<'_>, n: usize) {
    let b = ctx.block;
    let nblocks = n.div_ceil(b);
    let prog = &k.stages[0].full;
    let per_task = blocks_per_task(nblocks, b, prog.len(), ctx.threads);
    let ntasks = nblocks.div_ceil(per_task);
    // Outputs far larger than the caches go around them: no read-for-ownership of each output
    // line, and the inputs stay cached.
    let stream = io.donor.is_none() && n * std::mem::size_of::<T>() * io.outputs.len() >= STREAM_MIN_BYTES;
    for_tasks(ctx, ntasks, n >= PARALLEL_MIN_ELEMS, k, |s: &mut Scratch<T>, t| {
        let start = t * per_task * b;
        let end = ((t + 1) * per_task * b).min(n);
        let mut fb = Block { expand_run: 1, stream, ..Block::full(&mut s.full, &s.rows, b, start, b, &[]) };
        if !stream {
            fb.direct = direct_store(prog, &[], io);
        }
        map_blocks(prog, &mut fb, io, end);
        if stream {
            store_fence();
        }
    });
}

/// Runs a program over one block (nothing for an empty block).
fn exec<T: Num>(prog: &[Instr], b: &mut Block<'_, T>, io: &KernelIo<'_, T>) {
    if b.len > 0 {
        // One pass of the block loop; it advances `start`, which the caller keeps.
        let start = b.start;
        map_blocks(prog, b, io, start + b.len);
        b.start = start;
    }
}

#[inline(always)]
fn reduce_block<T: Num>(red: &ReduceInstr, x: &[T]) -> T::Acc {
    match red.op {
        ReduceOp::Sum if red.square => block_sum_sq(x),
        ReduceOp::Sum => block_sum(x),
        ReduceOp::Max => block_max(x),
        ReduceOp::Min => block_min(x),
    }
}

/// Combines `x` elementwise into accumulators of type `A` (NaN-propagating max/min: once an
/// accumulator is NaN, `v > NaN` is false and it stays NaN).
#[inline(always)]
fn accumulate_into<A: Num, T: Num>(op: ReduceOp, acc: &mut [A], x: &[T], conv: impl Fn(T) -> A) {
    match op {
        ReduceOp::Sum => {
            for (a, &v) in acc.iter_mut().zip(x) {
                *a = *a + conv(v);
            }
        }
        ReduceOp::Max => {
            for (a, &v) in acc.iter_mut().zip(x) {
                let v = conv(v);
                *a = if v > *a || v.is_nan() { v } else { *a };
            }
        }
        ReduceOp::Min => {
            for (a, &v) in acc.iter_mut().zip(x) {
                let v = conv(v);
                *a = if v < *a || v.is_nan() { v } else { *a };
            }
        }
    }
}

/// Column partials in the accumulator type (the flush of the element-type partials).
#[inline(always)]
fn accumulate_generic<T: Num>(op: ReduceOp, acc: &mut [T::Acc], x: &[T]) {
    accumulate_into(op, acc, x, T::to_acc)
}

/// Column partials in the element type: `x` holds `x.len() / acc.len()` rows, each combined
/// into `acc`. Sums add four rows at a time, `acc + ((r0 + r1) + (r2 + r3))`: one load and store
/// of each partial per four rows instead of per row, and four read streams at once (W6 read
/// its one stream per thread at about 60% of the read bound). Max and min go row by row.
#[inline(always)]
fn accumulate_near_generic<T: Num>(op: ReduceOp, acc: &mut [T], x: &[T]) {
    let w = acc.len();
    if w == 0 {
        return;
    }
    let mut rest = x;
    if op == ReduceOp::Sum {
        let groups = x.chunks_exact(4 * w);
        rest = groups.remainder();
        for g in groups {
            let (r0, g) = g.split_at(w);
            let (r1, g) = g.split_at(w);
            let (r2, r3) = g.split_at(w);
            for ((((a, &v0), &v1), &v2), &v3) in acc.iter_mut().zip(r0).zip(r1).zip(r2).zip(r3) {
                *a = *a + ((v0 + v1) + (v2 + v3));
            }
        }
    }
    for r in rest.chunks_exact(w) {
        accumulate_into(op, acc, r, |v| v)
    }
}

avx2_dispatch! {
    /// [`accumulate_near_generic`], AVX2 where available.
    fn accumulate_near<T: Num>(op: ReduceOp, acc: &mut [T], x: &[T]) -> () = accumulate_near_generic;
}

avx2_dispatch! {
    /// [`accumulate_generic`], AVX2 where available.
    fn accumulate<T: Num>(op: ReduceOp, acc: &mut [T::Acc], x: &[T]) -> () = accumulate_generic;
}

/// Per-task scratch: register files and accumulators.
struct Scratch<T: Num> {
    full: Vec<T>,
    rows: Vec<T>,
    acc: Vec<T::Acc>,
    /// The kept box the files came from, to put them back without a new allocation.
    slot: Option<Box<(Vec<T>, Vec<T>)>>,
}

thread_local! {
    /// Buffers kept per thread between kernels, at most one per type: register files
    /// `(Vec<T>, Vec<T>)`, so a small eval does not allocate and zero them every time, and
    /// column-reduction partials `Vec<A>`, which for a 4096² column sum were otherwise 2 MiB of
    /// fresh pages faulted in on every call.
    static KEPT: std::cell::RefCell<Vec<Box<dyn std::any::Any>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// This thread's kept `V`, if any (see [`keep`]).
fn take_kept<V: 'static>() -> Option<Box<V>> {
    KEPT.with(|c| {
        let mut c = c.borrow_mut();
        let i = c.iter().position(|b| b.is::<V>())?;
        c.swap_remove(i).downcast::<V>().ok()
    })
}

/// Keeps `b` for this thread's next [`take_kept`] (dropped when the thread is exiting or the
/// list is in use).
fn keep(b: Box<dyn std::any::Any>) {
    let _ = KEPT.try_with(|c| {
        if let Ok(mut c) = c.try_borrow_mut() {
            c.push(b);
        }
    });
}

impl<T: Num> Scratch<T> {
    /// Register files for `k` at `block`, reusing this thread's kept ones.
    fn new(k: &FusedKernel, block: usize) -> Scratch<T> {
        let mut slot = take_kept::<(Vec<T>, Vec<T>)>();
        let (full, rows) = slot.as_mut().map(|files| std::mem::take(&mut **files)).unwrap_or_default();
        let mut s = Scratch { full, rows, acc: Vec::new(), slot };
        let (nf, nr) = (k.num_full_regs.max(1) * block, k.num_row_regs.max(1) * block);
        // Exactly this kernel's registers (a cached file may be longer): the VM derives the
        // register count from the file's length, and a longer file would make it allocate an
        // alias table per block.
        s.full.resize(nf, T::ZERO);
        s.rows.resize(nr, T::ZERO);
        s
    }
}

impl<T: Num> Drop for Scratch<T> {
    fn drop(&mut self) {
        // Keep at most a few MiB per thread.
        let bytes = (self.full.len() + self.rows.len()) * std::mem::size_of::<T>();
        if bytes == 0 || bytes > 4 << 20 {
            return;
        }
        let files = (std::mem::take(&mut self.full), std::mem::take(&mut self.rows));
        let slot = match self.slot.take() {
            Some(mut b) => {
                *b = files;
                b
            }
            None => Box::new(files),
        };
        keep(slot);
    }
}

/// Blocks per task for `nblocks` blocks of `block` elements running `instrs` instructions each:
/// about four tasks per thread, each at most [`TASK_WORK`].
fn blocks_per_task(nblocks: usize, block: usize, instrs: usize, threads: usize) -> usize {
    let by_work = TASK_WORK / block.saturating_mul(instrs).max(1);
    nblocks.div_ceil(threads * 4).min(by_work).max(1)
}

/// Runs `f(task)` for `0..n` tasks, in parallel when worthwhile, with per-thread scratch.
fn for_tasks<T: Num>(
    ctx: Ctx<'_>,
    n: usize,
    parallel: bool,
    k: &FusedKernel,
    f: impl Fn(&mut Scratch<T>, usize) + Sync + Send,
) {
    let live = || !is_set(ctx.cancel);
    match ctx.pool {
        Some(pool) if parallel && n > 1 && ctx.threads > 1 => pool.install(|| {
            (0..n).into_par_iter().filter(|_| live()).for_each_init(|| Scratch::new(k, ctx.block), |s, t| f(s, t));
        }),
        _ => {
            let mut s = Scratch::new(k, ctx.block);
            for t in (0..n).take_while(|_| live()) {
                f(&mut s, t);
            }
        }
    }
}

/// Per stage, the registers its reductions read.
fn reduce_sources(k: &FusedKernel) -> smallvec::SmallVec<[smallvec::SmallVec<[Reg; 4]>; 2]> {
    // (Loops rather than collects: this runs per kernel, for small ones too.)
    let mut all = smallvec::SmallVec::new();
    for s in &k.stages {
        let mut regs = smallvec::SmallVec::new();
        for r in &s.reduces {
            regs.push(r.src);
        }
        all.push(regs);
    }
    all
}

/// Runs a kernel.
pub(crate) fn run_kernel<T: Num>(k: &FusedKernel, io: &KernelIo<'_, T>, ctx: Ctx<'_>) {
    if k.shape.full_numel() == 0 && k.shape.row_numel() == 0 {
        return;
    }
    match k.shape {
        KernelShape::Rows { row_len: 1, .. } if tile_shape(k, io).is_some() => {
            let (r, c) = tile_shape(k, io).unwrap();
            run_tiled(k, io, ctx, r, c)
        }
        KernelShape::Rows { rows, row_len: 1 } if k.stages.iter().all(|s| s.reduces.is_empty()) => {
            // Small kernels run as one block: per-block dispatch would dominate.
            let block = if rows <= SMALL_KERNEL {
                rows.max(1)
            } else {
                (ctx.map_block * 4 / std::mem::size_of::<T>().max(1)).max(1)
            };
            match &k.stages[..] {
                [stage] if stage.row.is_empty() => run_map(k, io, Ctx { block, ..ctx }, rows),
                _ => run_short_rows(k, io, Ctx { block, ..ctx }, rows, 1),
            }
        }
        KernelShape::Rows { rows, row_len } if row_len <= ctx.block => run_short_rows(k, io, ctx, rows, row_len),
        // Rows up to WHOLE_ROW_MAX are one block each: one dispatch per stage per row, and
        // stages may share registers (the planner relies on it: `whole_rows`).
        KernelShape::Rows { rows, row_len } if row_len <= WHOLE_ROW_MAX => {
            run_short_rows(k, io, Ctx { block: row_len, ..ctx }, rows, row_len)
        }
        KernelShape::Rows { rows, row_len } => run_long_rows(k, io, ctx, rows, row_len),
        KernelShape::Cols { m, k: kk, n } => run_cols(k, io, ctx, m, kk, n),
        KernelShape::MatMul { .. } => unreachable!("matmul kernels run through run_matmul"),
        KernelShape::Arg { .. } => unreachable!("arg kernels run through run_arg"),
        KernelShape::Concat { outer, inner, ref parts } => run_concat(io, ctx, k, outer, inner, parts),
    }
}

/// Copies each part of a concatenation into its place, in parallel over outer rows.
fn run_concat<T: Num>(
    io: &KernelIo<'_, T>,
    ctx: Ctx<'_>,
    k: &FusedKernel,
    outer: usize,
    inner: usize,
    parts: &[(u16, usize)],
) {
    let total: usize = parts.iter().map(|p| p.1).sum();
    let out = &io.outputs[0];
    let rows_per_task = (ctx.block * 16).div_ceil((total * inner).max(1)).max(1);
    let ntasks = outer.div_ceil(rows_per_task);
    for_tasks(ctx, ntasks, outer * total * inner >= PARALLEL_MIN_ELEMS, k, |_s: &mut Scratch<T>, t| {
        let mut buf: Vec<T> = Vec::new();
        for o in t * rows_per_task..((t + 1) * rows_per_task).min(outer) {
            let mut off = 0;
            for &(i, len) in parts {
                let n = len * inner;
                buf.clear();
                buf.resize(n, T::ZERO);
                gather(&io.access[i as usize], io.inputs[i as usize], o * n, &mut buf);
                out.write((o * total + off) * inner, &buf);
                off += len;
            }
        }
    });
}

/// Runs an argmax/argmin kernel: the first index of the extreme along the middle of
/// `m × k × n` (a NaN counts as the extreme), written as int64 into `out`.
pub(crate) fn run_arg<T: Num>(k: &FusedKernel, io: &KernelIo<'_, T>, out: OutPtr<Wrapping<i64>>, ctx: Ctx<'_>) {
    let KernelShape::Arg { op, m, k: kk, n } = k.shape else { unreachable!("not an arg kernel") };
    if m * n == 0 {
        return;
    }
    let better = |v: T, best: T| !best.is_nan() && (v.is_nan() || if op == ArgOp::Max { v > best } else { v < best });
    let parallel = m * kk * n >= PARALLEL_MIN_ELEMS;
    let piece = ctx.block.max(1);
    if n == 1 {
        // Rows: scan each row in pieces.
        let per_task = m.div_ceil(ctx.threads * 4).max(1);
        for_tasks(ctx, m.div_ceil(per_task), parallel, k, |_s: &mut Scratch<T>, t| {
            let mut buf = vec![T::ZERO; piece.min(kk)];
            for r in t * per_task..((t + 1) * per_task).min(m) {
                let (mut best, mut at) = (T::ZERO, 0usize);
                let mut off = 0;
                while off < kk {
                    let len = piece.min(kk - off);
                    gather(&io.access[0], io.inputs[0], r * kk + off, &mut buf[..len]);
                    for (j, &v) in buf[..len].iter().enumerate() {
                        if off + j == 0 || better(v, best) {
                            (best, at) = (v, off + j);
                        }
                    }
                    off += len;
                }
                out.write(r, &[Wrapping(at as i64)]);
            }
        });
        return;
    }
    // Columns: each task keeps the best of `w` columns while walking down `k`.
    let nlen = n.min(piece);
    let nb = n.div_ceil(nlen);
    for_tasks(ctx, m * nb, parallel, k, |_s: &mut Scratch<T>, t| {
        let (mi, b) = (t / nb, t % nb);
        let n0 = b * nlen;
        let w = nlen.min(n - n0);
        let (mut best, mut row) = (vec![T::ZERO; w], vec![T::ZERO; w]);
        let mut idx = vec![Wrapping(0i64); w];
        gather(&io.access[0], io.inputs[0], mi * kk * n + n0, &mut best);
        for ki in 1..kk {
            gather(&io.access[0], io.inputs[0], (mi * kk + ki) * n + n0, &mut row);
            for ((b, i), &v) in best.iter_mut().zip(idx.iter_mut()).zip(&row) {
                if better(v, *b) {
                    (*b, *i) = (v, Wrapping(ki as i64));
                }
            }
        }
        out.write(mi * n + n0, &idx);
    });
}

/// The operands of a matmul kernel, typed.
pub(crate) struct MatMulIo<'a, T> {
    pub a: &'a [T],
    pub b: &'a [T],
}

/// Runs a matmul kernel: each task computes a tile of output rows with the GEMM crate into
/// task-local scratch, then applies the epilogue program to the tile while it is in cache and
/// writes the kernel's outputs once.
pub(crate) fn run_matmul<T: Num>(k: &FusedKernel, io: &KernelIo<'_, T>, mio: &MatMulIo<'_, T>, ctx: Ctx<'_>) {
    let KernelShape::MatMul { batch, m, k: kk, n } = k.shape else { unreachable!() };
    let ops = k.matmul.as_ref().expect("matmul operands");
    if batch * m * n == 0 {
        return;
    }
    // Tiles hold at most ~1M output elements.
    // One tile of rows per thread (measured at 1024²: 1, 2 and 4 tiles per thread gave 100, 98
    // and 86 GFLOP/s): each tile packs B once, so fewer, larger tiles win.
    let want_tiles = ctx.threads.div_ceil(batch).max(1);
    let rows = m.div_ceil(want_tiles).clamp(1, ((1 << 20) / n.max(1)).max(1));
    let tiles = m.div_ceil(rows);
    let ntasks = batch * tiles;
    let bdims = ops.batch_shape.dims();
    let offsets = |mut bi: usize| {
        let (mut oa, mut ob) = (0, 0);
        for d in (0..bdims.len()).rev() {
            let i = bi % bdims[d];
            bi /= bdims[d];
            oa += i * ops.a_batch_strides[d];
            ob += i * ops.b_batch_strides[d];
        }
        (oa, ob)
    };
    let big = batch * m * n * kk >= 1 << 20;
    let inner = if ntasks == 1 && big { ctx.threads } else { 1 };
    let block = ctx.block;
    let run = |tile: &mut Vec<T>, s: &mut Scratch<T>, t: usize| {
        let (bi, ti) = (t / tiles, t % tiles);
        let (r0, r1) = (ti * rows, ((ti + 1) * rows).min(m));
        let len = (r1 - r0) * n;
        tile.clear();
        tile.resize(len, T::ZERO);
        let (oa, ob) = offsets(bi);
        let lhs = &mio.a[oa + r0 * kk..oa + r1 * kk];
        let rhs = &mio.b[ob..ob + kk * n];
        let par = if inner > 1 { gemm::Parallelism::Rayon(inner) } else { gemm::Parallelism::None };
        // SAFETY: `tile` holds (r1-r0)×n elements written row-major (row stride n, column stride
        // 1); `lhs` holds (r1-r0)×kk elements (row stride kk) and `rhs` kk×n (row stride n), all
        // in bounds by the slicing above; dst does not overlap the operands.
        unsafe {
            gemm::gemm(
                r1 - r0,
                n,
                kk,
                tile.as_mut_ptr(),
                1,
                n as isize,
                false,
                lhs.as_ptr(),
                1,
                kk as isize,
                rhs.as_ptr(),
                1,
                n as isize,
                T::ZERO,
                T::ONE,
                false,
                false,
                false,
                par,
            );
        }
        let base = bi * m * n + r0 * n;
        let mut off = 0;
        while off < len {
            let l = block.min(len - off);
            let mut fb =
                Block { acc: tile[off..].as_ptr(), ..Block::full(&mut s.full, &s.rows, block, base + off, l, &[]) };
            exec(&k.stages[0].full, &mut fb, io);
            off += l;
        }
    };
    let live = || !is_set(ctx.cancel);
    match ctx.pool {
        Some(pool) if big && ntasks > 1 && ctx.threads > 1 => pool.install(|| {
            (0..ntasks)
                .into_par_iter()
                .filter(|_| live())
                .for_each_init(|| (Vec::new(), Scratch::new(k, block)), |(tile, s), t| run(tile, s, t));
        }),
        Some(pool) if big && ntasks == 1 => pool.install(|| run(&mut Vec::new(), &mut Scratch::new(k, block), 0)),
        _ => {
            let (mut tile, mut s) = (Vec::new(), Scratch::new(k, block));
            for t in (0..ntasks).take_while(|_| live()) {
                run(&mut tile, &mut s, t);
            }
        }
    }
}

/// Whether an elementwise kernel should walk its last two dims in square-ish tiles: some input
/// is read with a large innermost stride (a transposed view), so flat blocks would touch a new
/// cache line per element.
fn tile_shape<T>(k: &FusedKernel, io: &KernelIo<'_, T>) -> Option<(usize, usize)> {
    let d = k.full_shape.dims();
    if d.len() < 2 || k.stages.len() != 1 || !k.stages[0].reduces.is_empty() {
        return None;
    }
    let (r, c) = (d[d.len() - 2], d[d.len() - 1]);
    let transposed = io
        .access
        .iter()
        .any(|a| matches!(a, Access::Strided { strides, .. } if strides.last().is_some_and(|&s| s != 0 && s != 1)));
    (transposed && r >= 32 && c >= 32).then_some((r, c))
}

/// An elementwise kernel over `[planes, r, c]` in tiles of `tr × tc`.
fn run_tiled<T: Num>(k: &FusedKernel, io: &KernelIo<'_, T>, ctx: Ctx<'_>, r: usize, c: usize) {
    // Square tiles of TILE × TILE: a transposed input is read as TILE contiguous runs of
    // TILE elements (transposed in registers), every other operand as rows of TILE elements.
    let (tr, tc) = (r.min(TILE), c.min(TILE));
    let b = tr * tc;
    let planes = k.full_shape.numel() / (r * c);
    let (nrt, nct) = (r.div_ceil(tr), c.div_ceil(tc));
    let ntiles = planes * nrt * nct;
    let per_task = blocks_per_task(ntiles, b, k.stages[0].full.len(), ctx.threads);
    let transposed: Vec<Option<isize>> = k
        .inputs
        .iter()
        .map(|i| {
            let n = i.strides.len();
            let (sr, sc) = (i.strides[n - 2], i.strides[n - 1]);
            (sr == 1 && sc != 0 && sc != 1).then_some(sc)
        })
        .collect();
    let parallel = planes * r * c >= PARALLEL_MIN_ELEMS;
    // Flat start, rows and columns of a tile; tiles go along a band of rows, then down.
    let at = |tile: usize| {
        let (p, rt, ct) = (tile / (nrt * nct), tile / nct % nrt, tile % nct);
        let (r0, c0) = (rt * tr, ct * tc);
        (p * r * c + r0 * c + c0, tr.min(r - r0), tc.min(c - c0))
    };
    let stream = planes * r * c * std::mem::size_of::<T>() >= STREAM_MIN_BYTES;
    for_tasks(ctx, ntiles.div_ceil(per_task), parallel, k, |s: &mut Scratch<T>, t| {
        // Registers of a whole tile each, in a file of the task's own: tiles are larger than
        // `ctx.block`, and a per-thread cached scratch grown to tile size would make every later
        // kernel with smaller blocks see (and allocate alias slots for) hundreds of registers
        // (measured: `a + b` at 4096² 7 → 12 ms after a 128² tiled kernel).
        let mut regs = vec![T::ZERO; k.num_full_regs.max(1) * b];
        let end = ((t + 1) * per_task).min(ntiles);
        for tile in t * per_task..end {
            let (start, nr, nc) = at(tile);
            let next = if tile + 1 < end { at(tile + 1).0 as isize - start as isize } else { 0 };
            let mut fb = Block {
                tile: Some((nc, c)),
                transposed: &transposed,
                next,
                stream,
                ..Block::full(&mut regs, &s.rows, b, start, nr * nc, &[])
            };
            exec(&k.stages[0].full, &mut fb, io);
        }
        if stream {
            store_fence();
        }
    });
}

/// Rows no longer than a block: each block holds whole rows.
fn run_short_rows<T: Num>(k: &FusedKernel, io: &KernelIo<'_, T>, ctx: Ctx<'_>, rows: usize, row_len: usize) {
    let b = ctx.block;
    let per_block = (b / row_len.max(1)).max(1);
    let nblocks = rows.div_ceil(per_block);
    // About 4 tasks per thread, each several blocks; tiny kernels run inline.
    let total = rows * row_len;
    let parallel = total >= PARALLEL_MIN_ELEMS;
    let instrs = k.stages.iter().map(|st| st.full.len() + st.row.len()).sum();
    let per_task = blocks_per_task(nblocks, b, instrs, ctx.threads);
    let ntasks = nblocks.div_ceil(per_task);
    let srcs = reduce_sources(k);
    // The last stage's full program may store straight into its output; earlier stages' (and
    // row programs') registers can be read by the stages after them.
    let last = k.stages.len().saturating_sub(1);
    let direct = k.stages.last().and_then(|st| direct_store(&st.full, &srcs[last], io));
    let g = ShortRows { b, per_block, rows, row_len, srcs: &srcs, direct };
    for_tasks(ctx, ntasks, parallel, k, |s: &mut Scratch<T>, t| {
        short_rows_blocks(k, io, s, &g, t * per_task, ((t + 1) * per_task).min(nblocks));
    });
}

/// What every task of a [`run_short_rows`] kernel shares.
struct ShortRows<'a> {
    /// Block length (register stride).
    b: usize,
    /// Rows per block.
    per_block: usize,
    rows: usize,
    row_len: usize,
    /// Per stage, the registers its reductions read.
    srcs: &'a [smallvec::SmallVec<[Reg; 4]>],
    /// The last stage's direct store.
    direct: Option<(usize, u16)>,
}

avx2_dispatch! {
    /// Blocks `b0..b1` of a [`run_short_rows`] kernel, compiled for the vector ISA as one function
    /// (programs and row reductions inlined; the reductions ran in baseline code before).
    fn short_rows_blocks<T: Num>(k: &FusedKernel, io: &KernelIo<'_, T>, s: &mut Scratch<T>, g: &ShortRows<'_>, b0: usize, b1: usize) -> () = short_rows_blocks_generic;
    wide_if k.stages.iter().any(|st| wants_wide(&st.full) || wants_wide(&st.row));
}

#[inline(always)]
fn short_rows_blocks_generic<T: Num>(
    k: &FusedKernel,
    io: &KernelIo<'_, T>,
    s: &mut Scratch<T>,
    g: &ShortRows<'_>,
    b0: usize,
    b1: usize,
) {
    let (b, row_len, last) = (g.b, g.row_len, k.stages.len().saturating_sub(1));
    for blk in b0..b1 {
        let r0 = blk * g.per_block;
        let nr = g.per_block.min(g.rows - r0);
        for (si, stage) in k.stages.iter().enumerate() {
            let mut fb = Block {
                expand_run: row_len,
                direct: if si == last { g.direct } else { None },
                ..Block::full(&mut s.full, &s.rows, b, r0 * row_len, nr * row_len, &g.srcs[si])
            };
            if fb.len > 0 {
                exec_generic(&stage.full, &mut fb, io);
            }
            let res = fb.sources(&stage.reduces);
            for (ri, red) in stage.reduces.iter().enumerate() {
                let dst = &mut s.rows[red.dst as usize * b..][..nr];
                if row_len == 0 {
                    dst.fill(T::from_f64(red.op.identity()));
                    continue;
                }
                // SAFETY: `res` comes from the exec just above; nothing was written since.
                let src = unsafe { result(res[ri], nr * row_len) };
                for (j, d) in dst.iter_mut().enumerate() {
                    *d = T::from_acc(reduce_block(red, &src[j * row_len..(j + 1) * row_len]));
                }
            }
            if nr > 0 && !stage.row.is_empty() {
                exec_generic(&stage.row, &mut Block::row(&mut s.rows, b, r0, nr), io);
            }
        }
    }
}

/// Partial results of every reduction of one stage over elements `[k0, k1)` of row `r`.
#[allow(clippy::too_many_arguments)]
fn row_chunk<T: Num>(
    k: &FusedKernel,
    io: &KernelIo<'_, T>,
    s: &mut Scratch<T>,
    stage: usize,
    b: usize,
    r: usize,
    row_len: usize,
    (k0, k1): (usize, usize),
    partial: &mut [T::Acc],
    srcs: &[Reg],
) {
    let st = &k.stages[stage];
    for (p, red) in partial.iter_mut().zip(&st.reduces) {
        *p = identity(red.op);
    }
    if k0 >= k1 {
        return;
    }
    match SumTail::of(st, srcs) {
        Some((tail, materialize)) => {
            let mut fb = Block::full(&mut s.full, &s.rows, b, r * row_len + k0, b, &materialize);
            chunk_blocks(
                &st.full[..st.full.len() - 1],
                &st.reduces,
                Some(&tail),
                &mut fb,
                io,
                r * row_len + k1,
                partial,
            );
        }
        None => {
            let mut fb = Block::full(&mut s.full, &s.rows, b, r * row_len + k0, b, srcs);
            chunk_blocks(&st.full, &st.reduces, None, &mut fb, io, r * row_len + k1, partial);
        }
    }
}

/// An operand read in place: `(input, offset)` of a contiguous input, or a constant.
type InPlace = Result<(usize, usize), Scalar>;

/// A sum whose source is the program's last instruction, a binary op nothing else reads: the
/// op runs inside the sum (`sum((a-b)**2)` reads `a` and `b` once, with no block register in
/// between: W5). The rest of the program runs as usual and leaves the op's operands where
/// `Block::result` finds them.
struct SumTail {
    /// The reduction it feeds.
    red: usize,
    op: BinaryOp,
    /// Each operand: its position among the block's results, or a constant.
    a: Result<usize, Scalar>,
    b: Result<usize, Scalar>,
    /// The operands' registers (for constants, none).
    a_reg: Option<Reg>,
    b_reg: Option<Reg>,
}

impl SumTail {
    /// The tail of `st` if it has one, with the registers the program's prefix must leave
    /// readable (the other reductions' sources, then the op's register operands).
    fn of(st: &Stage, srcs: &[Reg]) -> Option<(SumTail, smallvec::SmallVec<[Reg; 8]>)> {
        let Some(&Instr::Binary { op, dst, a, b }) = st.full.last() else { return None };
        if !matches!(op, BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul)
            || matches!((a, b), (Operand::Const(_), Operand::Const(_)))
        {
            return None;
        }
        let red = srcs.iter().position(|&r| r == dst)?;
        if srcs.iter().filter(|&&r| r == dst).count() != 1 || st.reduces[red].op != ReduceOp::Sum {
            return None;
        }
        let mut materialize: smallvec::SmallVec<[Reg; 8]> = srcs.into();
        let mut operand = |o: Operand| match o {
            Operand::Reg(r) => {
                materialize.push(r);
                Ok(materialize.len() - 1)
            }
            Operand::Const(c) => Err(c),
        };
        let reg = |o: Operand| match o {
            Operand::Reg(r) => Some(r),
            Operand::Const(_) => None,
        };
        let (a_reg, b_reg) = (reg(a), reg(b));
        let (a, b) = (operand(a), operand(b));
        // Results past the 8th are copied into their registers, which the tail does not read.
        (materialize.len() <= 8).then_some((SumTail { red, op, a, b, a_reg, b_reg }, materialize))
    }

    /// When the program before the tail only loads its operands from contiguous inputs: per
    /// operand, `(input, offset)` or a constant (no program needs to run per block).
    fn inputs_in_place<T: Num>(&self, prefix: &[Instr], io: &KernelIo<'_, T>) -> Option<(InPlace, InPlace)> {
        if io.donor.is_some() {
            return None;
        }
        let mut loads: smallvec::SmallVec<[(Reg, usize, usize); 2]> = smallvec::SmallVec::new();
        for ins in prefix {
            match *ins {
                Instr::Load { dst, input } => match io.access[input as usize] {
                    Access::Contiguous { offset } => loads.push((dst, input as usize, offset)),
                    _ => return None,
                },
                _ => return None,
            }
        }
        let find = |o: Result<usize, Scalar>, reg: Option<Reg>| match (o, reg) {
            (Err(c), _) => Some(Err(c)),
            (Ok(_), Some(r)) => loads.iter().find(|l| l.0 == r).map(|&(_, i, off)| Ok((i, off))),
            (Ok(_), None) => None,
        };
        Some((find(self.a, self.a_reg)?, find(self.b, self.b_reg)?))
    }

    /// The tail's partial sum over the block `b` just computed.
    #[inline(always)]
    fn sum<T: Num>(&self, red: &ReduceInstr, b: &Block<'_, T>) -> T::Acc {
        let len = b.len;
        let src = |o: Result<usize, Scalar>| match o {
            // SAFETY: result `i` was left by the exec of this block just before; nothing was
            // written since, and it holds `len` values.
            Ok(i) => Src::Slice(unsafe { result(b.results[i], len) }),
            Err(c) => Src::Scalar(c.to()),
        };
        block_sum_binary(self.op, red.square, src(self.a), src(self.b), len).expect("ops checked in SumTail::of")
    }
}

avx2_dispatch! {
    /// The block loop of [`row_chunk`], compiled for the vector ISA as one function (programs
    /// and reductions inlined): `b` starts at the first block and has the block length.
    fn chunk_blocks<T: Num>(prog: &[Instr], reduces: &[ReduceInstr], tail: Option<&SumTail>, b: &mut Block<'_, T>, io: &KernelIo<'_, T>, end: usize, partial: &mut [T::Acc]) -> () = chunk_blocks_generic;
    wide_if wants_wide(prog);
}

#[inline(always)]
fn chunk_blocks_generic<T: Num>(
    prog: &[Instr],
    reduces: &[ReduceInstr],
    tail: Option<&SumTail>,
    b: &mut Block<'_, T>,
    io: &KernelIo<'_, T>,
    end: usize,
    partial: &mut [T::Acc],
) {
    let block = b.len;
    if let (Some(t), [red], [p]) = (tail, reduces, &mut *partial) {
        // The whole program is the tail over contiguous inputs: read them in place.
        if let Some((sa, sb)) = t.inputs_in_place(prog, io) {
            while b.start < end {
                let len = block.min(end - b.start);
                let at = |s: InPlace| match s {
                    Ok((i, offset)) => Src::Slice(&io.inputs[i][offset + b.start..offset + b.start + len]),
                    Err(c) => Src::Scalar(c.to()),
                };
                let v = block_sum_binary(t.op, red.square, at(sa), at(sb), len).expect("ops checked in SumTail::of");
                *p = combine(red.op, *p, v);
                b.start += len;
            }
            return;
        }
    }
    while b.start < end {
        let len = block.min(end - b.start);
        b.len = len;
        exec_generic(prog, b, io);
        for (i, (p, red)) in partial.iter_mut().zip(reduces).enumerate() {
            let v = match tail {
                Some(t) if t.red == i => t.sum(red, b),
                // SAFETY: the source's values come from the exec just above; nothing was written since.
                _ => reduce_block(red, unsafe { result(b.result(i, red.src), len) }),
            };
            *p = combine(red.op, *p, v);
        }
        b.start += len;
    }
}

/// Rows longer than a block: a row is processed in chunks of blocks; reductions keep one
/// partial per chunk, combined in chunk order.
fn run_long_rows<T: Num>(k: &FusedKernel, io: &KernelIo<'_, T>, ctx: Ctx<'_>, rows: usize, row_len: usize) {
    let b = ctx.block;
    let chunk = b * CHUNK_BLOCKS;
    let nchunks = row_len.div_ceil(chunk);
    let nred: Vec<usize> = k.stages.iter().map(|s| s.reduces.len()).collect();
    let srcs = reduce_sources(k);
    let finish_row = |s: &mut Scratch<T>, stage: usize, r: usize, partials: &[T::Acc]| {
        let st = &k.stages[stage];
        for (i, red) in st.reduces.iter().enumerate() {
            let mut v = identity(red.op);
            for c in 0..nchunks {
                v = combine(red.op, v, partials[c * st.reduces.len() + i]);
            }
            s.rows[red.dst as usize * b] = T::from_acc(v);
        }
        exec(&st.row, &mut Block::row(&mut s.rows, b, r, 1), io);
    };
    if k.stages.len() == 1 && rows < 2 * ctx.threads && nchunks > 1 {
        // Few long rows: split rows into chunks across tasks, then finish each row.
        let nr = nred[0];
        let mut partials = vec![T::Acc::ZERO; rows * nchunks * nr];
        let pp = OutPtr::new(&mut partials);
        for_tasks(ctx, rows * nchunks, rows * row_len >= PARALLEL_MIN_ELEMS, k, |s: &mut Scratch<T>, t| {
            let (r, c) = (t / nchunks, t % nchunks);
            let mut part: smallvec::SmallVec<[T::Acc; 4]> = smallvec::smallvec![T::Acc::ZERO; nr];
            let range = (c * chunk, ((c + 1) * chunk).min(row_len));
            row_chunk(k, io, s, 0, b, r, row_len, range, &mut part, &srcs[0]);
            pp.write(t * nr, &part);
        });
        let mut s = Scratch::new(k, b);
        for r in 0..rows {
            finish_row(&mut s, 0, r, &partials[r * nchunks * nr..(r + 1) * nchunks * nr]);
        }
        return;
    }
    for_tasks(ctx, rows, rows * row_len >= PARALLEL_MIN_ELEMS, k, |s: &mut Scratch<T>, r| {
        for (si, &nr) in nred.iter().enumerate() {
            let mut partials = vec![T::Acc::ZERO; nchunks * nr];
            for c in 0..nchunks {
                let range = (c * chunk, ((c + 1) * chunk).min(row_len));
                row_chunk(k, io, s, si, b, r, row_len, range, &mut partials[c * nr..(c + 1) * nr], &srcs[si]);
            }
            finish_row(s, si, r, &partials);
        }
    });
}

/// `m × k × n` reducing `k`: tiles of `(k rows) × (n columns)` accumulate column partials.
fn run_cols<T: Num>(k: &FusedKernel, io: &KernelIo<'_, T>, ctx: Ctx<'_>, m: usize, kk: usize, n: usize) {
    if n > ctx.block && n <= WHOLE_ROW_MAX {
        // Whole rows of columns per block: with block-wide tiles every row costs a program
        // dispatch for only a block of additions (W6, a 4096² column sum: 4.5-5.5 ms with
        // 1024-wide tiles, 3.4-3.9 ms with whole rows, alternating in one session). Four rows
        // per block where they fit in COL_ROWS_BLOCK, for `accumulate_near`'s four-row sums.
        let rows = (COL_ROWS_BLOCK / n).clamp(1, 4);
        return run_cols(k, io, Ctx { block: n * rows, ..ctx }, m, kk, n);
    }
    let b = ctx.block;
    let st = &k.stages[0];
    debug_assert!(st.reduces.iter().all(|r| !r.square), "sums of squares are planned for row kernels only");
    let nred = st.reduces.len();
    let (nlen, nblocks, per) = if n <= b { (n, 1, (b / n).max(1)) } else { (b, n.div_ceil(b), 1) };
    // k-rows per chunk: at least COL_CHUNK elements, a multiple of `per`. The chunking depends
    // only on the shape, so results do not depend on the thread count.
    let kc = per * COL_CHUNK.div_ceil(per * nlen).max(1);
    let kchunks = kk.div_ceil(kc).max(1);
    let ntiles = m * nblocks;
    let slot = nred * nlen;
    let srcs = reduce_sources(k);
    // Every task writes its whole slot, so the reused buffer's old values are never read.
    let mut partials = reused_partials::<T::Acc>(ntiles * kchunks * slot);
    let pp = OutPtr::new(&mut partials);
    for_tasks(ctx, ntiles * kchunks, m * kk * n >= PARALLEL_MIN_ELEMS, k, |s: &mut Scratch<T>, t| {
        let (tile, c) = (t / kchunks, t % kchunks);
        let (mi, nb) = (tile / nblocks, tile % nblocks);
        let n0 = nb * nlen;
        let w = nlen.min(n - n0);
        s.acc.clear();
        for red in &st.reduces {
            s.acc.extend(std::iter::repeat_n(identity::<T::Acc>(red.op), nlen));
        }
        // Column partials in T over up to COL_FLUSH k-rows, then added into the f64 ones.
        let mut near: Vec<T> =
            st.reduces.iter().flat_map(|r| std::iter::repeat_n(T::from_f64(r.op.identity()), nlen)).collect();
        let mut pending = 0;
        let mut kr = c * kc;
        let kend = ((c + 1) * kc).min(kk);
        while kr < kend {
            let rr = if w == n { per.min(kend - kr) } else { 1 };
            let len = rr * w;
            let start = mi * kk * n + kr * n + n0;
            let mut fb = Block::full(&mut s.full, &s.rows, b, start, len, &srcs[0]);
            exec(&st.full, &mut fb, io);
            let res = fb.sources(&st.reduces);
            for (i, red) in st.reduces.iter().enumerate() {
                // SAFETY: `res` comes from the exec just above; nothing was written since.
                let src = unsafe { result(res[i], len) };
                accumulate_near(red.op, &mut near[i * nlen..i * nlen + w], &src[..rr * w]);
            }
            pending += rr;
            kr += rr;
            if pending >= COL_FLUSH || kr >= kend {
                for (i, red) in st.reduces.iter().enumerate() {
                    let nv = &mut near[i * nlen..i * nlen + w];
                    accumulate(red.op, &mut s.acc[i * nlen..i * nlen + w], nv);
                    nv.fill(T::from_f64(red.op.identity()));
                }
                pending = 0;
            }
        }
        pp.write(t * slot, &s.acc[..slot]);
    });
    for_tasks(ctx, ntiles, m * n >= PARALLEL_MIN_ELEMS, k, |s: &mut Scratch<T>, tile| {
        let (mi, nb) = (tile / nblocks, tile % nblocks);
        let n0 = nb * nlen;
        let w = nlen.min(n - n0);
        for (i, red) in st.reduces.iter().enumerate() {
            // Chunk after chunk over contiguous partials (column by column, each column's
            // chunks were a stride of a whole slot apart: 12% of W6 in cache misses); each
            // column still combines its chunks in order.
            s.acc.clear();
            s.acc.resize(w, identity(red.op));
            for c in 0..kchunks {
                let part = &partials[(tile * kchunks + c) * slot + i * nlen..][..w];
                for (a, &v) in s.acc.iter_mut().zip(part) {
                    *a = combine(red.op, *a, v);
                }
            }
            for (d, &a) in s.rows[red.dst as usize * b..][..w].iter_mut().zip(&s.acc) {
                *d = T::from_acc(a);
            }
        }
        exec(&st.row, &mut Block::row(&mut s.rows, b, mi * n + n0, w), io);
    });
    keep_partials(partials);
}

/// A buffer of `len` partials: this thread's kept one when there is one (its old values stay:
/// callers overwrite every element before reading it), otherwise a new one.
fn reused_partials<A: Num>(len: usize) -> Vec<A> {
    let mut v = take_kept::<Vec<A>>().map(|b| *b).unwrap_or_default();
    v.resize(len, A::ZERO);
    v
}

/// Keeps `v` for this thread's next [`reused_partials`] (up to 16 MiB).
fn keep_partials<A: Num>(v: Vec<A>) {
    if v.len() * std::mem::size_of::<A>() <= 16 << 20 {
        keep(Box::new(v));
    }
}

/// Copies `src` into `dst[start..]` with the streamed (non-temporal) stores wide outputs use,
/// fenced: exposed for the tests of their alignment edge cases.
#[doc(hidden)]
pub fn stream_copy<T: Copy>(dst: &mut [T], start: usize, src: &[T]) {
    OutPtr::new(dst).stream(start, src);
    store_fence();
}
