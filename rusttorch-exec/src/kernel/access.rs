//! Reading kernel inputs: how each input is accessed, strided gathers, offsets and prefetches.

use crate::num::Num;
use rusttorch_ir::plan::KernelInput;
use rusttorch_ir::shape::Dims;
use smallvec::SmallVec;

/// How an input is read: precomputed once per kernel.
pub(crate) enum Access {
    /// Same element order as the space, from `offset`.
    Contiguous { offset: usize },
    /// One value everywhere (element `offset`).
    Scalar { offset: usize },
    /// Strided/broadcast gather over coalesced dims.
    Strided { offset: usize, dims: Dims, strides: SmallVec<[isize; 6]> },
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
        let mut strides: SmallVec<[isize; 6]> = SmallVec::new();
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
pub(super) fn gather<T: Num>(access: &Access, data: &[T], start: usize, dst: &mut [T]) {
    let len = dst.len();
    match access {
        Access::Contiguous { offset } => dst.copy_from_slice(&data[offset + start..offset + start + len]),
        Access::Scalar { offset } => dst.fill(data[*offset]),
        Access::Strided { .. } => access.runs(start, len, |done, off, run, s| {
            let out = &mut dst[done..done + run];
            let o = off as usize;
            match s {
                0 => out.fill(data[o]),
                1 => out.copy_from_slice(&data[o..o + run]),
                s => {
                    for (j, v) in out.iter_mut().enumerate() {
                        *v = data[(off + j as isize * s) as usize];
                    }
                }
            }
        }),
    }
}

impl Access {
    /// Walks `len` consecutive reads of a strided access from flat index `start` as runs along
    /// the innermost dim: `f(done, offset, run, stride)` for the reads `done..done + run`, at
    /// buffer offsets `offset + j * stride`. Nothing for the other kinds of access.
    #[inline(always)]
    pub(super) fn runs(&self, start: usize, len: usize, mut f: impl FnMut(usize, isize, usize, isize)) {
        let Access::Strided { offset, dims, strides } = self else { return };
        let nd = dims.len();
        // Multi-index of `start`.
        let mut idx: Dims = smallvec::smallvec![0; nd];
        let mut rem = start;
        for i in (0..nd).rev() {
            idx[i] = rem % dims[i];
            rem /= dims[i];
        }
        let mut off: isize = *offset as isize + idx.iter().zip(strides).map(|(&i, &s)| i as isize * s).sum::<isize>();
        let (inner, s_in) = (dims[nd - 1], strides[nd - 1]);
        let mut done = 0;
        while done < len {
            let run = (inner - idx[nd - 1]).min(len - done);
            f(done, off, run, s_in);
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

/// Buffer offset of the element of `input` at flat index `flat` of its read shape.
pub(super) fn offset_of(input: &KernelInput, mut flat: usize) -> usize {
    let mut off = input.offset as isize;
    for (&d, &s) in input.read_shape.dims().iter().zip(&input.strides).rev() {
        off += (flat % d) as isize * s;
        flat /= d;
    }
    off as usize
}

/// Cache line bytes (for prefetching whole runs).
pub(super) const LINE: usize = 64;

/// Asks the CPU to start fetching the cache line holding `p` (any address: a prefetch is only a
/// hint and never faults).
#[inline(always)]
pub(super) fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `prefetcht0` reads nothing architecturally and cannot fault; SSE is baseline.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p as *const i8)
    }
}

/// Prefetches `runs` runs of `len` elements, the `k`-th from `p + k * stride`.
#[inline(always)]
pub(super) fn prefetch_runs<T>(p: *const T, stride: isize, runs: usize, len: usize) {
    for k in 0..runs as isize {
        let run = p.wrapping_offset(k * stride);
        for l in (0..len).step_by(LINE / std::mem::size_of::<T>()) {
            prefetch(run.wrapping_add(l));
        }
    }
}
