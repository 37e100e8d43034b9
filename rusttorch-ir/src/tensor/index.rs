//! Basic indexing (`t[1, ::2, None, ...]`) as a sequence of view ops.

use super::Tensor;
use crate::{Error, Result};

/// One item of an index expression, as NumPy and PyTorch read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndexItem {
    /// One element of the next dim, which goes away (`t[1]`); negative counts from the end.
    Int(isize),
    /// `start:stop:step` of the next dim (`t[1:]`, `t[::-1]`), bounds clamped as in Python.
    Slice {
        /// First position (`None`: the start, or the end for a negative step).
        start: Option<isize>,
        /// Position to stop before (`None`: past the last in the step's direction).
        stop: Option<isize>,
        /// Distance between positions, not zero.
        step: isize,
    },
    /// A new size-1 dim (`t[None]`).
    NewAxis,
    /// As many full slices as the other items leave dims (`t[..., 0]`); at most one.
    Ellipsis,
}

impl IndexItem {
    /// How many dims of the input this item consumes.
    fn consumes(&self) -> usize {
        match self {
            IndexItem::Int(_) | IndexItem::Slice { .. } => 1,
            IndexItem::NewAxis | IndexItem::Ellipsis => 0,
        }
    }
}

impl Tensor {
    /// `t[items]`: an int is a `select` (the dim goes away), a slice a `slice` (any step), a
    /// new axis an `unsqueeze`, and the ellipsis stands for as many full slices as the other
    /// items leave dims; dims after the last item are kept whole. Every result is a view.
    ///
    /// An index naming more dims than the tensor has is [`Error::TooManyIndices`], a second
    /// ellipsis [`Error::MultipleEllipsis`], an int past its dim [`Error::IndexOutOfRange`]
    /// naming the dim of `self` it indexes.
    pub fn index(&self, items: &[IndexItem]) -> Result<Tensor> {
        let consumed: usize = items.iter().map(IndexItem::consumes).sum();
        if items.iter().filter(|i| matches!(i, IndexItem::Ellipsis)).count() > 1 {
            return Err(Error::MultipleEllipsis);
        }
        if consumed > self.ndim() {
            return Err(Error::TooManyIndices { shape: self.shape().clone(), given: consumed });
        }
        // `d` is the dim of `cur` the next item applies to, `own` the dim of `self` it indexes
        // (the one an error names).
        let (mut cur, mut d, mut own) = (self.clone(), 0isize, 0usize);
        for item in items {
            match *item {
                IndexItem::Int(i) => {
                    cur = cur.select(d, i).map_err(|e| match e {
                        Error::IndexOutOfRange { op, index, size, .. } => {
                            Error::IndexOutOfRange { op, index, dim: own, size }
                        }
                        e => e,
                    })?;
                    own += 1;
                }
                IndexItem::Slice { start, stop, step } => {
                    cur = cur.slice(d, start, stop, step)?;
                    d += 1;
                    own += 1;
                }
                IndexItem::NewAxis => {
                    cur = cur.unsqueeze(d)?;
                    d += 1;
                }
                IndexItem::Ellipsis => {
                    d += (self.ndim() - consumed) as isize;
                    own += self.ndim() - consumed;
                }
            }
        }
        Ok(cur)
    }
}
