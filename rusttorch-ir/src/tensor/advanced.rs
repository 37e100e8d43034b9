//! Advanced indexing reads (`t[idx]`, `t[0, :, [1, 2]]`): integer index tensors broadcast
//! together and become one gather, placed as NumPy places them.

use super::gather::signed;
use super::index::IndexItem;
use super::Tensor;
use crate::op::BinaryOp;
use crate::{scoped, DType, Error, Result, Shape};

/// An advanced index taken apart (see [`Tensor::split_advanced`]).
pub(super) struct Advanced {
    /// The view the basic items give, every advanced dim kept whole.
    pub y: Tensor,
    /// The dims of `y` the index tensors select along, in order.
    pub dims: Vec<usize>,
    /// The index tensors (int64, negatives wrapped), broadcast to `b`.
    pub idx: Vec<Tensor>,
    /// Their broadcast shape.
    pub b: Shape,
    /// Whether the advanced dims are adjacent (their result dims then replace them in place).
    pub adjacent: bool,
    /// The first advanced dim of `y`.
    pub first: usize,
}

/// One item of an index expression that may hold integer index tensors.
#[derive(Clone, Debug)]
pub enum Index {
    /// An int, slice, `None` or `...`.
    Basic(IndexItem),
    /// An int32/int64 tensor of positions in the next dim (negative count from the end).
    Tensor(Tensor),
    /// A bool mask over the next `mask.ndim()` dims (of their exact sizes): the positions of
    /// its true elements, as one index tensor per dim (NumPy's rule). Reading through a mask
    /// needs it evaluated (its true count is the result's size).
    Mask(Tensor),
}

impl Index {
    /// The masks among `items` that are not evaluated yet.
    pub fn lazy_masks(items: &[Index]) -> Vec<Tensor> {
        items
            .iter()
            .filter_map(|i| if let Index::Mask(m) = i { (!m.is_evaluated()).then(|| m.clone()) } else { None })
            .collect()
    }

    /// How many dims of the indexed tensor the item consumes.
    fn consumes(&self) -> usize {
        match self {
            Index::Basic(IndexItem::NewAxis | IndexItem::Ellipsis) => 0,
            Index::Basic(_) | Index::Tensor(_) => 1,
            Index::Mask(m) => m.ndim(),
        }
    }
}

impl From<IndexItem> for Index {
    fn from(i: IndexItem) -> Index {
        Index::Basic(i)
    }
}

impl Tensor {
    /// `t[items]` with integer index tensors (NumPy's advanced indexing): the index tensors,
    /// and the ints next to them, broadcast together to a shape `B` that replaces the dims
    /// they index, in place when they are adjacent and first otherwise; slices, `None` and
    /// `...` keep their dims. Without index tensors this is [`Tensor::index`] (a view).
    ///
    /// Indices of an evaluated index tensor are checked when built
    /// ([`Error::IndexOutOfRange`] naming `index`, the dim of `self` and its size); those of a
    /// lazy one when evaluated, by the gather (which then names `gather` and the flat index).
    pub fn index_with(&self, items: &[Index]) -> Result<Tensor> {
        let items = &scoped("index", || self.expand_masks(items))?[..];
        if !items.iter().any(|i| matches!(i, Index::Tensor(_))) {
            let basic: Vec<IndexItem> =
                items.iter().map(|i| if let Index::Basic(b) = i { *b } else { unreachable!() }).collect();
            return self.index(&basic);
        }
        scoped("index", || self.advanced(items))
    }

    /// `items` with each (evaluated) mask replaced by the index tensors of its true positions,
    /// after checking its shape against the dims it covers.
    pub(super) fn expand_masks(&self, items: &[Index]) -> Result<Vec<Index>> {
        if !items.iter().any(|i| matches!(i, Index::Mask(_))) {
            return Ok(items.to_vec());
        }
        let consumed: usize = items.iter().map(Index::consumes).sum();
        if consumed > self.ndim() {
            return Err(Error::TooManyIndices { shape: self.shape().clone(), given: consumed });
        }
        let (mut out, mut own) = (Vec::new(), 0usize);
        for item in items {
            match item {
                Index::Mask(m) => {
                    let covered = &self.dims()[own..own + m.ndim()];
                    if m.ndim() == 0 || m.dims() != covered {
                        return Err(Error::MaskShape {
                            mask: m.shape().clone(),
                            shape: self.shape().clone(),
                            dim: own,
                        });
                    }
                    out.extend(m.nonzero_tuple()?.into_iter().map(Index::Tensor));
                }
                Index::Basic(IndexItem::Ellipsis) => {
                    own += self.ndim() - consumed;
                    out.push(item.clone());
                }
                other => out.push(other.clone()),
            }
            own += item.consumes();
        }
        Ok(out)
    }

