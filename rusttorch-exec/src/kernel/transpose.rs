//! Loading tiles of transposed inputs through AVX2 8x8 (4-byte) and 4x4 (8-byte) transposes.

use super::access::prefetch_runs;
use super::isa::has_avx2_fma;
use crate::num::Num;

/// Reads the `nr × seg` tile whose element `(r, j)` is `data[base + j * sc + r]` into `d`, row
/// by row (`d[r * seg + j]`): each tile column is a contiguous run of `data`.
///
/// 4- and 8-byte elements move as bits through 8×8 / 4×4 register transposes (AVX2) where the
/// CPU has them; the rest (and other CPUs) element by element.
#[inline(always)]
pub(super) fn load_transposed<T: Num>(
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
