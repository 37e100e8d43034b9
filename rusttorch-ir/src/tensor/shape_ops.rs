//! Movement ops built from views: flip, roll, rot90, repeat, tile, repeat_interleave, narrow,
//! split, chunk, unbind, movedim, swapaxes, unflatten, and broadcasting several tensors.
//!
//! Every op here is a composite of the view ops (`Slice` with a negative step, `Permute`,
//! `Expand`, `Reshape`) and `Concat`, so the fusion planner reads through it: `x.flip(0) * 2`
//! reads `x` backwards inside the kernel that multiplies.

use super::Tensor;
use crate::error::bad_argument;
use crate::{scoped, Error, Result, Shape};
use smallvec::SmallVec;

type Dims = SmallVec<[usize; 6]>;

impl Tensor {
    /// The elements of `dims` in reverse order (a view: a slice with step -1 of each dim);
    /// PyTorch's `flip`. A dim named twice is an error.
    pub fn flip(&self, dims: &[isize]) -> Result<Tensor> {
        scoped("flip", || {
            let norm = self.shape().normalize_dims("flip", dims)?;
            if norm.iter().all(|&d| self.dims()[d] <= 1) {
                return Ok(self.clone());
            }
            self.view_below(&|x: &Tensor| {
                norm.iter().try_fold(x.clone(), |acc, &d| acc.slice(d as isize, None, None, -1))
            })
        })
    }

    /// `flip(1)` of a tensor of at least 2 dims (left and right exchanged).
    pub fn fliplr(&self) -> Result<Tensor> {
        if self.ndim() < 2 {
            return Err(Error::TooFewDims { op: "fliplr", needed: 2, shape: self.shape().clone() });
        }
        scoped("fliplr", || self.flip(&[1]))
    }

    /// `flip(0)` of a tensor of at least 1 dim (up and down exchanged).
    pub fn flipud(&self) -> Result<Tensor> {
        if self.ndim() < 1 {
            return Err(Error::TooFewDims { op: "flipud", needed: 1, shape: self.shape().clone() });
        }
        scoped("flipud", || self.flip(&[0]))
    }

    /// Elements shifted by `shifts[i]` along `dims[i]`, wrapping around (PyTorch's `roll`).
    /// With no `dims` the tensor is flattened, rolled and given its shape back.
    pub fn roll(&self, shifts: &[isize], dims: &[isize]) -> Result<Tensor> {
        scoped("roll", || {
            if dims.is_empty() {
                let [s] = shifts else {
                    return Err(bad_argument("roll", format!("without dims, needs one shift, got {shifts:?}")));
                };
                let flat = self.reshape(&[-1])?;
                return flat.roll(&[*s], &[0])?.reshape_to(self.shape().clone());
            }
            if shifts.len() != dims.len() {
                return Err(bad_argument(
                    "roll",
                    format!("shifts and dims must have the same length, got {shifts:?} and {dims:?}"),
                ));
            }
            let mut out = self.clone();
            for (&s, &d) in shifts.iter().zip(dims) {
                let d = self.shape().normalize_dim("roll", d)?;
                let n = self.dims()[d] as isize;
                let s = if n == 0 { 0 } else { s.rem_euclid(n) };
                if s == 0 {
                    continue;
                }
                let d = d as isize;
                out = Tensor::cat(&[out.slice(d, Some(n - s), None, 1)?, out.slice(d, None, Some(n - s), 1)?], d)?;
            }
            Ok(out)
        })
    }