    /// The parts of an advanced index: the view the basic items give (advanced dims kept
    /// whole), the dims of that view the index tensors select along, and the index tensors
    /// wrapped and broadcast together.
    pub(super) fn split_advanced(&self, items: &[Index]) -> Result<Advanced> {
        let full = IndexItem::Slice { start: None, stop: None, step: 1 };
        let consumed =
            items.iter().filter(|i| !matches!(i, Index::Basic(IndexItem::NewAxis | IndexItem::Ellipsis))).count();
        if items.iter().filter(|i| matches!(i, Index::Basic(IndexItem::Ellipsis))).count() > 1 {
            return Err(Error::MultipleEllipsis);
        }
        if consumed > self.ndim() {
            return Err(Error::TooManyIndices { shape: self.shape().clone(), given: consumed });
        }
        // The basic pass keeps every advanced dim whole; `adv` holds (dim of the basic result,
        // dim of self, index tensor).
        let (mut basic, mut adv, mut out_dim, mut own) = (Vec::new(), Vec::new(), 0usize, 0usize);
        for item in items {
            match item {
                Index::Basic(IndexItem::Ellipsis) => {
                    let n = self.ndim() - consumed;
                    basic.extend(std::iter::repeat_n(full, n));
                    (out_dim, own) = (out_dim + n, own + n);
                }
                Index::Basic(IndexItem::NewAxis) => {
                    basic.push(IndexItem::NewAxis);
                    out_dim += 1;
                }
                Index::Basic(s @ IndexItem::Slice { .. }) => {
                    basic.push(*s);
                    (out_dim, own) = (out_dim + 1, own + 1);
                }
                Index::Basic(IndexItem::Int(i)) => {
                    basic.push(full);
                    adv.push((out_dim, own, Tensor::from_vec(vec![*i as i64], Shape::scalar())?));
                    (out_dim, own) = (out_dim + 1, own + 1);
                }
                Index::Mask(_) => unreachable!("masks are expanded first"),
                Index::Tensor(t) => {
                    Tensor::check_index("index", "an index tensor", t)?;
                    basic.push(full);
                    adv.push((out_dim, own, t.clone()));
                    (out_dim, own) = (out_dim + 1, own + 1);
                }
            }
        }
        let y = self.index(&basic)?;
        let adjacent = adv.windows(2).all(|w| w[1].0 == w[0].0 + 1);
        let first = adv[0].0;
        // Each index wrapped and checked against its dim, then all broadcast together.
        let mut idx = Vec::new();
        for (d, own, t) in &adv {
            let size = y.dims()[*d];
            check_ready(t, *own, size)?;
            idx.push(Tensor::wrap_negative(&t.cast(DType::I64)?, size)?);
        }
        let idx = Tensor::broadcast_tensors(&idx)?;
        let b = idx[0].shape().clone();
        let dims = adv.iter().map(|a| a.0).collect();
        Ok(Advanced { y, dims, idx, b, adjacent, first })
    }

