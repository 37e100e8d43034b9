//! Searching sorted sequences: searchsorted, bucketize (the [`Op::Search`] primitive) and isin
//! (a sort, a search and a gather, all lazy).

use super::Tensor;
use crate::error::{bad_argument, bad_shape};
use crate::op::{BinaryOp, Op};
use crate::{infer, scoped, DType, Error, Result, Scalar, ScalarKind};
use smallvec::smallvec;

/// Whether a search counts the elements equal to the value (`side='right'`), from PyTorch's two
/// spellings of it: `right`, and `side` (`"left"` or `"right"`), which may not contradict it.
pub fn search_side(op: &'static str, right: bool, side: Option<&str>) -> Result<bool> {
    match side {
        None => Ok(right),
        Some("right") => Ok(true),
        Some("left") if right => {
            Err(bad_argument(op, "side and right can't be set to opposites, got side of left while right was True"))
        }
        Some("left") => Ok(false),
        Some(s) => Err(bad_argument(op, format!("side can only be 'left' or 'right' but got {s}"))),
    }
}

/// Refuses bool operands, which PyTorch does not order for searches.
fn no_bool(op: &'static str, t: &Tensor) -> Result<()> {
    match t.dtype() {
        DType::Bool => Err(Error::UnsupportedDType { op, dtype: DType::Bool }),
        _ => Ok(()),
    }
}

impl Tensor {
    /// `torch.searchsorted(self, values)`: for each element of `values`, the index at which it
    /// would be inserted into its line of this sorted tensor (searched along the last dim) to
    /// keep the line sorted: the first such index, or with `right` the last one. This tensor is
    /// 1-d (one line for every value) or has `values`' rank and leading dims (a line per row of
    /// `values`). With `sorter` (int64 indices of this tensor's shape that sort each line, as
    /// `argsort` gives) the lines are read in that order. The result has `values`' shape and is
    /// int64, or int32 with `out_int32`. Operands of different dtypes are compared in their
    /// promoted dtype; bools are refused. The order is the one `sort` uses: NaN above every
    /// number (a sorted line holds its NaNs last), `-0.0 == 0.0`. Each search is a binary search,
    /// so a line that is not sorted gives some valid insertion index of no particular meaning.
    pub fn searchsorted(
        &self,
        values: &Tensor,
        right: bool,
        sorter: Option<&Tensor>,
        out_int32: bool,
    ) -> Result<Tensor> {
        scoped("searchsorted", || {
            no_bool("searchsorted", self)?;
            no_bool("searchsorted", values)?;
            let shape = infer::search_shape(self.shape(), values.shape())?;
            let line = self.dims()[self.ndim() - 1];
            if out_int32 && line >= i32::MAX as usize {
                return Err(bad_argument(
                    "searchsorted",
                    format!("the size of boundaries' last dimension should be less than {}, but got {line}", i32::MAX),
                ));
            }
            let sorted = match sorter {
                None => self.clone(),
                Some(s) => {
                    if s.dtype() != DType::I64 {
                        let msg = format!("sorter must be a tensor of long dtype but got {}", s.dtype());
                        return Err(bad_argument("searchsorted", msg));
                    }
                    if s.shape() != self.shape() {
                        return Err(bad_shape(
                            "searchsorted",
                            format!(
                                "boundary and sorter must have the same size, but got boundary tensor {} and got \
                                 sorter tensor {}",
                                self.shape(),
                                s.shape()
                            ),
                        ));
                    }
                    self.gather(-1, s)?
                }
            };
            let common = self.dtype().promote(values.dtype());
            let operands = smallvec![sorted.cast(common)?, values.cast(common)?];
            let out = Tensor::lazy(Op::Search { right }, shape, DType::I64, operands);
            if out_int32 {
                out.cast(DType::I32)
            } else {
                Ok(out)
            }
        })
    }

    /// [`Tensor::searchsorted`] of one number `value` of `kind` (a 0-d result; this tensor must
    /// be 1-d). The number takes this tensor's dtype unless its kind is higher, then int64 or
    /// float64 (PyTorch makes a scalar a 0-d tensor of its own type here, so an int sequence is
    /// searched for `2.5` exactly).
    pub fn searchsorted_scalar(
        &self,
        value: impl Into<Scalar>,
        kind: ScalarKind,
        right: bool,
        sorter: Option<&Tensor>,
        out_int32: bool,
    ) -> Result<Tensor> {
        let dtype = match kind {
            k if k <= self.dtype().kind() => self.dtype(),
            ScalarKind::Float => DType::F64,
            _ => DType::I64,
        };
        let v = Tensor::operand_scalar(value.into(), dtype);
        self.searchsorted(&v, right, sorter, out_int32)
    }

    /// `torch.bucketize(self, boundaries)`: the index of the bucket each element falls in,
    /// `boundaries` being 1-d and sorted: `i` with `boundaries[i-1] < x <= boundaries[i]`, or
    /// with `right` `boundaries[i-1] <= x < boundaries[i]` (that is,
    /// `boundaries.searchsorted(self, right)`). Int64, or int32 with `out_int32`.
    pub fn bucketize(&self, boundaries: &Tensor, right: bool, out_int32: bool) -> Result<Tensor> {
        scoped("bucketize", || {
            Tensor::check_boundaries(boundaries)?;
            boundaries.searchsorted(self, right, None, out_int32)
        })
    }

    /// [`Tensor::bucketize`] of one number `value` of `kind` (a 0-d result), typed as in
    /// [`Tensor::searchsorted_scalar`].
    pub fn bucketize_scalar(
        value: impl Into<Scalar>,
        kind: ScalarKind,
        boundaries: &Tensor,
        right: bool,
        out_int32: bool,
    ) -> Result<Tensor> {
        scoped("bucketize", || {
            Tensor::check_boundaries(boundaries)?;
            boundaries.searchsorted_scalar(value, kind, right, None, out_int32)
        })
    }

    /// `bucketize`'s boundaries must be 1-d.
    fn check_boundaries(boundaries: &Tensor) -> Result<()> {
        match boundaries.ndim() {
            1 => Ok(()),
            n => Err(bad_shape("bucketize", format!("boundaries tensor must be 1 dimension, but got dim({n})"))),
        }
    }

    /// `torch.isin(self, test_elements)`: a bool tensor of this tensor's shape, true where the
    /// element equals some element of `test_elements` (any shape), or with `invert` where it
    /// equals none. Both are compared in their promoted dtype; NaN equals nothing, `-0.0`
    /// equals `0.0`; bools are refused (as PyTorch). Built lazily: `test_elements` is flattened
    /// and sorted, each element searched for in it and compared with what it found.
    pub fn isin(&self, test_elements: &Tensor, invert: bool) -> Result<Tensor> {
        scoped("isin", || {
            no_bool("isin", self)?;
            no_bool("isin", test_elements)?;
            let common = self.dtype().promote(test_elements.dtype());
            let x = self.cast(common)?;
            let test = test_elements.cast(common)?.reshape(&[-1])?;
            let n = test.numel();
            if n == 0 {
                return Tensor::full(self.shape().clone(), invert, DType::Bool);
            }
            let sorted = test.sort(0, false)?.0;
            // The first element not below `x`, or the last one when all are below it.
            let at = sorted.searchsorted(&x, false, None, false)?.binary_scalar(BinaryOp::Minimum, n as i64 - 1)?;
            let found = sorted.gather(0, &at.reshape(&[-1])?)?.reshape_to(self.shape().clone())?;
            found.binary(if invert { BinaryOp::Ne } else { BinaryOp::Eq }, &x)
        })
    }
}
