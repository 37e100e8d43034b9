//! Products with PyTorch's names: `dot`, `vdot`, `inner`, `outer`, `mm`, `bmm`, `mv`, the
//! `add*` forms (`beta * input + alpha * product`), `linalg.vecdot` and `tensordot`, all lowered
//! onto the contraction `einsum` uses (a matmul, or a multiply fused with its sum).

use super::einsum::{contract, Label, Term};
use super::Tensor;
use crate::error::bad_argument;
use crate::op::BinaryOp;
use crate::{scoped, Error, Result};

/// Labels `0..n` for a tensor's dims.
fn labels(n: usize) -> Vec<Label> {
    (0..n as Label).collect()
}

impl Tensor {
    /// Requires exactly `n` dims for `op`'s argument `what`.
    fn expect_ndim(&self, op: &'static str, what: &str, n: usize) -> Result<()> {
        if self.ndim() == n {
            return Ok(());
        }
        Err(bad_argument(op, format!("{what} must be a {n}-d tensor, got shape {}", self.shape())))
    }

    /// Contracts `self` (dims labelled `la`) with `rhs` (`lb`) into the dims `out`.
    fn contract2(
        &self,
        op: &'static str,
        rhs: &Tensor,
        la: Vec<Label>,
        lb: Vec<Label>,
        out: &[Label],
    ) -> Result<Tensor> {
        contract(op, vec![Term { t: self.clone(), labels: la }, Term { t: rhs.clone(), labels: lb }], out)
    }

    /// Checks that the dims `da` of `self` and `db` of `rhs` have equal sizes (no broadcasting).
    fn same_size(&self, op: &'static str, da: usize, rhs: &Tensor, db: usize) -> Result<()> {
        let (x, y) = (self.dims()[da], rhs.dims()[db]);
        if x != y {
            return Err(Error::ShapeMismatch { op, lhs: self.shape().clone(), rhs: rhs.shape().clone() });
        }
        Ok(())
    }

    /// The dot product of two 1-d tensors of equal length (0-d result; ints sum in their own
    /// dtype, wrapping, as PyTorch's).
    pub fn dot(&self, rhs: &Tensor) -> Result<Tensor> {
        scoped("dot", || {
            self.expect_ndim("dot", "self", 1)?;
            rhs.expect_ndim("dot", "other", 1)?;
            self.same_size("dot", 0, rhs, 0)?;
            self.contract2("dot", rhs, vec![0], vec![0], &[])
        })
    }

    /// [`Tensor::dot`] (the same for real tensors; the first operand would be conjugated).
    pub fn vdot(&self, rhs: &Tensor) -> Result<Tensor> {
        scoped("vdot", || self.dot(rhs))
    }

    /// Sum of products over the last dims (`a[..., k] * b[..., k]`), giving
    /// `a.shape[:-1] + b.shape[:-1]`; a 0-d operand scales the other.
    pub fn inner(&self, rhs: &Tensor) -> Result<Tensor> {
        scoped("inner", || {
            if self.ndim() == 0 || rhs.ndim() == 0 {
                return self.binary(BinaryOp::Mul, rhs);
            }
            let (na, nb) = (self.ndim(), rhs.ndim());
            self.same_size("inner", na - 1, rhs, nb - 1)?;
            let la = labels(na);
            let mut lb: Vec<Label> = (na as Label..(na + nb - 1) as Label).collect();
            lb.push(na as Label - 1);
            let out: Vec<Label> = la[..na - 1].iter().chain(&lb[..nb - 1]).copied().collect();
            self.contract2("inner", rhs, la, lb, &out)
        })
    }

    /// The outer product of two 1-d tensors: `out[i, j] = a[i] * b[j]`.
    pub fn outer(&self, rhs: &Tensor) -> Result<Tensor> {
        scoped("outer", || {
            self.expect_ndim("outer", "self", 1)?;
            rhs.expect_ndim("outer", "vec2", 1)?;
            self.unsqueeze(1)?.binary(BinaryOp::Mul, rhs)
        })
    }

    /// The product of two matrices `[n, k] @ [k, m]`.
    pub fn mm(&self, rhs: &Tensor) -> Result<Tensor> {
        scoped("mm", || {
            self.expect_ndim("mm", "self", 2)?;
            rhs.expect_ndim("mm", "mat2", 2)?;
            self.same_size("mm", 1, rhs, 0)?;
            self.contract2("mm", rhs, vec![0, 1], vec![1, 2], &[0, 2])
        })
    }

    /// Batched matrix product `[b, n, k] @ [b, k, m]` (equal batch sizes, no broadcasting).
    pub fn bmm(&self, rhs: &Tensor) -> Result<Tensor> {
        scoped("bmm", || {
            self.expect_ndim("bmm", "self", 3)?;
            rhs.expect_ndim("bmm", "mat2", 3)?;
            self.same_size("bmm", 0, rhs, 0)?;
            self.same_size("bmm", 2, rhs, 1)?;
            self.contract2("bmm", rhs, vec![0, 1, 2], vec![0, 2, 3], &[0, 1, 3])
        })
    }

    /// Matrix-vector product `[n, k] @ [k]`.
    pub fn mv(&self, rhs: &Tensor) -> Result<Tensor> {
        scoped("mv", || {
            self.expect_ndim("mv", "self", 2)?;
            rhs.expect_ndim("mv", "vec", 1)?;
            self.same_size("mv", 1, rhs, 0)?;
            self.contract2("mv", rhs, vec![0, 1], vec![1], &[0])
        })
    }

