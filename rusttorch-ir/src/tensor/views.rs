//! Views and joins: reshape, permute, transpose, expand, slice, select, squeeze, unsqueeze,
//! flatten, `cat` and `stack`, and where a view's elements sit in the buffer it views.

use super::{Operands, Tensor};
use crate::error::{bad_argument, bad_shape};
use crate::op::{Op, UnaryOp};
use crate::view::{apply_view, contiguous, reshape_strided, Layout, StridedView};
use crate::{infer, scoped, Error, Result, Shape};
use smallvec::{smallvec, SmallVec};

impl Tensor {
    /// Same elements under a new shape (same count); one `-1` dim is inferred.
    pub fn reshape(&self, shape: &[isize]) -> Result<Tensor> {
        let numel = self.numel();
        let bad = || Error::BadReshape { op: "reshape", from: self.shape().clone(), to: shape.to_vec() };
        let mut dims: SmallVec<[usize; 6]> = SmallVec::new();
        let mut infer = None;
        for (i, &d) in shape.iter().enumerate() {
            if d == -1 && infer.is_none() {
                infer = Some(i);
                dims.push(1);
            } else if d == -1 {
                return Err(bad_shape("reshape", format!("only one dim can be inferred, got {shape:?}")));
            } else if d < 0 {
                return Err(bad_shape("reshape", format!("invalid size {d} in shape {shape:?}")));
            } else {
                dims.push(d as usize);
            }
        }
        // A product past usize::MAX cannot equal the element count either.
        let known = Shape(dims.clone()).checked_numel().map_err(|_| bad())?;
        if let Some(i) = infer {
            if known == 0 || !numel.is_multiple_of(known) {
                return Err(bad());
            }
            dims[i] = numel / known;
        } else if known != numel {
            return Err(bad());
        }
        self.reshape_to(Shape(dims))
    }

    /// Reorders dims (a view): output dim `i` is input dim `dims[i]`.
    pub fn permute(&self, dims: &[isize]) -> Result<Tensor> {
        if dims.len() != self.ndim() {
            return Err(bad_argument(
                "permute",
                format!("needs {} dims for shape {}, got {dims:?}", self.ndim(), self.shape()),
            ));
        }
        let perm: SmallVec<[usize; 6]> =
            dims.iter().map(|&d| self.shape().normalize_dim("permute", d)).collect::<Result<_>>()?;
        let mut seen = perm.clone();
        seen.sort_unstable();
        if seen.windows(2).any(|w| w[0] == w[1]) {
            return Err(bad_argument("permute", format!("dims {dims:?} repeat a dim")));
        }
        if perm.iter().enumerate().all(|(i, &p)| i == p) {
            return Ok(self.clone());
        }
        let shape = infer::permuted_shape(self.shape(), &perm);
        Ok(Tensor::lazy(Op::Permute(perm), shape, self.dtype(), smallvec![self.clone()]))
    }

    /// Swaps two dims (a view).
    pub fn transpose(&self, d0: isize, d1: isize) -> Result<Tensor> {
        scoped("transpose", || {
            let (a, b) = (self.shape().normalize_dim("transpose", d0)?, self.shape().normalize_dim("transpose", d1)?);
            let mut perm: Vec<isize> = (0..self.ndim() as isize).collect();
            perm.swap(a, b);
            self.permute(&perm)
        })
    }

    /// All dims reversed (a view), PyTorch's `.T`: the transpose of a matrix; a 0-d or 1-d
    /// tensor is returned unchanged.
    pub fn permute_reversed(&self) -> Result<Tensor> {
        let dims: SmallVec<[isize; 6]> = (0..self.ndim() as isize).rev().collect();
        self.permute(&dims)
    }

    /// The last two dims swapped (a view), PyTorch's `.mT`: the transpose of each matrix in a
    /// batch. A tensor of fewer than 2 dims is an [`Error::TooFewDims`].
    pub fn matrix_transpose(&self) -> Result<Tensor> {
        if self.ndim() < 2 {
            return Err(Error::TooFewDims { op: "mT", needed: 2, shape: self.shape().clone() });
        }
        self.transpose(-2, -1)
    }

    /// Broadcasts size-1 dims (and new leading dims) to `shape` (a view); `-1` keeps a size.
    pub fn expand(&self, shape: &[isize]) -> Result<Tensor> {
        if shape.len() < self.ndim() {
            return Err(bad_argument("expand", format!("cannot expand shape {} to {shape:?}", self.shape())));
        }
        let off = shape.len() - self.ndim();
        let mut dims: SmallVec<[usize; 6]> = SmallVec::new();
        for (i, &s) in shape.iter().enumerate() {
            let own = if i >= off { Some(self.dims()[i - off]) } else { None };
            dims.push(match (s, own) {
                (-1, Some(d)) => d,
                (s, _) if s < 0 => return Err(bad_shape("expand", format!("invalid size {s} in {shape:?}"))),
                (s, _) => s as usize,
            });
        }
        let target = Shape(dims);
        if !self.shape().broadcasts_to(&target) {
            return Err(Error::ShapeMismatch { op: "expand", lhs: self.shape().clone(), rhs: target });
        }
        if &target == self.shape() {
            return Ok(self.clone());
        }
        Ok(Tensor::lazy(Op::Expand, target, self.dtype(), smallvec![self.clone()]))
    }