    /// Rotation by 90 degrees `k` times in the plane of `dims` (from the first dim towards
    /// the second), PyTorch's `rot90`: views only.
    pub fn rot90(&self, k: i64, dims: [isize; 2]) -> Result<Tensor> {
        scoped("rot90", || {
            if self.ndim() < 2 {
                return Err(Error::TooFewDims { op: "rot90", needed: 2, shape: self.shape().clone() });
            }
            let (a, b) = (self.shape().normalize_dim("rot90", dims[0])?, self.shape().normalize_dim("rot90", dims[1])?);
            if a == b {
                return Err(bad_argument("rot90", format!("dims must be two different dims, got {dims:?}")));
            }
            let (a, b) = (a as isize, b as isize);
            let k = k.rem_euclid(4);
            if k == 0 {
                return Ok(self.clone());
            }
            self.view_below(&|x: &Tensor| match k {
                1 => x.flip(&[b])?.transpose(a, b),
                2 => x.flip(&[a, b]),
                _ => x.flip(&[a])?.transpose(a, b),
            })
        })
    }

    /// The tensor repeated `repeats[i]` times along dim `i` (PyTorch's `repeat`); more repeats
    /// than dims add leading dims. An expand of the tensor with a new dim before each of its
    /// own, reshaped: one copy.
    pub fn repeat(&self, repeats: &[usize]) -> Result<Tensor> {
        scoped("repeat", || {
            if repeats.len() < self.ndim() {
                return Err(bad_argument(
                    "repeat",
                    format!(
                        "number of repeats ({}) can not be smaller than the number of dims of the tensor ({})",
                        repeats.len(),
                        self.ndim()
                    ),
                ));
            }
            let lead = repeats.len() - self.ndim();
            let own: Dims = std::iter::repeat_n(1, lead).chain(self.dims().iter().copied()).collect();
            let out = Shape(own.iter().zip(repeats).map(|(&d, &r)| d * r).collect());
            out.checked_numel()?;
            let pairs: Dims = own.iter().flat_map(|&d| [1, d]).collect();
            let wide: SmallVec<[isize; 12]> =
                own.iter().zip(repeats).flat_map(|(&d, &r)| [r as isize, d as isize]).collect();
            self.reshape_to(Shape(pairs))?.expand(&wide)?.reshape_to(out)
        })
    }

    /// NumPy's `tile` as PyTorch's: `repeat`, with ones prepended to `reps` when it names fewer
    /// dims than the tensor has.
    pub fn tile(&self, reps: &[usize]) -> Result<Tensor> {
        let mut r: Dims = std::iter::repeat_n(1, self.ndim().saturating_sub(reps.len())).collect();
        r.extend_from_slice(reps);
        scoped("tile", || self.repeat(&r))
    }

    /// Each element repeated `repeats` times along `dim` (the flattened tensor when `None`),
    /// PyTorch's `repeat_interleave` with an int.
    pub fn repeat_interleave(&self, repeats: usize, dim: Option<isize>) -> Result<Tensor> {
        scoped("repeat_interleave", || {
            let (x, d) = match dim {
                None => (self.reshape(&[-1])?, 0),
                Some(d) => (self.clone(), self.shape().normalize_dim("repeat_interleave", d)?),
            };
            let mut wide: Dims = SmallVec::from_slice(x.dims());
            wide.insert(d + 1, 1);
            let mut to: SmallVec<[isize; 6]> = wide.iter().map(|&v| v as isize).collect();
            to[d + 1] = repeats as isize;
            let mut out: Dims = SmallVec::from_slice(x.dims());
            out[d] *= repeats;
            x.reshape_to(Shape(wide))?.expand(&to)?.reshape_to(Shape(out))
        })
    }

