//! Indexing writes (`t[items] = v`, `index_put`): the positions `t[items]` reads, written.
//!
//! `t[items]` reads elements of `t` at positions that are an affine function of the result's
//! coordinates (the layout of the basic items' view) plus, for index tensors, their values
//! times the strides of the dims they select along. The write computes exactly those flat
//! positions (a small fused elementwise expression of the result's size, never of `t`'s) and
//! scatters `v`, broadcast to the result's shape, into `t` flattened: one scatter kernel that
//! writes in place when `t`'s buffer is donated.

use super::advanced::{minus_one_where, out_of_range, Advanced, Index};
use super::gather::signed;
use super::index::IndexItem;
use super::Tensor;
use crate::error::bad_shape;
use crate::op::{BinaryOp, ReduceOp};
use crate::view::{apply_view, contiguous, reshape_strided, Layout};
use crate::{scoped, DType, Error, Result, Shape};

impl Tensor {
    /// `t[items] = values` as a value (`Tensor.index_put_` with any index, `accumulate`
    /// adding instead of writing): this tensor with the elements `self.index_with(items)`
    /// reads replaced by (or, with `accumulate`, increased by) `values`, cast to this tensor's
    /// dtype and broadcast to the shape of `self.index_with(items)`. Where the index repeats a
    /// position the last write wins (accumulating adds them all, in order).
    pub fn index_put(&self, items: &[Index], values: &Tensor, accumulate: bool) -> Result<Tensor> {
        scoped("index_put", || {
            let v = values.cast(self.dtype())?;
            if let Some(mask) = self.elementwise_mask(items, &v) {
                let new = if accumulate { self.binary(BinaryOp::Add, &v)?.cast(self.dtype())? } else { v };
                return mask.where_cond(&new, self)?.cast(self.dtype());
            }
            let items = &self.expand_masks(items)?;
            let (pos, shape) = self.write_positions(items)?;
            if !v.shape().broadcasts_to(&shape) {
                return Err(bad_shape(
                    "index_put",
                    format!("shape mismatch: value tensor of shape {} cannot be broadcast to indexing result of shape {shape}", v.shape()),
                ));
            }
            if shape.numel() == 0 {
                return Ok(self.clone());
            }
            // One value for every position is read with stride 0 (no buffer of the result's
            // size); others are laid out flat in the result's order.
            let v = match v.numel() {
                1 => v.reshape(&[])?.expand(&[shape.numel() as isize])?,
                _ => v.expand(&signed(shape.dims()))?.reshape(&[-1])?,
            };
            let reduce = accumulate.then_some(ReduceOp::Sum);
            let flat = self.reshape(&[-1])?;
            flat.scatter_raw(&pos.reshape(&[-1])?, &v, reduce)?.reshape_to(self.shape().clone())
        })
    }

    /// Whether `self[items] = values` is one elementwise `where` (`t[mask] = v`): one mask over
    /// the leading dims and values that are the same for every true position (they broadcast to
    /// the dims after the mask's). Such a write needs no evaluated mask and fuses.
    pub fn index_put_is_elementwise(&self, items: &[Index], values: &Tensor) -> bool {
        self.elementwise_mask(items, values).is_some()
    }

    /// The mask of an elementwise write (see [`Tensor::index_put_is_elementwise`]), shaped to
    /// broadcast against this tensor.
    fn elementwise_mask(&self, items: &[Index], values: &Tensor) -> Option<Tensor> {
        let [Index::Mask(m)] = items else { return None };
        let k = m.ndim();
        if k == 0 || k > self.ndim() || m.dims() != &self.dims()[..k] {
            return None;
        }
        let trailing = Shape::from(self.dims()[k..].to_vec());
        let lead_ones = values.dims().iter().take_while(|&&d| d == 1).count();
        let v = Shape::from(values.dims()[lead_ones..].to_vec());
        if v.ndim() > trailing.ndim() || !v.broadcasts_to(&trailing) {
            return None;
        }
        let mut at: Vec<isize> = signed(m.dims());
        at.extend(std::iter::repeat_n(1, self.ndim() - k));
        m.reshape(&at).ok()
    }

