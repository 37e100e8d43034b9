//! Structured creation: `linspace`, `logspace`, `eye`, `tril_indices`/`triu_indices`,
//! `meshgrid`, and the `*_like` constants.

use super::Tensor;
use crate::buffer::try_zeroed_vec;
use crate::error::bad_argument;
use crate::{scoped, DType, Element, Error, Result, Scalar, Shape};
use smallvec::SmallVec;

/// A tensor of `shape` and `dtype` whose elements, in order, are `values` converted by the
/// cast rule ([`Scalar::cast`]).
pub(super) fn from_values(
    shape: impl Into<Shape>,
    dtype: DType,
    values: impl IntoIterator<Item = Scalar>,
) -> Result<Tensor> {
    fn fill<T: Element>(shape: Shape, values: impl IntoIterator<Item = Scalar>) -> Result<Tensor> {
        let mut v = try_zeroed_vec::<T>(shape.checked_numel()?)?;
        v.iter_mut().zip(values).for_each(|(x, s)| *x = s.to::<T>());
        Tensor::from_vec(v, shape)
    }
    let shape = shape.into();
    crate::with_element!(dtype, T => fill::<T>(shape, values))
}

impl Tensor {
    /// `steps` values evenly spaced from `start` to `end` inclusive, computed as PyTorch does
    /// (`start + i * step` in the first half, `end - (steps - 1 - i) * step` in the second, so
    /// both ends are exact), in f64 and converted to `dtype` (ints truncate).
    pub fn linspace(start: f64, end: f64, steps: usize, dtype: DType) -> Result<Tensor> {
        from_values(steps, dtype, linspace_values(start, end, steps).map(Scalar::new))
    }

    /// `base ** linspace(start, end, steps)`, computed in f64 and converted to `dtype`.
    pub fn logspace(start: f64, end: f64, steps: usize, base: f64, dtype: DType) -> Result<Tensor> {
        from_values(steps, dtype, linspace_values(start, end, steps).map(|e| Scalar::new(base.powf(e))))
    }

    /// The `n x m` identity (ones on the main diagonal), computed inside the kernels that read
    /// it: `where(row == col, 1, 0)`.
    pub fn eye(n: usize, m: usize, dtype: DType) -> Result<Tensor> {
        scoped("eye", || {
            Shape::from([n, m]).checked_numel()?;
            let rows = Tensor::arange(0i64, n as i64, 1i64, DType::I64)?.reshape_to(Shape::from([n, 1]))?;
            let cols = Tensor::arange(0i64, m as i64, 1i64, DType::I64)?;
            rows.eq_elem(&cols)?.where_cond(&Tensor::scalar(1i64, dtype), &Tensor::scalar(0i64, dtype))
        })
    }

    /// The `[2, N]` coordinates (rows, then columns) of the lower triangle of a `row x col`
    /// matrix, `col - row <= offset`, in row-major order (PyTorch's `tril_indices`).
    pub fn tril_indices(row: usize, col: usize, offset: i64, dtype: DType) -> Result<Tensor> {
        triangle("tril_indices", row, col, dtype, |i, j| j - i <= offset)
    }

    /// The `[2, N]` coordinates of the upper triangle, `col - row >= offset` (PyTorch's
    /// `triu_indices`).
    pub fn triu_indices(row: usize, col: usize, offset: i64, dtype: DType) -> Result<Tensor> {
        triangle("triu_indices", row, col, dtype, |i, j| j - i >= offset)
    }

    /// Coordinate grids of 0-d or 1-d `tensors` (views): with `xy` false ("ij") output `k` has
    /// shape `[len_0, len_1, ...]` and varies along dim `k`; with `xy` true the first two dims
    /// are exchanged, as NumPy's default.
    pub fn meshgrid(tensors: &[Tensor], xy: bool) -> Result<Vec<Tensor>> {
        scoped("meshgrid", || {
            if let Some((i, t)) = tensors.iter().enumerate().find(|(_, t)| t.ndim() > 1) {
                return Err(bad_argument(
                    "meshgrid",
                    format!("expects 0-d or 1-d tensors, got shape {} for tensor {i}", t.shape()),
                ));
            }
            let mut lens: SmallVec<[usize; 6]> = tensors.iter().map(|t| t.numel()).collect();
            let swap = xy && tensors.len() >= 2;
            if swap {
                lens.swap(0, 1);
            }
            let full: SmallVec<[isize; 6]> = lens.iter().map(|&l| l as isize).collect();
            tensors
                .iter()
                .enumerate()
                .map(|(k, t)| {
                    let at = if swap && k < 2 { 1 - k } else { k };
                    let mut own: SmallVec<[usize; 6]> = smallvec::smallvec![1; lens.len()];
                    own[at] = lens[at];
                    t.reshape_to(Shape(own))?.expand(&full)
                })
                .collect()
        })
    }

    /// A constant of this tensor's shape, of `dtype` or this tensor's dtype (`full_like`).
    pub fn full_like(&self, value: impl Into<Scalar>, dtype: Option<DType>) -> Result<Tensor> {
        Tensor::full(self.shape().clone(), value, dtype.unwrap_or(self.dtype()))
    }
}

fn triangle(op: &'static str, row: usize, col: usize, dtype: DType, keep: impl Fn(i64, i64) -> bool) -> Result<Tensor> {
    if !matches!(dtype, DType::I32 | DType::I64) {
        return Err(Error::UnsupportedDType { op, dtype });
    }
    let pairs: Vec<(i64, i64)> =
        (0..row as i64).flat_map(|i| (0..col as i64).map(move |j| (i, j))).filter(|&(i, j)| keep(i, j)).collect();
    let values = pairs.iter().map(|p| p.0).chain(pairs.iter().map(|p| p.1)).map(Scalar::int);
    from_values([2, pairs.len()], dtype, values)
}

/// The values of `linspace(start, end, steps)` in f64.
fn linspace_values(start: f64, end: f64, steps: usize) -> impl Iterator<Item = f64> {
    let step = if steps > 1 { (end - start) / (steps - 1) as f64 } else { 0.0 };
    let half = steps / 2;
    (0..steps).map(
        move |i| if i < half || steps == 1 { start + step * i as f64 } else { end - step * (steps - 1 - i) as f64 },
    )
}