    /// Element `i` of `dim` repeated `repeats[i]` times (`repeat_interleave` with one count per
    /// element, or a single count for all); the flattened tensor when `dim` is `None`.
    pub fn repeat_interleave_counts(&self, repeats: &[usize], dim: Option<isize>) -> Result<Tensor> {
        scoped("repeat_interleave", || {
            let (x, d) = match dim {
                None => (self.reshape(&[-1])?, 0),
                Some(d) => (self.clone(), self.shape().normalize_dim("repeat_interleave", d)?),
            };
            if let [r] = repeats {
                return x.repeat_interleave(*r, Some(d as isize));
            }
            let n = x.dims()[d];
            if repeats.len() != n {
                return Err(bad_argument(
                    "repeat_interleave",
                    format!("repeats must have {n} counts (the size of dim {d}), got {}", repeats.len()),
                ));
            }
            // Runs of equal counts become one expanded slice each.
            let mut parts = Vec::new();
            let mut i = 0;
            while i < n {
                let mut j = i + 1;
                while j < n && repeats[j] == repeats[i] {
                    j += 1;
                }
                if repeats[i] > 0 {
                    let run = x.narrow(d as isize, i as isize, j - i)?;
                    parts.push(run.repeat_interleave(repeats[i], Some(d as isize))?);
                }
                i = j;
            }
            if parts.is_empty() {
                return x.narrow(d as isize, 0, 0);
            }
            Tensor::cat(&parts, d as isize)
        })
    }

    /// `length` elements of `dim` from `start` (negative counts from the end): a view.
    pub fn narrow(&self, dim: isize, start: isize, length: usize) -> Result<Tensor> {
        scoped("narrow", || {
            let d = self.shape().normalize_dim("narrow", dim)?;
            let n = self.dims()[d] as isize;
            let s = if start < 0 { start + n } else { start };
            if s < 0 || s > n {
                return Err(Error::IndexOutOfRange { op: "narrow", index: start, dim: d, size: n as usize });
            }
            if s + length as isize > n {
                return Err(bad_argument(
                    "narrow",
                    format!("start ({start}) + length ({length}) exceeds the size of dim {dim} ({n})"),
                ));
            }
            self.slice(d as isize, Some(s), Some(s + length as isize), 1)
        })
    }

    /// Views of consecutive pieces of `dim` of `size` elements each (the last may be shorter),
    /// PyTorch's `split` with an int.
    pub fn split(&self, size: usize, dim: isize) -> Result<Vec<Tensor>> {
        scoped("split", || {
            let d = self.shape().normalize_dim("split", dim)?;
            let n = self.dims()[d];
            if size == 0 && n > 0 {
                return Err(bad_argument("split", "split_size can only be 0 if the dim has size 0"));
            }
            let sizes: Vec<usize> =
                if n == 0 { vec![0] } else { (0..n.div_ceil(size)).map(|i| size.min(n - i * size)).collect() };
            self.split_sizes(&sizes, d as isize)
        })
    }

    /// Views of consecutive pieces of `dim` with the given sizes, which must add up to its size
    /// (PyTorch's `split` with a list, `split_with_sizes`).
    pub fn split_sizes(&self, sizes: &[usize], dim: isize) -> Result<Vec<Tensor>> {
        scoped("split", || {
            let d = self.shape().normalize_dim("split", dim)?;
            let total: usize = sizes.iter().sum();
            if total != self.dims()[d] {
                return Err(bad_argument(
                    "split",
                    format!("split sizes {sizes:?} add up to {total}, but dim {dim} has size {}", self.dims()[d]),
                ));
            }
            let mut start = 0;
            sizes
                .iter()
                .map(|&s| {
                    start += s;
                    self.narrow(d as isize, (start - s) as isize, s)
                })
                .collect()
        })
    }

    /// At most `chunks` views of `dim` of `ceil(size / chunks)` elements each (PyTorch's
    /// `chunk`: fewer chunks when the size does not allow that many).
    pub fn chunk(&self, chunks: usize, dim: isize) -> Result<Vec<Tensor>> {
        if chunks == 0 {
            return Err(bad_argument("chunk", "chunks must be greater than 0"));
        }
        scoped("chunk", || {
            let d = self.shape().normalize_dim("chunk", dim)?;
            let n = self.dims()[d];
            self.split(n.div_ceil(chunks).max(1), d as isize)
        })
    }

