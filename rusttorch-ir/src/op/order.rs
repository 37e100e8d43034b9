//! Order ops: sorts and order statistics (sort, topk, kthvalue, median, mode) as line ops, with
//! their f64 reference.
//!
//! Every order op ranks a line by one total order: NaN above everything (and NaNs equal among
//! themselves), `-0.0 == 0.0`, ties kept in their input order (a stable sort; PyTorch's
//! `stable=True`, which this always is). An op picks positions of that ranking, so its values
//! and indices are always consistent, and the index of a tie is defined (the earlier input).

use std::cmp::Ordering;

/// What an order op picks from the ranked line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum OrderOp {
    /// The whole line, ascending or descending (`sort`, `argsort`).
    Sort {
        /// Largest first (NaNs first).
        descending: bool,
    },
    /// The first `k` of the line sorted descending (`largest`) or ascending (`topk`).
    TopK {
        /// How many.
        k: usize,
        /// Largest first, else smallest first.
        largest: bool,
    },
    /// The element at 0-based position `k` of the ascending line (`kthvalue`'s `k - 1`).
    Kth {
        /// Position in ascending order.
        k: usize,
    },
    /// The lower median (`median`): the element at position `(n - 1) / 2`; a line holding a
    /// NaN gives its first NaN. With `ignore_nan` (`nanmedian`), the lower median of the
    /// non-NaN elements (a line of NaNs gives its first NaN).
    Median {
        /// Skip NaNs (`nanmedian`).
        ignore_nan: bool,
    },
    /// The most frequent value, the smallest of equally frequent ones, and the index of its
    /// last occurrence (`mode`, as PyTorch's CPU kernel).
    Mode,
}

/// The order every order op ranks by: NaN largest, NaNs equal, `-0.0 == 0.0`.
pub fn total_order(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}

impl OrderOp {
    /// The PyTorch function computing this op.
    pub fn name(self) -> &'static str {
        match self {
            OrderOp::Sort { .. } => "sort",
            OrderOp::TopK { .. } => "topk",
            OrderOp::Kth { .. } => "kthvalue",
            OrderOp::Median { ignore_nan: false } => "median",
            OrderOp::Median { ignore_nan: true } => "nanmedian",
            OrderOp::Mode => "mode",
        }
    }

    /// Length of an output line for input lines of `k` elements.
    pub fn out_len(self, k: usize) -> usize {
        match self {
            OrderOp::Sort { .. } => k,
            OrderOp::TopK { k, .. } => k,
            OrderOp::Kth { .. } | OrderOp::Median { .. } | OrderOp::Mode => 1,
        }
    }

    /// The position in the ascending ranking a median picks, for a line of `n` elements of
    /// which `nans` are NaN.
    pub fn median_position(ignore_nan: bool, n: usize, nans: usize) -> usize {
        match (ignore_nan, nans) {
            (false, 0) => (n - 1) / 2,
            (false, _) => n - nans,
            (true, _) if nans == n => 0,
            (true, _) => (n - nans - 1) / 2,
        }
    }

    /// The f64 reference: the positions in `line` of the output line's elements, by a full
    /// stable sort (the executor selects instead where it can, and must agree).
    pub fn positions_f64(self, line: &[f64]) -> Vec<usize> {
        let mut up: Vec<usize> = (0..line.len()).collect();
        up.sort_by(|&a, &b| total_order(line[a], line[b]));
        let mut down: Vec<usize> = (0..line.len()).collect();
        down.sort_by(|&a, &b| total_order(line[b], line[a]));
        match self {
            OrderOp::Sort { descending } => {
                if descending {
                    down
                } else {
                    up
                }
            }
            OrderOp::TopK { k, largest } => {
                let mut all = if largest { down } else { up };
                all.truncate(k);
                all
            }
            OrderOp::Kth { k } => vec![up[k]],
            OrderOp::Median { ignore_nan } => {
                let nans = line.iter().filter(|x| x.is_nan()).count();
                vec![up[Self::median_position(ignore_nan, line.len(), nans)]]
            }
            OrderOp::Mode => {
                // Runs of equal values in ascending order; the first longest run wins.
                let (mut best, mut best_len, mut start) = (up[0], 0, 0);
                for i in 1..=up.len() {
                    if i == up.len() || total_order(line[up[i]], line[up[start]]) != Ordering::Equal {
                        if i - start > best_len {
                            best_len = i - start;
                            best = *up[start..i].iter().max().expect("a run is not empty");
                        }
                        start = i;
                    }
                }
                vec![best]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_ops_rank_nans_last_and_keep_ties_in_order() {
        let x = [2.0, f64::NAN, -0.0, 1.0, 0.0, 2.0, f64::NAN];
        assert_eq!(OrderOp::Sort { descending: false }.positions_f64(&x), vec![2, 4, 3, 0, 5, 1, 6]);
        assert_eq!(OrderOp::Sort { descending: true }.positions_f64(&x), vec![1, 6, 0, 5, 3, 2, 4]);
        assert_eq!(OrderOp::TopK { k: 3, largest: true }.positions_f64(&x), vec![1, 6, 0]);
        assert_eq!(OrderOp::TopK { k: 2, largest: false }.positions_f64(&x), vec![2, 4]);
        assert_eq!(OrderOp::Kth { k: 3 }.positions_f64(&x), vec![0]);
        assert_eq!(OrderOp::Median { ignore_nan: false }.positions_f64(&x), vec![1]);
        // Five non-NaNs: the third smallest.
        assert_eq!(OrderOp::Median { ignore_nan: true }.positions_f64(&x), vec![3]);
        assert_eq!(OrderOp::Median { ignore_nan: false }.positions_f64(&[3.0, 1.0, 2.0, 4.0]), vec![2]);
        assert_eq!(OrderOp::Median { ignore_nan: true }.positions_f64(&[f64::NAN, f64::NAN]), vec![0]);
        // 0.0 and -0.0 tie with 2.0 (two each): the smallest wins, at its last occurrence.
        assert_eq!(OrderOp::Mode.positions_f64(&x), vec![4]);
        assert_eq!(OrderOp::Mode.positions_f64(&[5.0, 1.0, 5.0, 1.0, 7.0]), vec![3]);
    }
}
