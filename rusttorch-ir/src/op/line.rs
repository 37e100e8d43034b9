//! Line ops: scans, sorts and order statistics, which map each line of their operand
//! along one dim to a line of their output, reading the whole line.
//!
//! A line is the run of elements that differ only in their index along `dim` (the operand seen
//! as `m × k × n`, a line is `k` elements `n` apart). The executor runs a line op as a kernel of
//! its own over a stored operand, lines in parallel, each line by one task from its start, so
//! results do not depend on the thread count. Nothing fuses into a line op (a scan's output
//! element depends on every element before it), but its output is an ordinary stored value that
//! later kernels read.

use super::order::OrderOp;
use crate::DType;

/// Inclusive scans (`out[i] = x[0] ∘ x[1] ∘ ... ∘ x[i]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ScanOp {
    /// Running sum (`cumsum`).
    Sum,
    /// Running product (`cumprod`).
    Prod,
    /// Running maximum (`cummax`); a NaN propagates to the end of the line.
    Max,
    /// Running minimum (`cummin`); a NaN propagates.
    Min,
    /// Running `log(sum(exp(x)))` (`logcumsumexp`), stable for any magnitudes.
    LogSumExp,
}

/// An op over each line of its operand along a dim.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum LineOp {
    /// The running values of a scan (the operand's dtype).
    Scan(ScanOp),
    /// Where each running extreme of a `Max`/`Min` scan was found (int64): the last position of
    /// the running value, as PyTorch gives it (ties and NaNs move the index forward).
    ScanIndex(ScanOp),
    /// The values an order op picks (the operand's dtype): see [`OrderOp`].
    Order(OrderOp),
    /// Where in the line an order op's values were (int64).
    OrderIndex(OrderOp),
}

impl ScanOp {
    /// The PyTorch function computing this scan.
    pub fn name(self) -> &'static str {
        match self {
            ScanOp::Sum => "cumsum",
            ScanOp::Prod => "cumprod",
            ScanOp::Max => "cummax",
            ScanOp::Min => "cummin",
            ScanOp::LogSumExp => "logcumsumexp",
        }
    }

    /// One step of the scan in f64 (the reference; executors compute floats the same way, in
    /// their accumulator type).
    pub fn step_f64(self, acc: f64, x: f64) -> f64 {
        match self {
            ScanOp::Sum => acc + x,
            ScanOp::Prod => acc * x,
            ScanOp::Max | ScanOp::Min => {
                if self.takes(acc, x) {
                    x
                } else {
                    acc
                }
            }
            ScanOp::LogSumExp => log_add_exp(acc, x),
        }
    }

    /// Whether `x` becomes the running extreme of a `Max`/`Min` scan whose value so far is
    /// `acc` (PyTorch: `x >= acc` for max, `x <= acc` for min, and a NaN always does).
    pub fn takes(self, acc: f64, x: f64) -> bool {
        match self {
            ScanOp::Max => x.is_nan() || (!acc.is_nan() && x >= acc),
            ScanOp::Min => x.is_nan() || (!acc.is_nan() && x <= acc),
            _ => false,
        }
    }
}

/// `log(e^a + e^b)` without overflow; `-inf` is the identity.
pub fn log_add_exp(a: f64, b: f64) -> f64 {
    let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
    if hi == f64::NEG_INFINITY || hi.is_nan() || lo.is_nan() {
        return if a.is_nan() || b.is_nan() { f64::NAN } else { hi };
    }
    if hi == f64::INFINITY {
        return hi;
    }
    hi + (lo - hi).exp().ln_1p()
}

impl LineOp {
    /// Name as printed in plans (and the op errors name).
    pub fn name(self) -> String {
        match self {
            LineOp::Scan(s) => s.name().to_string(),
            LineOp::ScanIndex(s) => format!("{}.indices", s.name()),
            LineOp::Order(o) => o.name().to_string(),
            LineOp::OrderIndex(o) => format!("{}.indices", o.name()),
        }
    }

