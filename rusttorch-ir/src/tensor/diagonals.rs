//! Diagonals and triangles: `diagonal` (a strided view), `trace`, `diag`, `diag_embed`,
//! `tril`/`triu`; masks compare two small index vectors inside the consumer's kernel, so no
//! `n x m` mask is ever stored.

use super::Tensor;
use crate::error::bad_argument;
use crate::op::{BinaryOp, Scalar};
use crate::{scoped, DType, Element, Result, Shape};
use smallvec::SmallVec;

/// `values` as a tensor of `shape` in `dtype` (int32 for bool).
fn index_vector(values: impl Iterator<Item = i64>, shape: [usize; 2], dtype: DType) -> Result<Tensor> {
    fn of<T: Element>(v: impl Iterator<Item = i64>, shape: [usize; 2]) -> Result<Tensor> {
        Tensor::from_vec(v.map(|x| T::from_f64(x as f64)).collect::<Vec<T>>(), shape)
    }
    match dtype {
        DType::Bool => of::<i32>(values, shape),
        d => crate::with_element!(d, T => of::<T>(values, shape)),
    }
}

/// The `[n, m]` mask `j - i op k` (`op` a comparison) for the matrix dims of a tensor of
/// `dtype`: a column of row indices against a row of column indices less `k`.
fn band_mask(n: usize, m: usize, k: isize, op: BinaryOp, dtype: DType) -> Result<Tensor> {
    let rows = index_vector(0..n as i64, [n, 1], dtype)?;
    let cols = index_vector((0..m as i64).map(|j| j - k as i64), [1, m], dtype)?;
    cols.binary(op, &rows)
}

impl Tensor {
    /// The diagonal of the dims `dim1` and `dim2` at `offset` (above the main diagonal when
    /// positive), as a new last dim (PyTorch's `diagonal`). A view: the two dims are flattened
    /// and sliced with step `m + 1` (a copy only when they cannot be flattened in place).
    pub fn diagonal(&self, offset: isize, dim1: isize, dim2: isize) -> Result<Tensor> {
        scoped("diagonal", || {
            let d1 = self.shape().normalize_dim("diagonal", dim1)?;
            let d2 = self.shape().normalize_dim("diagonal", dim2)?;
            if d1 == d2 {
                return Err(bad_argument(
                    "diagonal",
                    format!("dim1 and dim2 cannot be the same dim, got {dim1} and {dim2}"),
                ));
            }
            let (n, m) = (self.dims()[d1], self.dims()[d2]);
            let mut perm: Vec<isize> = (0..self.ndim()).filter(|&d| d != d1 && d != d2).map(|d| d as isize).collect();
            perm.extend([d1 as isize, d2 as isize]);
            let p = self.permute(&perm)?;
            let mut dims: SmallVec<[usize; 6]> = SmallVec::from_slice(&p.dims()[..p.ndim() - 2]);
            dims.push(n * m);
            let flat = p.reshape_to(Shape(dims))?;
            let (len, start) = if offset >= 0 {
                (n.min(m.saturating_sub(offset as usize)), offset as usize)
            } else {
                (m.min(n.saturating_sub(offset.unsigned_abs())), offset.unsigned_abs() * m)
            };
            if len == 0 {
                return flat.slice(-1, Some(0), Some(0), 1);
            }
            let stop = start + (len - 1) * (m + 1) + 1;
            flat.slice(-1, Some(start as isize), Some(stop as isize), (m + 1) as isize)
        })
    }

    /// The sum of the main diagonal of a matrix (ints give int64, as `sum`).
    pub fn trace(&self) -> Result<Tensor> {
        scoped("trace", || {
            if self.ndim() != 2 {
                return Err(bad_argument("trace", format!("expects a matrix, got shape {}", self.shape())));
            }
            self.diagonal(0, 0, 1)?.sum(None, false)
        })
    }

