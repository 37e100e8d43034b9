//! Block reductions: sums (plain, of squares, of a binary op) in 32 lanes with wide
//! accumulators, products in 8 lanes of the accumulator type, and NaN-propagating max/min in
//! 8 lanes.

use super::{Num, Src};
use rusttorch_ir::op::BinaryOp;

/// Sum of a block: 256-element pieces are summed in 32 independent lanes of `T` (8 adds per
/// lane; four vector accumulators, so the adds are not one dependency chain), the pieces' lane
/// partials are accumulated per lane in the accumulator type (f64 for floats), and the 32 lanes
/// are added pairwise at the end, so no f32 partial ever adds more than 8 values.
#[inline(always)]
pub fn block_sum<T: Num>(x: &[T]) -> T::Acc {
    block_sum_of(x, |v| v)
}

/// Sum of the squares of a block, in the same order and precision as squaring the block into a
/// register and then [`block_sum`] (each square rounded to `T`, no fused multiply-add), without
/// the register.
#[inline(always)]
pub fn block_sum_sq<T: Num>(x: &[T]) -> T::Acc {
    block_sum_of(x, |v| v * v)
}

/// The sum (of squares when `square`) of `op(a, b)` over `len` elements, in the same order and
/// precision as computing `op(a, b)` into a block register and then [`block_sum`] or
/// [`block_sum_sq`] of it, without the register. `None` for ops it does not cover.
#[inline(always)]
pub fn block_sum_binary<T: Num>(
    op: BinaryOp,
    square: bool,
    a: Src<'_, T>,
    b: Src<'_, T>,
    len: usize,
) -> Option<T::Acc> {
    macro_rules! forms {
        ($f:expr) => {{
            let f = $f;
            match (a, b, square) {
                (Src::Slice(a), Src::Slice(b), false) => pair_sum(&a[..len], &b[..len], |x, y| f(x, y)),
                (Src::Slice(a), Src::Slice(b), true) => pair_sum(&a[..len], &b[..len], |x, y| sq(f(x, y))),
                (Src::Slice(a), Src::Scalar(y), false) => block_sum_of(&a[..len], |x| f(x, y)),
                (Src::Slice(a), Src::Scalar(y), true) => block_sum_of(&a[..len], |x| sq(f(x, y))),
                (Src::Scalar(x), Src::Slice(b), false) => block_sum_of(&b[..len], |y| f(x, y)),
                (Src::Scalar(x), Src::Slice(b), true) => block_sum_of(&b[..len], |y| sq(f(x, y))),
                (Src::Scalar(_), Src::Scalar(_), _) => return None,
            }
        }};
    }
    #[inline(always)]
    fn sq<T: Num>(v: T) -> T {
        v * v
    }
    Some(match op {
        BinaryOp::Add => forms!(|x: T, y: T| x + y),
        BinaryOp::Sub => forms!(|x: T, y: T| x - y),
        BinaryOp::Mul => forms!(|x: T, y: T| x * y),
        _ => return None,
    })
}

/// The sum of `f(a[i], b[i])`: [`block_sum`]'s pieces and lanes over two slices.
///
/// Each 256-element piece is summed in 32 lanes of `T` (at most 8 adds per lane); each lane's
/// piece partial is added to the same lane of 32 accumulators of type `T::Acc`, and the 32
/// accumulators are added pairwise at the end: no chain of 32 dependent adds per piece.
#[inline(always)]
fn pair_sum<T: Num>(a: &[T], b: &[T], f: impl Fn(T, T) -> T) -> T::Acc {
    const LANES: usize = 32;
    let mut acc = [T::Acc::ZERO; LANES];
    for (pa, pb) in a.chunks(256).zip(b.chunks(256)) {
        let mut lanes = [T::ZERO; LANES];
        let (ca, cb) = (pa.chunks_exact(LANES), pb.chunks_exact(LANES));
        let (ra, rb) = (ca.remainder(), cb.remainder());
        for (x, y) in ca.zip(cb) {
            for i in 0..LANES {
                lanes[i] = lanes[i] + f(x[i], y[i]);
            }
        }
        // A barrier between the lane loop and the flush: without it LLVM's SLP vectoriser builds
        // both as one tree at the flush's width (4 f32 lanes per f64 vector), which halved the
        // lane loop's vectors (xmm instead of ymm): 71 against 77 GB/s from L2 on one thread.
        let lanes = std::hint::black_box(lanes);
        for i in 0..LANES {
            acc[i] = acc[i] + lanes[i].to_acc();
        }
        for (i, (&x, &y)) in ra.iter().zip(rb).enumerate() {
            acc[i] = acc[i] + f(x, y).to_acc();
        }
    }
    let mut w = LANES / 2;
    while w > 0 {
        for i in 0..w {
            acc[i] = acc[i] + acc[i + w];
        }
        w /= 2;
    }
    acc[0]
}

/// [`block_sum`] of `f` applied to each element: [`pair_sum`] with `x` as both slices (the
/// second one's loads are unused, so the compiler drops them).
#[inline(always)]
fn block_sum_of<T: Num>(x: &[T], f: impl Fn(T) -> T) -> T::Acc {
    pair_sum(x, x, |v, _| f(v))
}

/// Product of a block (1 for an empty block), multiplied in 8 lanes of the accumulator type
/// (f64 for floats, so an f32 product neither rounds per element nor overflows midway; wrapping
/// i64 for integers, exact modulo 2^64 in any order). The lane order depends only on the
/// block, so results do not depend on the thread count.
#[inline(always)]
pub fn block_prod<T: Num>(x: &[T]) -> T::Acc {
    let mut lanes = [T::Acc::ONE; 8];
    let chunks = x.chunks_exact(8);
    let rem = chunks.remainder();
    for c in chunks {
        for i in 0..8 {
            lanes[i] = lanes[i] * c[i].to_acc();
        }
    }
    let mut p = (lanes[0] * lanes[1]) * (lanes[2] * lanes[3]) * ((lanes[4] * lanes[5]) * (lanes[6] * lanes[7]));
    for &r in rem {
        p = p * r.to_acc();
    }
    p
}

/// NaN-propagating max of a block (`-inf` for an empty block), in 8 lanes.
#[inline(always)]
pub fn block_max<T: Num>(x: &[T]) -> T::Acc {
    lanes_fold(x, T::from_f64(f64::NEG_INFINITY), |m, v| if v > m || v.is_nan() { v } else { m }).to_acc()
}

/// NaN-propagating min of a block (`+inf` for an empty block), in 8 lanes.
#[inline(always)]
pub fn block_min<T: Num>(x: &[T]) -> T::Acc {
    lanes_fold(x, T::from_f64(f64::INFINITY), |m, v| if v < m || v.is_nan() { v } else { m }).to_acc()
}

/// Folds a block in 8 independent lanes, then folds the lanes. `f(acc, v)` must keep NaN
/// once it is in `acc` (the comparisons above do: `v > NaN` is false).
#[inline(always)]
fn lanes_fold<T: Num>(x: &[T], init: T, f: impl Fn(T, T) -> T) -> T {
    let mut lanes = [init; 8];
    let chunks = x.chunks_exact(8);
    let rem = chunks.remainder();
    for c in chunks {
        for i in 0..8 {
            lanes[i] = f(lanes[i], c[i]);
        }
    }
    let mut m = init;
    for l in lanes {
        m = f(m, l);
    }
    for &r in rem {
        m = f(m, r);
    }
    m
}