    /// Python-style slice `start:stop:step` of `dim` (a view); bounds are clamped as in Python,
    /// a zero step is an error.
    pub fn slice(&self, dim: isize, start: Option<isize>, stop: Option<isize>, step: isize) -> Result<Tensor> {
        let d = self.shape().normalize_dim("slice", dim)?;
        if step == 0 {
            return Err(bad_argument("slice", "step cannot be zero"));
        }
        let n = self.dims()[d] as isize;
        let norm = |v: isize, lo: isize, hi: isize| if v < 0 { (v + n).max(lo) } else { v.min(hi) };
        let (first, len) = if step > 0 {
            let s = start.map_or(0, |v| norm(v, 0, n));
            let e = stop.map_or(n, |v| norm(v, 0, n));
            (s, if e > s { (e - s + step - 1) / step } else { 0 })
        } else {
            let s = start.map_or(n - 1, |v| norm(v, -1, n - 1));
            let e = stop.map_or(-1, |v| norm(v, -1, n - 1));
            (s, if s > e { (s - e - step - 1) / -step } else { 0 })
        };
        let mut dims: SmallVec<[usize; 6]> = SmallVec::from_slice(self.dims());
        dims[d] = len as usize;
        if len as usize == self.dims()[d] && step == 1 {
            return Ok(self.clone());
        }
        let op = Op::Slice { dim: d, start: if len == 0 { 0 } else { first as usize }, step };
        Ok(Tensor::lazy(op, Shape(dims), self.dtype(), smallvec![self.clone()]))
    }

    /// Element `index` of `dim`, removing the dim (a view); negative indices count from the end.
    pub fn select(&self, dim: isize, index: isize) -> Result<Tensor> {
        scoped("index", || {
            let d = self.shape().normalize_dim("select", dim)?;
            let n = self.dims()[d] as isize;
            let i = if index < 0 { index + n } else { index };
            if i < 0 || i >= n {
                return Err(Error::IndexOutOfRange { op: "index", index, dim: d, size: n as usize });
            }
            let s = self.slice(d as isize, Some(i), Some(i + 1), 1)?;
            let mut dims: SmallVec<[usize; 6]> = SmallVec::from_slice(self.dims());
            dims.remove(d);
            s.reshape_to(Shape(dims))
        })
    }

    /// Removes `dim` if it has size 1, or every size-1 dim when `None`.
    pub fn squeeze(&self, dim: Option<isize>) -> Result<Tensor> {
        scoped("squeeze", || {
            let dims: SmallVec<[usize; 6]> = match dim {
                None => self.dims().iter().copied().filter(|&d| d != 1).collect(),
                Some(d) => {
                    let d = self.shape().normalize_dim("squeeze", d)?;
                    let mut v = SmallVec::from_slice(self.dims());
                    if v[d] == 1 {
                        v.remove(d);
                    }
                    v
                }
            };
            self.reshape_to(Shape(dims))
        })
    }

    /// Removes each of `dims` that has size 1 (a dim named twice counts once); a named dim
    /// whose size is not 1 is left alone, as in PyTorch.
    pub fn squeeze_dims(&self, dims: &[isize]) -> Result<Tensor> {
        let mut norm: SmallVec<[usize; 6]> =
            dims.iter().map(|&d| self.shape().normalize_dim("squeeze", d)).collect::<Result<_>>()?;
        norm.sort_unstable();
        norm.dedup();
        // Highest first, so the others keep their index.
        norm.iter().rev().try_fold(self.clone(), |acc, &d| acc.squeeze(Some(d as isize)))
    }

    /// Inserts a size-1 dim at `dim` (which may be `ndim`; negative counts from the end).
    pub fn unsqueeze(&self, dim: isize) -> Result<Tensor> {
        scoped("unsqueeze", || {
            let n = self.ndim() as isize + 1;
            let d = if dim < 0 { dim + n } else { dim };
            if d < 0 || d >= n {
                return Err(Error::DimOutOfRange {
                    op: "unsqueeze",
                    dim,
                    ndim: self.ndim(),
                    shape: self.shape().clone(),
                });
            }
            let mut dims: SmallVec<[usize; 6]> = SmallVec::from_slice(self.dims());
            dims.insert(d as usize, 1);
            self.reshape_to(Shape(dims))
        })
    }