    /// Rough cost per element in simple flops.
    pub fn cost(self) -> u32 {
        match self {
            LineOp::Scan(ScanOp::LogSumExp) => 20,
            LineOp::Scan(_) | LineOp::ScanIndex(_) => 2,
            // A sort's `log2(k)` comparisons, for lines of around a thousand.
            LineOp::Order(_) | LineOp::OrderIndex(_) => 10,
        }
    }

    /// Whether the output is int64 positions in the line (not values of the operand).
    pub fn writes_indices(self) -> bool {
        matches!(self, LineOp::ScanIndex(_) | LineOp::OrderIndex(_))
    }

    /// The output dtype for an operand of dtype `input`.
    pub fn dtype(self, input: DType) -> DType {
        if self.writes_indices() {
            DType::I64
        } else {
            input
        }
    }

    /// Length of an output line for input lines of `k` elements.
    pub fn out_len(self, k: usize) -> usize {
        match self {
            LineOp::Scan(_) | LineOp::ScanIndex(_) => k,
            LineOp::Order(o) | LineOp::OrderIndex(o) => o.out_len(k),
        }
    }

    /// The f64 reference: the output line for `line` (the tests' oracle).
    pub fn apply_f64(self, line: &[f64]) -> Vec<f64> {
        let mut out = Vec::with_capacity(line.len());
        match self {
            LineOp::Scan(s) => {
                let mut acc = None;
                for &x in line {
                    let v = acc.map_or(x, |a| s.step_f64(a, x));
                    acc = Some(v);
                    out.push(v);
                }
            }
            LineOp::ScanIndex(s) => {
                let (mut acc, mut at) = (f64::NAN, 0usize);
                for (i, &x) in line.iter().enumerate() {
                    if i == 0 || s.takes(acc, x) {
                        (acc, at) = (x, i);
                    }
                    out.push(at as f64);
                }
            }
            LineOp::Order(o) => out.extend(o.positions_f64(line).into_iter().map(|p| line[p])),
            LineOp::OrderIndex(o) => out.extend(o.positions_f64(line).into_iter().map(|p| p as f64)),
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_follow_pytorch_on_ties_and_nans() {
        let x = [1.0, 3.0, 3.0, f64::NAN, 5.0, 2.0];
        let v = LineOp::Scan(ScanOp::Max).apply_f64(&x);
        assert_eq!(&v[..3], &[1.0, 3.0, 3.0]);
        assert!(v[3..].iter().all(|v| v.is_nan()));
        // The index follows ties and NaNs forward, and nothing else passes a NaN.
        assert_eq!(LineOp::ScanIndex(ScanOp::Max).apply_f64(&x), vec![0.0, 1.0, 2.0, 3.0, 3.0, 3.0]);
        let nans = [1.0, f64::NAN, 7.0, f64::NAN];
        assert_eq!(LineOp::ScanIndex(ScanOp::Max).apply_f64(&nans), vec![0.0, 1.0, 1.0, 3.0]);
        assert_eq!(LineOp::ScanIndex(ScanOp::Min).apply_f64(&[2.0, 1.0, 1.0, 4.0]), vec![0.0, 1.0, 2.0, 2.0]);
        assert_eq!(LineOp::Scan(ScanOp::Sum).apply_f64(&[1.0, 2.0, 3.0]), vec![1.0, 3.0, 6.0]);
        assert_eq!(LineOp::Scan(ScanOp::Prod).apply_f64(&[2.0, 3.0, 4.0]), vec![2.0, 6.0, 24.0]);
        let l = LineOp::Scan(ScanOp::LogSumExp).apply_f64(&[f64::NEG_INFINITY, 0.0, 0.0, 1000.0]);
        assert_eq!(&l[..2], &[f64::NEG_INFINITY, 0.0]);
        assert!((l[2] - 2f64.ln()).abs() < 1e-15 && l[3] == 1000.0, "{l:?}");
    }
}
