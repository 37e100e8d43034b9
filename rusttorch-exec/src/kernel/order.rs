//! Order lines: sorts and order statistics of one line (sort, topk, kthvalue, median, mode),
//! ranking by [`rusttorch_ir::op::order`]'s total order (NaN largest, ties in input order).
//!
//! Each element becomes one integer: its order key ([`Num::order_key`], which ranks as the
//! total order does) above its position. Integers compare in one instruction and ties are
//! broken by position, so an unstable sort of them is the stable sort of the values, and
//! selection picks exactly what the stable sort would.

use crate::num::Num;
use rusttorch_ir::op::OrderOp;
use std::cmp::Ordering;
use std::num::Wrapping;

/// A key and a position packed into one integer that sorts by key, then position.
trait Packed: Ord + Copy {
    fn pack(key: u64, pos: usize) -> Self;
    fn pos(self) -> usize;
    /// The key alone (equal keys: equal values in the total order).
    fn key(self) -> u64;
}

/// 32-bit keys and positions below 2^32.
impl Packed for u64 {
    #[inline(always)]
    fn pack(key: u64, pos: usize) -> u64 {
        (key << 32) | pos as u64
    }
    #[inline(always)]
    fn pos(self) -> usize {
        (self & 0xffff_ffff) as usize
    }
    #[inline(always)]
    fn key(self) -> u64 {
        self >> 32
    }
}

/// 64-bit keys, or long lines.
impl Packed for u128 {
    #[inline(always)]
    fn pack(key: u64, pos: usize) -> u128 {
        (u128::from(key) << 64) | pos as u128
    }
    #[inline(always)]
    fn pos(self) -> usize {
        self as u64 as usize
    }
    #[inline(always)]
    fn key(self) -> u64 {
        (self >> 64) as u64
    }
}

/// The order op's output line: `vals[i] = line[p]` and `idx[i] = p` for the positions `p` it
/// picks (ascending, or descending with ties still in input order).
pub(super) fn order_line<T: Num>(op: OrderOp, line: &[T], vals: &mut [T], idx: &mut [Wrapping<i64>]) {
    if T::KEY_BITS <= 32 && line.len() <= u32::MAX as usize {
        order_packed::<T, u64>(op, line, vals, idx)
    } else {
        order_packed::<T, u128>(op, line, vals, idx)
    }
}

fn order_packed<T: Num, P: Packed>(op: OrderOp, line: &[T], vals: &mut [T], idx: &mut [Wrapping<i64>]) {
    let mask = u64::MAX >> (64 - T::KEY_BITS);
    // Descending ranks use the complemented key: largest first, ties still by position.
    let descending = matches!(op, OrderOp::Sort { descending: true } | OrderOp::TopK { largest: true, .. });
    let mut keys: Vec<P> = line
        .iter()
        .enumerate()
        .map(|(p, &x)| {
            let k = x.order_key();
            P::pack(if descending { !k & mask } else { k }, p)
        })
        .collect();
    let picked: &[P] = match op {
        OrderOp::Sort { .. } => {
            keys.sort_unstable();
            &keys
        }
        OrderOp::TopK { k, .. } => {
            if k > 0 {
                if k < keys.len() {
                    keys.select_nth_unstable(k - 1);
                }
                keys[..k].sort_unstable();
            }
            &keys[..k]
        }
        OrderOp::Kth { k } => select(&mut keys, k),
        OrderOp::Median { ignore_nan } => {
            let nans = line.iter().filter(|x| x.is_nan()).count();
            select(&mut keys, OrderOp::median_position(ignore_nan, line.len(), nans))
        }
        OrderOp::Mode => {
            keys.sort_unstable();
            let (mut best, mut best_len, mut start) = (0, 0, 0);
            for i in 1..=keys.len() {
                if i == keys.len() || keys[i].key() != keys[start].key() {
                    // Positions ascend within a run: its last occurrence is at its end.
                    if i - start > best_len {
                        (best, best_len) = (i - 1, i - start);
                    }
                    start = i;
                }
            }
            &keys[best..=best]
        }
    };
    for ((v, i), &q) in vals.iter_mut().zip(idx.iter_mut()).zip(picked) {
        let p = q.pos();
        (*v, *i) = (line[p], Wrapping(p as i64));
    }
}

/// Position `at` of the ranking, alone.
fn select<P: Packed>(keys: &mut [P], at: usize) -> &[P] {
    keys.select_nth_unstable(at);
    &keys[at..=at]
}

/// The total order of order ops: NaN largest, NaNs equal, `-0.0 == 0.0`.
#[inline(always)]
pub(super) fn rank<T: Num>(a: T, b: T) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_keys_rank_as_the_total_order() {
        let xs = [f32::NEG_INFINITY, -3.5, -1e-45, -0.0, 0.0, 1e-45, 2.0, f32::INFINITY, f32::NAN, -f32::NAN];
        for &a in &xs {
            for &b in &xs {
                assert_eq!(a.order_key().cmp(&b.order_key()), rank(a, b), "{a} vs {b}");
                let (a, b) = (f64::from(a), f64::from(b));
                assert_eq!(a.order_key().cmp(&b.order_key()), rank(a, b), "{a} vs {b}");
            }
        }
        let is = [i32::MIN, -7, -1, 0, 1, 9, i32::MAX].map(Wrapping);
        for &a in &is {
            for &b in &is {
                assert_eq!(a.order_key().cmp(&b.order_key()), a.cmp(&b));
                let (a, b) = (Wrapping(i64::from(a.0)), Wrapping(i64::from(b.0)));
                assert_eq!(a.order_key().cmp(&b.order_key()), a.cmp(&b));
            }
        }
        assert!(Wrapping(i32::MAX).order_key() <= u64::from(u32::MAX));
    }
}
