//! Strided layouts of views: where the elements of a tensor made by view ops (permute, expand,
//! slice, reshape) sit in the buffer they view. The fusion planner reads views in place with
//! them, and [`Tensor::strided_view`](crate::Tensor::strided_view) hands them to callers that
//! read memory directly (NumPy).

use crate::op::Op;
use crate::{Buffer, Shape};
use smallvec::SmallVec;

/// Where a value's elements sit in its base buffer, in elements.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Index of the first element.
    pub offset: usize,
    /// Step in the buffer per step along each dim (0 for broadcast dims, negative for reversed
    /// ones).
    pub strides: SmallVec<[isize; 6]>,
}

/// The row-major layout of a whole buffer of `shape`.
pub fn contiguous(shape: &Shape) -> Layout {
    Layout { offset: 0, strides: shape.strides().iter().map(|&s| s as isize).collect() }
}

/// Whether `l` walks `shape` in row-major order without gaps (size-1 dims ignored).
pub fn is_contiguous(shape: &Shape, l: &Layout) -> bool {
    let c = shape.strides();
    shape.dims().iter().zip(&c).zip(&l.strides).all(|((&d, &c), &s)| d == 1 || s == c as isize)
}

/// The layout of a view op applied to an operand of shape `src` laid out as `l`; `None` when
/// the view cannot be expressed with strides by this rule: a reshape needs a contiguous
/// operand here (see [`reshape_strided`] for the general case).
pub fn apply_view(op: &Op, src: &Shape, dst: &Shape, l: &Layout) -> Option<Layout> {
    Some(match op {
        Op::Reshape => {
            if !is_contiguous(src, l) {
                return None;
            }
            Layout { offset: l.offset, strides: contiguous(dst).strides }
        }
        Op::Permute(p) => Layout { offset: l.offset, strides: p.iter().map(|&i| l.strides[i]).collect() },
        Op::Expand => {
            let off = dst.ndim() - src.ndim();
            let mut strides: SmallVec<[isize; 6]> = smallvec::smallvec![0; dst.ndim()];
            for (i, &d) in src.dims().iter().enumerate() {
                if !(d == 1 && dst.dims()[i + off] != 1) {
                    strides[i + off] = l.strides[i];
                }
            }
            Layout { offset: l.offset, strides }
        }
        Op::Slice { dim, start, step } => {
            let mut strides = l.strides.clone();
            let offset = if dst.numel() == 0 {
                l.offset
            } else {
                (l.offset as isize + *start as isize * l.strides[*dim]) as usize
            };
            strides[*dim] *= step;
            Layout { offset, strides }
        }
        _ => return None,
    })
}

/// The strides of `dst` that read the same elements in the same order as `src` laid out with
/// `strides`, when some do (NumPy's rule for a reshape without a copy): each run of `src` dims
/// merged or split into `dst` dims must be contiguous within itself; size-1 dims are free.
pub fn reshape_strided(src: &[usize], strides: &[isize], dst: &[usize]) -> Option<SmallVec<[isize; 6]>> {
    if src.iter().product::<usize>() != dst.iter().product::<usize>() {
        return None;
    }
    let mut out: SmallVec<[isize; 6]> = smallvec::smallvec![0; dst.len()];
    if src.contains(&0) {
        return Some(out);
    }
    let (od, os): (SmallVec<[usize; 6]>, SmallVec<[isize; 6]>) =
        src.iter().zip(strides).filter(|(&d, _)| d != 1).map(|(&d, &s)| (d, s)).unzip();
    let (mut oi, mut ni) = (0, 0);
    while ni < dst.len() && oi < od.len() {
        // The smallest runs oi..oj and ni..nj with equal products.
        let (mut oj, mut nj) = (oi + 1, ni + 1);
        let (mut op, mut np) = (od[oi], dst[ni]);
        while op != np {
            if np < op {
                np *= dst[nj];
                nj += 1;
            } else {
                op *= od[oj];
                oj += 1;
            }
        }
        if (oi..oj - 1).any(|k| os[k] != od[k + 1] as isize * os[k + 1]) {
            return None;
        }
        out[nj - 1] = os[oj - 1];
        for k in (ni + 1..nj).rev() {
            out[k - 1] = out[k] * dst[k] as isize;
        }
        (oi, ni) = (oj, nj);
    }
    Some(out)
}

/// A tensor's elements read in place: `buffer[offset + Σ index[d] * strides[d]]`.
#[derive(Clone, Debug)]
pub struct StridedView {
    /// The evaluated buffer the elements sit in.
    pub buffer: Buffer,
    /// Where they sit.
    pub layout: Layout,
}

impl StridedView {
    /// The element at `index` (one index per dim of the view), exactly: ints and bools as
    /// integers, floats as `f64`.
    pub fn element(&self, index: &[usize]) -> crate::Scalar {
        use crate::Scalar;
        let pos = self.layout.offset as isize
            + index.iter().zip(&self.layout.strides).map(|(&i, &s)| i as isize * s).sum::<isize>();
        let pos = pos as usize;
        let b = &self.buffer;
        // The layout was derived from this buffer's own shape, so `pos` is in bounds and the
        // dtype is the buffer's.
        crate::with_element!(b.dtype(), T => Scalar::of(b.as_slice::<T>().expect("dtype checked")[pos]))
    }
}