    /// The slices along `dim`, each without that dim (views).
    pub fn unbind(&self, dim: isize) -> Result<Vec<Tensor>> {
        scoped("unbind", || {
            let d = self.shape().normalize_dim("unbind", dim)?;
            (0..self.dims()[d] as isize).map(|i| self.select(d as isize, i)).collect()
        })
    }

    /// Dims `source[i]` moved to positions `destination[i]`, the others keeping their order
    /// (a view; PyTorch's `movedim`, NumPy's `moveaxis`).
    pub fn movedim(&self, source: &[isize], destination: &[isize]) -> Result<Tensor> {
        scoped("movedim", || {
            if source.len() != destination.len() {
                return Err(bad_argument(
                    "movedim",
                    format!("source and destination must have the same length, got {source:?} and {destination:?}"),
                ));
            }
            let n = self.ndim();
            let src: Dims = source.iter().map(|&d| self.shape().normalize_dim("movedim", d)).collect::<Result<_>>()?;
            let dst: Dims =
                destination.iter().map(|&d| self.shape().normalize_dim("movedim", d)).collect::<Result<_>>()?;
            for (list, given) in [(&src, source), (&dst, destination)] {
                if let Some(i) = (1..list.len()).find(|&i| list[..i].contains(&list[i])) {
                    return Err(Error::DuplicateDim { op: "movedim", dim: given[i] });
                }
            }
            let mut perm: SmallVec<[Option<usize>; 6]> = smallvec::smallvec![None; n];
            for (&s, &t) in src.iter().zip(&dst) {
                perm[t] = Some(s);
            }
            let mut rest = (0..n).filter(|d| !src.contains(d));
            let perm: SmallVec<[isize; 6]> =
                perm.iter().map(|p| p.or_else(|| rest.next()).unwrap_or(0) as isize).collect();
            self.permute(&perm)
        })
    }

    /// Dim `dim` split into `sizes` (one of which may be `-1`, inferred): a view.
    pub fn unflatten(&self, dim: isize, sizes: &[isize]) -> Result<Tensor> {
        scoped("unflatten", || {
            let d = self.shape().normalize_dim("unflatten", dim)?;
            if sizes.is_empty() {
                return Err(bad_argument("unflatten", "sizes must be non-empty"));
            }
            let inner = Tensor::zeros(self.dims()[d], crate::DType::Bool)?.reshape(sizes)?;
            let mut dims: Dims = SmallVec::from_slice(&self.dims()[..d]);
            dims.extend_from_slice(inner.dims());
            dims.extend_from_slice(&self.dims()[d + 1..]);
            self.reshape_to(Shape(dims))
        })
    }

    /// This tensor broadcast to `other`'s shape (a view).
    pub fn expand_as(&self, other: &Tensor) -> Result<Tensor> {
        let to: SmallVec<[isize; 6]> = other.dims().iter().map(|&d| d as isize).collect();
        scoped("expand_as", || self.expand(&to))
    }

    /// This tensor's elements in `other`'s shape (a view).
    pub fn view_as(&self, other: &Tensor) -> Result<Tensor> {
        scoped("view_as", || self.reshape_to(other.shape().clone()))
    }

    /// The shape that all `shapes` broadcast to (NumPy's rule).
    pub fn broadcast_shapes(shapes: &[Shape]) -> Result<Shape> {
        shapes.iter().try_fold(Shape::scalar(), |acc, s| Shape::broadcast("broadcast_shapes", &acc, s))
    }

    /// Every tensor broadcast to their common shape (views).
    pub fn broadcast_tensors(tensors: &[Tensor]) -> Result<Vec<Tensor>> {
        let shapes: Vec<Shape> = tensors.iter().map(|t| t.shape().clone()).collect();
        let to = scoped("broadcast_tensors", || Tensor::broadcast_shapes(&shapes))?;
        let to: SmallVec<[isize; 6]> = to.dims().iter().map(|&d| d as isize).collect();
        tensors.iter().map(|t| scoped("broadcast_tensors", || t.expand(&to))).collect()
    }
}