    fn advanced(&self, items: &[Index]) -> Result<Tensor> {
        let Advanced { y, dims: advanced, idx, b, adjacent, first } = self.split_advanced(items)?;
        // One flat position over the advanced dims (row-major), -1 where any index is out of
        // range (lazy index tensors), so the gather reports it.
        let mut flat = Tensor::full(b.clone(), 0i64, DType::I64)?;
        for (&d, t) in advanced.iter().zip(&idx) {
            flat = flat.binary_scalar(BinaryOp::Mul, y.dims()[d] as i64)?.binary(BinaryOp::Add, t)?;
        }
        let flat = minus_one_where(out_of_range(&y, &advanced, &idx)?, flat)?;
        // The advanced dims first, merged into one; the gather runs along it.
        let rest: Vec<usize> = (0..y.ndim()).filter(|d| !advanced.contains(d)).collect();
        let perm: Vec<isize> = advanced.iter().chain(&rest).map(|&d| d as isize).collect();
        let rest_dims: Vec<usize> = rest.iter().map(|&d| y.dims()[d]).collect();
        let merged: usize = advanced.iter().map(|&d| y.dims()[d]).product();
        let mut ys = vec![merged];
        ys.extend(&rest_dims);
        let y2 = y.permute(&perm)?.reshape(&signed(&ys))?;
        let mut out_dims = b.dims().to_vec();
        out_dims.extend(&rest_dims);
        let out = if b.ndim() < 2 {
            let mut at = vec![b.numel()];
            at.extend(std::iter::repeat_n(1, rest_dims.len()));
            let mut gs = vec![b.numel()];
            gs.extend(&rest_dims);
            let flat = flat.reshape(&signed(&at))?.expand(&signed(&gs))?;
            y2.gather(0, &flat)?.reshape(&signed(&out_dims))?
        } else {
            // The gather yields `B + other dims` itself (no reshape of its result, which would
            // store it): the merged dim stays first and the table is broadcast over `B`'s other
            // dims (a stride-0 view).
            let ones = |n: usize, tail: &[usize]| {
                let mut d = vec![1; n];
                d.extend(tail);
                d
            };
            let mut xs = vec![merged];
            xs.extend(ones(b.ndim() - 1, &rest_dims));
            let mut xe = vec![merged];
            xe.extend(&out_dims[1..]);
            let table = y2.reshape(&signed(&xs))?.expand(&signed(&xe))?;
            let mut at = b.dims().to_vec();
            at.extend(ones(rest_dims.len(), &[]));
            table.gather(0, &flat.reshape(&signed(&at))?.expand(&signed(&out_dims))?)?
        };
        if !adjacent || first == 0 {
            return Ok(out);
        }
        // Adjacent advanced indices replace their dims in place: the `first` dims before them
        // move back in front.
        let nb = b.ndim();
        let perm: Vec<isize> =
            (nb..nb + first).chain(0..nb).chain(nb + first..out.ndim()).map(|d| d as isize).collect();
        out.permute(&perm)
    }
}

/// Where any of the (wrapped) index tensors `idx`, selecting along `dims` of `y`, is out of
/// range (over their broadcast shape): lazy index tensors are only known when evaluated, so
/// positions there become -1 and the kernel reading them reports it.
pub(super) fn out_of_range(y: &Tensor, dims: &[usize], idx: &[Tensor]) -> Result<Option<Tensor>> {
    let mut bad = None::<Tensor>;
    for (&d, t) in dims.iter().zip(idx) {
        let size = y.dims()[d] as i64;
        let out = t.binary_scalar(BinaryOp::Lt, 0)?.logical_or(&t.binary_scalar(BinaryOp::Ge, size)?)?;
        bad = Some(match bad {
            Some(b) => b.logical_or(&out)?,
            None => out,
        });
    }
    Ok(bad)
}

/// `-1` where `bad` (if any), else `pos`.
pub(super) fn minus_one_where(bad: Option<Tensor>, pos: Tensor) -> Result<Tensor> {
    match bad {
        Some(bad) => bad.where_cond(&Tensor::full(Shape::scalar(), -1i64, DType::I64)?, &pos),
        None => Ok(pos),
    }
}

/// Checks an evaluated index tensor against a dim of `size` (dim `dim` of the indexed tensor).
fn check_ready(t: &Tensor, dim: usize, size: usize) -> Result<()> {
    let Some(buf) = t.buffer() else { return Ok(()) };
    let bad = buf.to_f64_vec().into_iter().find(|&i| i < -(size as f64) || i >= size as f64);
    match bad {
        Some(i) => Err(Error::IndexOutOfRange { op: "index", index: i as isize, dim, size }),
        None => Ok(()),
    }
}