    /// The flat positions (in this tensor, read row-major) of the elements `self[items]` reads,
    /// as an int64 tensor of that result's shape, and the shape.
    fn write_positions(&self, items: &[Index]) -> Result<(Tensor, Shape)> {
        if !items.iter().any(|i| matches!(i, Index::Tensor(_))) {
            let basic: Vec<IndexItem> =
                items.iter().map(|i| if let Index::Basic(b) = i { *b } else { unreachable!() }).collect();
            let y = self.index(&basic)?;
            let l = layout_in(&y, self)?;
            let terms: Vec<_> = y.dims().iter().zip(&l.strides).enumerate().map(|(d, (&n, &s))| (d, n, s)).collect();
            let pos = affine(y.dims(), l.offset, &terms)?;
            return Ok((pos, y.shape().clone()));
        }
        let Advanced { y, dims, idx, b, adjacent, first } = self.split_advanced(items)?;
        let l = layout_in(&y, self)?;
        // The result's dims: `y`'s other dims, with `b` in place of the advanced ones (where the
        // first of them was when they are adjacent, else in front).
        let at = if adjacent { first } else { 0 };
        let rest: Vec<usize> = (0..y.ndim()).filter(|d| !dims.contains(d)).collect();
        let mut shape: Vec<usize> = rest.iter().map(|&d| y.dims()[d]).collect();
        shape.splice(at..at, b.dims().iter().copied());
        let (nb, nd) = (b.ndim(), shape.len());
        // Index values times their strides, over `b`, placed at `at`.
        let mut adv = Tensor::full(b.clone(), 0i64, DType::I64)?;
        for (&d, t) in dims.iter().zip(&idx) {
            adv = adv.binary(BinaryOp::Add, &t.binary_scalar(BinaryOp::Mul, l.strides[d] as i64)?)?;
        }
        let mut place = vec![1isize; nd];
        place[at..at + nb].copy_from_slice(&signed(b.dims()));
        let adv = adv.reshape(&place)?;
        // The other dims' coordinates times their strides.
        let kept: Vec<(usize, usize, isize)> = rest
            .iter()
            .enumerate()
            .map(|(j, &d)| (if j < at { j } else { j + nb }, y.dims()[d], l.strides[d]))
            .collect();
        let pos = affine(&shape, l.offset, &kept)?;
        let bad = out_of_range(&y, &dims, &idx)?.map(|b| b.reshape(&place)).transpose()?;
        let pos = minus_one_where(bad, pos.binary(BinaryOp::Add, &adv)?)?;
        let shape = Shape::from(shape);
        Ok((pos.expand(&signed(shape.dims()))?, shape))
    }

    /// `out = self` with `src[p]` written (combined by `reduce`) at flat position `pos[p]`:
    /// the 1-d scatter behind the indexing writes.
    fn scatter_raw(&self, pos: &Tensor, src: &Tensor, reduce: Option<ReduceOp>) -> Result<Tensor> {
        match reduce {
            Some(_) => self.scatter_add(0, pos, src),
            None => self.scatter(0, pos, src),
        }
    }
}

/// `offset + Σ coord * stride` over the result dims `terms` names (dim, size, stride), as an
/// int64 tensor of shape `dims`.
fn affine(dims: &[usize], offset: usize, terms: &[(usize, usize, isize)]) -> Result<Tensor> {
    let mut pos = Tensor::full(Shape::scalar(), offset as i64, DType::I64)?;
    for &(d, n, s) in terms {
        if n <= 1 || s == 0 {
            continue;
        }
        let mut at = vec![1isize; dims.len()];
        at[d] = n as isize;
        let c = Tensor::arange(0i64, n as i64, 1i64, DType::I64)?.binary_scalar(BinaryOp::Mul, s as i64)?;
        pos = pos.binary(BinaryOp::Add, &c.reshape(&at)?)?;
    }
    pos.expand(&signed(dims))
}

/// The layout, in `root`'s row-major elements, of `view`: a chain of view ops over `root`.
fn layout_in(view: &Tensor, root: &Tensor) -> Result<Layout> {
    let mut chain = Vec::new();
    let mut cur = view.clone();
    while cur.id() != root.id() {
        let ops = cur.operands();
        if !cur.op().is_movement() || ops.len() != 1 {
            return Err(Error::Internal(format!("index_put: {} is not a view of the indexed tensor", cur.op().name())));
        }
        chain.push(cur.clone());
        cur = ops[0].clone();
    }
    let mut l = contiguous(root.shape());
    for t in chain.iter().rev() {
        let src = t.operands()[0].shape().clone();
        l = apply_view(t.op(), &src, t.shape(), &l)
            .or_else(|| {
                let strides = reshape_strided(src.dims(), &l.strides, t.dims())?;
                Some(Layout { offset: l.offset, strides })
            })
            .ok_or_else(|| Error::Internal("index_put: a view without strides".to_string()))?;
    }
    Ok(l)
}
