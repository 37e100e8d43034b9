//! Order lines: sorts and order statistics of one line (sort, topk, kthvalue, median, mode),
//! ranking by [`rusttorch_ir::op::order`]'s total order (NaN largest, ties in input order).

use crate::num::Num;
use rusttorch_ir::op::OrderOp;
use std::cmp::Ordering;
use std::num::Wrapping;

/// The order op's output line: `vals[i] = line[p]` and `idx[i] = p` for the positions `p` it
/// picks. Selection (`topk`, `kthvalue`, `median`) ranks by value then position, a total order
/// under which it picks exactly what the reference's full stable sort does.
pub(super) fn order_line<T: Num>(op: OrderOp, line: &[T], vals: &mut [T], idx: &mut [Wrapping<i64>]) {
    let mut perm: Vec<usize> = (0..line.len()).collect();
    let up = |a: &usize, b: &usize| rank(line[*a], line[*b]).then(a.cmp(b));
    let down = |a: &usize, b: &usize| rank(line[*b], line[*a]).then(a.cmp(b));
    let picked: &[usize] = match op {
        OrderOp::Sort { descending } => {
            if descending {
                perm.sort_by(|a, b| rank(line[*b], line[*a]));
            } else {
                perm.sort_by(|a, b| rank(line[*a], line[*b]));
            }
            &perm
        }
        OrderOp::TopK { k, largest } => {
            if k > 0 {
                let cmp = if largest { &down as &dyn Fn(&usize, &usize) -> Ordering } else { &up };
                if k < perm.len() {
                    perm.select_nth_unstable_by(k - 1, cmp);
                }
                perm[..k].sort_unstable_by(cmp);
            }
            &perm[..k]
        }
        OrderOp::Kth { k } => select(&mut perm, k, up),
        OrderOp::Median { ignore_nan } => {
            let nans = line.iter().filter(|x| x.is_nan()).count();
            select(&mut perm, OrderOp::median_position(ignore_nan, line.len(), nans), up)
        }
        OrderOp::Mode => {
            perm.sort_by(|a, b| rank(line[*a], line[*b]));
            let (mut best, mut best_len, mut start) = (0, 0, 0);
            for i in 1..=perm.len() {
                if i == perm.len() || rank(line[perm[i]], line[perm[start]]) != Ordering::Equal {
                    // The stable sort leaves a run's last occurrence at its end.
                    if i - start > best_len {
                        (best, best_len) = (perm[i - 1], i - start);
                    }
                    start = i;
                }
            }
            perm[0] = best;
            &perm[..1]
        }
    };
    for ((v, i), &p) in vals.iter_mut().zip(idx.iter_mut()).zip(picked) {
        (*v, *i) = (line[p], Wrapping(p as i64));
    }
}

/// Position `at` of the ranking, alone.
fn select(perm: &mut [usize], at: usize, cmp: impl FnMut(&usize, &usize) -> Ordering) -> &[usize] {
    perm.select_nth_unstable_by(at, cmp);
    &perm[at..=at]
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