    /// `where(mask, self, 0)` over the last two dims.
    fn band(&self, op_name: &'static str, k: isize, cmp: BinaryOp) -> Result<Tensor> {
        scoped(op_name, || {
            if self.ndim() < 2 {
                return Err(crate::Error::TooFewDims { op: op_name, needed: 2, shape: self.shape().clone() });
            }
            let (n, m) = (self.dims()[self.ndim() - 2], self.dims()[self.ndim() - 1]);
            let mask = band_mask(n, m, k, cmp, self.dtype())?;
            mask.where_cond(self, &Tensor::operand_scalar(Scalar::new(0.0), self.dtype()))
        })
    }

    /// The lower triangle of the last two dims: elements with `j - i <= diagonal` kept, the
    /// rest 0 (PyTorch's `tril`).
    pub fn tril(&self, diagonal: isize) -> Result<Tensor> {
        self.band("tril", diagonal, BinaryOp::Le)
    }

    /// The upper triangle of the last two dims: elements with `j - i >= diagonal` kept, the
    /// rest 0 (PyTorch's `triu`).
    pub fn triu(&self, diagonal: isize) -> Result<Tensor> {
        self.band("triu", diagonal, BinaryOp::Ge)
    }

    /// The last dim of `self` placed on the `offset` diagonal of two new last dims, zeros
    /// elsewhere: `[..., n] -> [..., n + |offset|, n + |offset|]`.
    fn embed_last(&self, offset: isize) -> Result<Tensor> {
        let pad = offset.unsigned_abs();
        let x = if pad == 0 {
            self.clone()
        } else {
            let mut zd: SmallVec<[usize; 6]> = SmallVec::from_slice(self.dims());
            *zd.last_mut().expect("at least 1-d") = pad;
            Tensor::cat(&[self.clone(), Tensor::zeros(Shape(zd), self.dtype())?], -1)?
        };
        let big = x.dims()[x.ndim() - 1];
        // Row `i` holds x[i] at column i + offset (offset >= 0); column j holds x[j] otherwise.
        let v = if offset >= 0 { x.unsqueeze(-1)? } else { x.unsqueeze(-2)? };
        let mask = band_mask(big, big, offset, BinaryOp::Eq, self.dtype())?;
        mask.where_cond(&v, &Tensor::operand_scalar(Scalar::new(0.0), self.dtype()))
    }

    /// PyTorch's `diag`: a 1-d tensor becomes a square matrix with it on the `diagonal`-th
    /// diagonal; a matrix gives its `diagonal`-th diagonal.
    pub fn diag(&self, diagonal: isize) -> Result<Tensor> {
        scoped("diag", || match self.ndim() {
            1 => self.embed_last(diagonal),
            2 => self.diagonal(diagonal, 0, 1),
            _ => Err(bad_argument("diag", format!("expects a 1-d or 2-d tensor, got shape {}", self.shape()))),
        })
    }

    /// PyTorch's `diag_embed`: the last dim becomes the `offset` diagonal of the new dims
    /// `dim1` and `dim2` (of the result, which has one more dim).
    pub fn diag_embed(&self, offset: isize, dim1: isize, dim2: isize) -> Result<Tensor> {
        scoped("diag_embed", || {
            let x = if self.ndim() == 0 { self.unsqueeze(0)? } else { self.clone() };
            let e = x.embed_last(offset)?;
            let nd = e.ndim();
            let d1 = e.shape().normalize_dim("diag_embed", dim1)?;
            let d2 = e.shape().normalize_dim("diag_embed", dim2)?;
            if d1 == d2 {
                return Err(bad_argument(
                    "diag_embed",
                    format!("dim1 and dim2 cannot be the same dim, got {dim1} and {dim2}"),
                ));
            }
            let mut rest = 0..nd - 2;
            let perm: Vec<isize> = (0..nd)
                .map(|d| {
                    if d == d1 {
                        nd - 2
                    } else if d == d2 {
                        nd - 1
                    } else {
                        rest.next().expect("nd - 2 other dims")
                    }
                })
                .map(|d| d as isize)
                .collect();
            e.permute(&perm)
        })
    }
}
