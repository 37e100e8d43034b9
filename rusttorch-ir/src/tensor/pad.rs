//! `pad` (PyTorch's `nn.functional.pad`): constant, reflect, replicate and circular padding,
//! built from slices, expands and one concatenation per padded dim.

use super::Tensor;
use crate::error::bad_argument;
use crate::{scoped, Result, Scalar};

/// How `pad` fills the new border.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PadMode {
    /// Every new element is this value (cast to the tensor's dtype).
    Constant(Scalar),
    /// The tensor mirrored at its edge, the edge itself not repeated (`[1 2 3]` → `3 2 | 1 2 3 | 2 1`).
    Reflect,
    /// The edge element repeated.
    Replicate,
    /// The tensor wrapped around (`[1 2 3]` → `2 3 | 1 2 3 | 1 2`).
    Circular,
}

impl PadMode {
    /// The mode named as PyTorch names it (`"constant"`, `"reflect"`, `"replicate"`,
    /// `"circular"`); `value` is the fill of `"constant"`.
    pub fn from_name(name: &str, value: Scalar) -> Result<PadMode> {
        match name {
            "constant" => Ok(PadMode::Constant(value)),
            "reflect" => Ok(PadMode::Reflect),
            "replicate" => Ok(PadMode::Replicate),
            "circular" => Ok(PadMode::Circular),
            other => Err(bad_argument(
                "pad",
                format!("mode must be 'constant', 'reflect', 'replicate' or 'circular', got {other:?}"),
            )),
        }
    }
}

impl Tensor {
    /// Pads the last `pad.len() / 2` dims: `pad = [left_last, right_last, left_prev, right_prev,
    /// ...]` as PyTorch's `pad`. A negative amount crops (constant mode); reflect needs amounts
    /// below the dim's size and circular at most its size. Any leading dims are batch dims.
    pub fn pad(&self, pad: &[isize], mode: PadMode) -> Result<Tensor> {
        scoped("pad", || {
            if !pad.len().is_multiple_of(2) || pad.len() / 2 > self.ndim() {
                return Err(bad_argument(
                    "pad",
                    format!("pad must hold a (left, right) pair for each of at most {} dims, got {pad:?}", self.ndim()),
                ));
            }
            let mut out = self.clone();
            for (i, pair) in pad.chunks(2).enumerate() {
                let d = (self.ndim() - 1 - i) as isize;
                out = out.pad_dim(d, pair[0], pair[1], mode)?;
            }
            Ok(out)
        })
    }

    fn pad_dim(&self, d: isize, left: isize, right: isize, mode: PadMode) -> Result<Tensor> {
        let n = self.dims()[d as usize] as isize;
        if !matches!(mode, PadMode::Constant(_)) && (left < 0 || right < 0) {
            return Err(bad_argument("pad", format!("negative padding ({left}, {right}) needs mode 'constant'")));
        }
        // Cropping first: a negative amount removes elements from that side.
        let (lo, hi) = (left.min(0).abs(), right.min(0).abs());
        if lo + hi > n {
            return Err(bad_argument("pad", format!("padding ({left}, {right}) crops more than dim {d} holds ({n})")));
        }
        let x = self.narrow(d, lo, (n - lo - hi) as usize)?;
        let (left, right) = (left.max(0), right.max(0));
        if left == 0 && right == 0 {
            return Ok(x);
        }
        let n = x.dims()[d as usize] as isize;
        let check = |ok: bool, what: &str| {
            if ok {
                Ok(())
            } else {
                Err(bad_argument("pad", format!("padding ({left}, {right}) of dim {d} of size {n} {what}")))
            }
        };
        let (l, r) = match mode {
            PadMode::Constant(v) => {
                let part = |k: isize| {
                    let mut shape = x.dims().to_vec();
                    shape[d as usize] = k as usize;
                    Tensor::full(shape, v, x.dtype())
                };
                (part(left)?, part(right)?)
            }
            PadMode::Reflect => {
                check(left < n && right < n, "must be less than the size for mode 'reflect'")?;
                // `None` where the stop would be -1, which a slice reads as "the last element".
                let l = if left == 0 { x.narrow(d, 0, 0)? } else { x.slice(d, Some(left), Some(0), -1)? };
                let stop = (n - 2 - right >= 0).then_some(n - 2 - right);
                let r = if right == 0 { x.narrow(d, 0, 0)? } else { x.slice(d, Some(n - 2), stop, -1)? };
                (l, r)
            }
            PadMode::Replicate => {
                check(n > 0, "cannot replicate an empty dim")?;
                let edge = |i: isize, k: isize| {
                    let mut to: Vec<isize> = x.dims().iter().map(|&s| s as isize).collect();
                    to[d as usize] = k;
                    x.narrow(d, i, 1)?.expand(&to)
                };
                (edge(0, left)?, edge(n - 1, right)?)
            }
            PadMode::Circular => {
                check(left <= n && right <= n, "must be at most the size for mode 'circular'")?;
                (x.narrow(d, n - left, left as usize)?, x.narrow(d, 0, right as usize)?)
            }
        };
        let parts: Vec<Tensor> = [l, x, r].into_iter().filter(|t| t.dims()[d as usize] > 0).collect();
        Tensor::cat(&parts, d)
    }
}