    /// Merges dims `start..=end` into one.
    pub fn flatten(&self, start: isize, end: isize) -> Result<Tensor> {
        scoped("flatten", || {
            if self.ndim() == 0 {
                return self.reshape_to(Shape::from([1]));
            }
            let (s, e) = (self.shape().normalize_dim("flatten", start)?, self.shape().normalize_dim("flatten", end)?);
            if s > e {
                return Err(bad_argument("flatten", format!("start dim {start} is after end dim {end}")));
            }
            let d = self.dims();
            let mut dims: SmallVec<[usize; 6]> = SmallVec::from_slice(&d[..s]);
            dims.push(d[s..=e].iter().product());
            dims.extend_from_slice(&d[e + 1..]);
            self.reshape_to(Shape(dims))
        })
    }

    /// Concatenates `tensors` along `dim`; all other dims must match (dtypes are promoted).
    pub fn cat(tensors: &[Tensor], dim: isize) -> Result<Tensor> {
        let first = tensors.first().ok_or_else(|| bad_argument("cat", "needs at least one tensor"))?;
        let d = first.shape().normalize_dim("cat", dim)?;
        // Every operand is checked here, before any grouping, so an error numbers the tensor
        // as the caller's list does.
        let shape = infer::concat_shape(tensors.iter().map(Tensor::shape), d)?;
        if tensors.len() > 255 {
            // A node holds at most 255 operands: join groups, then the groups.
            let groups: Vec<Tensor> = tensors.chunks(255).map(|g| Tensor::cat(g, dim)).collect::<Result<_>>()?;
            return Tensor::cat(&groups, dim);
        }
        let dtype = tensors.iter().fold(first.dtype(), |acc, t| acc.promote(t.dtype()));
        if tensors.len() == 1 {
            return first.cast(dtype);
        }
        let parts: Operands = tensors.iter().map(|t| t.cast(dtype)).collect::<Result<_>>()?;
        Ok(Tensor::lazy(Op::Concat { dim: d, parts: parts.len() }, shape, dtype, parts))
    }

    /// Stacks equally shaped `tensors` along a new dim `dim`.
    pub fn stack(tensors: &[Tensor], dim: isize) -> Result<Tensor> {
        scoped("stack", || {
            let first = tensors.first().ok_or_else(|| bad_argument("stack", "needs at least one tensor"))?;
            if let Some((index, t)) = tensors.iter().enumerate().find(|(_, t)| t.shape() != first.shape()) {
                return Err(Error::StackShape {
                    op: "stack",
                    first: first.shape().clone(),
                    got: t.shape().clone(),
                    index,
                });
            }
            let parts: Vec<Tensor> = tensors.iter().map(|t| t.unsqueeze(dim)).collect::<Result<_>>()?;
            let n = first.ndim() as isize + 1;
            Tensor::cat(&parts, if dim < 0 { dim + n } else { dim })
        })
    }

    /// The tensor written out contiguously (a no-op for anything but a strided view).
    pub fn contiguous(&self) -> Result<Tensor> {
        if matches!(self.op(), Op::Permute(_) | Op::Expand | Op::Slice { .. }) && !self.is_evaluated() {
            return self.unary(UnaryOp::Copy);
        }
        Ok(self.clone())
    }

    /// Same elements under `shape` (which must have as many elements).
    pub fn reshape_to(&self, shape: Shape) -> Result<Tensor> {
        if shape.numel() != self.numel() {
            let to = shape.dims().iter().map(|&d| d as isize).collect();
            return Err(Error::BadReshape { op: "reshape", from: self.shape().clone(), to });
        }
        if &shape == self.shape() {
            return Ok(self.clone());
        }
        Ok(Tensor::lazy(Op::Reshape, shape, self.dtype(), smallvec![self.clone()]))
    }

    /// Where this tensor's elements sit without evaluating it, when it is an evaluated tensor
    /// or a chain of view ops (permute, transpose, expand, slice, and reshapes that strides can
    /// express) over one. `None` for anything that needs computing.
    pub fn strided_view(&self) -> Option<StridedView> {
        let mut chain: SmallVec<[Tensor; 4]> = SmallVec::new();
        let mut t = self.clone();
        let buffer = loop {
            if let Some(b) = t.buffer() {
                break b;
            }
            let operands = t.operands();
            match &operands[..] {
                [x] if t.op().is_movement() => {
                    chain.push(t.clone());
                    t = x.clone();
                }
                _ => return None,
            }
        };
        let mut layout = contiguous(t.shape());
        let mut shape = t.shape().clone();
        for v in chain.iter().rev() {
            layout = match v.op() {
                Op::Reshape => {
                    Layout { offset: layout.offset, strides: reshape_strided(shape.dims(), &layout.strides, v.dims())? }
                }
                op => apply_view(op, &shape, v.shape(), &layout)?,
            };
            shape = v.shape().clone();
        }
        Some(StridedView { buffer, layout })
    }
}