    /// `beta * self + alpha * product`, PyTorch's `add*` forms: `self` must broadcast to the
    /// product's shape, and with `beta == 0` it is not read (NaN in it does not propagate).
    fn add_scaled(&self, op: &'static str, product: Tensor, beta: f64, alpha: f64) -> Result<Tensor> {
        if !self.shape().broadcasts_to(product.shape()) {
            return Err(Error::ShapeMismatch { op, lhs: self.shape().clone(), rhs: product.shape().clone() });
        }
        let p = if alpha == 1.0 { product } else { product.binary_scalar(BinaryOp::Mul, alpha)? };
        if beta == 0.0 {
            return Ok(p);
        }
        let s = if beta == 1.0 { self.clone() } else { self.binary_scalar(BinaryOp::Mul, beta)? };
        s.binary(BinaryOp::Add, &p)
    }

    /// `beta * self + alpha * (mat1 @ mat2)` (PyTorch's `addmm`).
    pub fn addmm(&self, mat1: &Tensor, mat2: &Tensor, beta: f64, alpha: f64) -> Result<Tensor> {
        scoped("addmm", || self.add_scaled("addmm", mat1.mm(mat2)?, beta, alpha))
    }

    /// `beta * self + alpha * (mat @ vec)` (PyTorch's `addmv`).
    pub fn addmv(&self, mat: &Tensor, vec: &Tensor, beta: f64, alpha: f64) -> Result<Tensor> {
        scoped("addmv", || self.add_scaled("addmv", mat.mv(vec)?, beta, alpha))
    }

    /// `beta * self + alpha * bmm(batch1, batch2)` (PyTorch's `baddbmm`).
    pub fn baddbmm(&self, batch1: &Tensor, batch2: &Tensor, beta: f64, alpha: f64) -> Result<Tensor> {
        scoped("baddbmm", || self.add_scaled("baddbmm", batch1.bmm(batch2)?, beta, alpha))
    }

    /// `sum(x * y, dim)` after broadcasting (PyTorch's `linalg.vecdot`); the result keeps the
    /// operands' promoted dtype.
    pub fn vecdot(&self, rhs: &Tensor, dim: isize) -> Result<Tensor> {
        scoped("linalg.vecdot", || {
            let p = self.binary(BinaryOp::Mul, rhs)?;
            p.sum(Some(&[dim]), false)?.cast(p.dtype())
        })
    }

    /// Sums products over the dims `dims_a` of `self` and `dims_b` of `rhs` (pairwise, equal
    /// sizes): the result has `self`'s other dims, then `rhs`'s (PyTorch's `tensordot`).
    pub fn tensordot(&self, rhs: &Tensor, dims_a: &[isize], dims_b: &[isize]) -> Result<Tensor> {
        scoped("tensordot", || {
            if dims_a.len() != dims_b.len() {
                return Err(bad_argument(
                    "tensordot",
                    format!("both dim lists must have the same length, got {dims_a:?} and {dims_b:?}"),
                ));
            }
            // Pairwise, in the caller's order (not sorted as a reduction's dims are).
            let norm = |t: &Tensor, d: &[isize]| -> Result<Vec<usize>> {
                d.iter().map(|&x| t.shape().normalize_dim("tensordot", x)).collect()
            };
            let (da, db) = (norm(self, dims_a)?, norm(rhs, dims_b)?);
            let repeats = |d: &[usize]| d.iter().enumerate().any(|(i, x)| d[..i].contains(x));
            if repeats(&da) || repeats(&db) {
                return Err(bad_argument("tensordot", format!("a dim repeats in {dims_a:?} or {dims_b:?}")));
            }
            let (na, nb) = (self.ndim(), rhs.ndim());
            let la = labels(na);
            let mut lb: Vec<Label> = (na as Label..(na + nb) as Label).collect();
            for (&x, &y) in da.iter().zip(&db) {
                if self.dims()[x] != rhs.dims()[y] {
                    return Err(bad_argument(
                        "tensordot",
                        format!(
                            "contracted dims must match, but dim {x} of shape {} has size {} and dim {y} of shape {} has size {}",
                            self.shape(),
                            self.dims()[x],
                            rhs.shape(),
                            rhs.dims()[y]
                        ),
                    ));
                }
                lb[y] = la[x];
            }
            let out: Vec<Label> = (0..na)
                .filter(|i| !da.contains(i))
                .map(|i| la[i])
                .chain((0..nb).filter(|i| !db.contains(i)).map(|i| lb[i]))
                .collect();
            self.contract2("tensordot", rhs, la, lb, &out)
        })
    }

    /// [`Tensor::tensordot`] over the last `n` dims of `self` and the first `n` of `rhs`.
    pub fn tensordot_n(&self, rhs: &Tensor, n: usize) -> Result<Tensor> {
        scoped("tensordot", || {
            if n > self.ndim() || n > rhs.ndim() {
                return Err(bad_argument(
                    "tensordot",
                    format!("dims={n} is more than the dims of shapes {} and {}", self.shape(), rhs.shape()),
                ));
            }
            let da: Vec<isize> = (self.ndim() - n..self.ndim()).map(|d| d as isize).collect();
            let db: Vec<isize> = (0..n as isize).collect();
            self.tensordot(rhs, &da, &db)
        })
    }
}
