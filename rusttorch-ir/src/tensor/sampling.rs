//! Random sampling beyond `rand`/`randn`: `randint`, `randperm`, `normal`, `bernoulli`,
//! `multinomial`, and the `*_like` random tensors.
//!
//! Each call fills its tensor from one seed with one xoshiro256++ sequence, in element order
//! on the calling thread, so a seed gives the same tensor whatever the number of threads.

use super::ranges::from_values;
use super::Tensor;
use crate::error::bad_argument;
use crate::random::Xoshiro256;
use crate::{scoped, BinaryOp, DType, Error, Result, Scalar, Shape};

/// A uniform integer in `0..n` (`n > 0`), by Lemire's multiply-shift (bias below 2^-64 * n).
fn below(rng: &mut Xoshiro256, n: u64) -> u64 {
    ((u128::from(rng.next_u64()) * u128::from(n)) >> 64) as u64
}

impl Tensor {
    /// Integers uniform in `low..high` (PyTorch's `randint`), of `dtype`.
    pub fn randint(low: i64, high: i64, shape: impl Into<Shape>, seed: u64, dtype: DType) -> Result<Tensor> {
        if high <= low {
            return Err(bad_argument("randint", format!("low ({low}) must be less than high ({high})")));
        }
        let span = (i128::from(high) - i128::from(low)) as u64;
        let mut rng = Xoshiro256::new(seed);
        let values =
            std::iter::repeat_with(move || Scalar::int((i128::from(low) + i128::from(below(&mut rng, span))) as i64));
        from_values(shape, dtype, values)
    }

    /// A random permutation of `0..n` (Fisher-Yates), of `dtype`.
    pub fn randperm(n: usize, seed: u64, dtype: DType) -> Result<Tensor> {
        if dtype == DType::Bool {
            return Err(Error::UnsupportedDType { op: "randperm", dtype });
        }
        let mut rng = Xoshiro256::new(seed);
        let mut p: Vec<i64> = (0..n as i64).collect();
        for i in (1..n).rev() {
            p.swap(i, below(&mut rng, i as u64 + 1) as usize);
        }
        from_values(n, dtype, p.into_iter().map(Scalar::int))
    }

    /// Normal random numbers of mean `mean` and standard deviation `std` (tensors, broadcast
    /// together; their shape is the result's): `randn * std + mean` in the promoted float dtype.
    pub fn normal(mean: &Tensor, std: &Tensor, seed: u64) -> Result<Tensor> {
        scoped("normal", || {
            let shape = Shape::broadcast("normal", mean.shape(), std.shape())?;
            let dtype = match mean.dtype().promote(std.dtype()) {
                d if d.is_float() => d,
                _ => DType::F32,
            };
            let z = Tensor::randn(shape, seed, dtype)?;
            z.binary(BinaryOp::Mul, &std.cast(dtype)?)?.binary(BinaryOp::Add, &mean.cast(dtype)?)
        })
    }

    /// Normal random numbers of scalar `mean` and `std` (not negative) in `shape`.
    pub fn normal_scalar(mean: f64, std: f64, shape: impl Into<Shape>, seed: u64, dtype: DType) -> Result<Tensor> {
        if std.is_nan() || std < 0.0 {
            return Err(bad_argument("normal", format!("std must be >= 0, got {std}")));
        }
        scoped("normal", || {
            Tensor::randn(shape, seed, dtype)?.binary_scalar(BinaryOp::Mul, std)?.binary_scalar(BinaryOp::Add, mean)
        })
    }

    /// 1 with probability `self` (elementwise, in `[0, 1]`), else 0, in this tensor's float dtype
    /// (PyTorch's `bernoulli`): `where(rand < p, 1, 0)`, fused into what reads it.
    pub fn bernoulli(&self, seed: u64) -> Result<Tensor> {
        if !self.dtype().is_float() {
            return Err(Error::UnsupportedDType { op: "bernoulli", dtype: self.dtype() });
        }
        scoped("bernoulli", || {
            let u = Tensor::rand(self.shape().clone(), seed, self.dtype())?;
            let (one, zero) = (Tensor::scalar(1.0, self.dtype()), Tensor::scalar(0.0, self.dtype()));
            u.lt(self)?.where_cond(&one, &zero)
        })
    }

    /// Uniform random numbers of this tensor's shape (`rand_like`), of `dtype` or its own.
    pub fn rand_like(&self, seed: u64, dtype: Option<DType>) -> Result<Tensor> {
        scoped("rand_like", || Tensor::rand(self.shape().clone(), seed, dtype.unwrap_or(self.dtype())))
    }

    /// Standard normal random numbers of this tensor's shape (`randn_like`).
    pub fn randn_like(&self, seed: u64, dtype: Option<DType>) -> Result<Tensor> {
        scoped("randn_like", || Tensor::randn(self.shape().clone(), seed, dtype.unwrap_or(self.dtype())))
    }

    /// Integers uniform in `low..high` of this tensor's shape (`randint_like`).
    pub fn randint_like(&self, low: i64, high: i64, seed: u64, dtype: Option<DType>) -> Result<Tensor> {
        scoped("randint_like", || Tensor::randint(low, high, self.shape().clone(), seed, dtype.unwrap_or(self.dtype())))
    }

    /// `num_samples` category indices per row of the weights `self` (1-d, or 2-d: one row per
    /// distribution), drawn in proportion to the weights, with or without `replacement`
    /// (PyTorch's `multinomial`). The weights are read, so `self` must be evaluated (or a view
    /// of an evaluated tensor): an [`Error::BadArgument`] otherwise.
    pub fn multinomial(&self, num_samples: usize, replacement: bool, seed: u64) -> Result<Tensor> {
        let bad = |reason: String| Err(bad_argument("multinomial", reason));
        if !(1..=2).contains(&self.ndim()) {
            return bad(format!("prob_dist must be 1 or 2 dim, got shape {}", self.shape()));
        }
        let view = match self.strided_view() {
            Some(v) => v,
            None => return bad("reads its weights: evaluate the tensor first".into()),
        };
        let (rows, cats) = if self.ndim() == 1 { (1, self.dims()[0]) } else { (self.dims()[0], self.dims()[1]) };
        if cats == 0 {
            return bad("the number of categories cannot be 0".into());
        }
        if !replacement && num_samples > cats {
            return bad(format!(
                "cannot sample n_sample ({num_samples}) > prob_dist size ({cats}) without replacement"
            ));
        }
        let mut rng = Xoshiro256::new(seed);
        let mut out = Vec::with_capacity(rows * num_samples);
        for r in 0..rows {
            let mut w: Vec<f64> = (0..cats)
                .map(|c| if self.ndim() == 1 { view.element(&[c]) } else { view.element(&[r, c]) }.get())
                .collect();
            if w.iter().any(|x| !x.is_finite() || *x < 0.0) {
                return bad("probability tensor contains either inf, nan or element < 0".into());
            }
            let positive = w.iter().filter(|&&x| x > 0.0).count();
            if positive == 0 || (!replacement && num_samples > positive) {
                return bad(format!(
                    "row {r} has {positive} categories of non-zero weight, {num_samples} samples asked"
                ));
            }
            for _ in 0..num_samples {
                let total: f64 = w.iter().sum();
                let u = rng.uniform() * total;
                let mut acc = 0.0;
                let last = w.iter().rposition(|&x| x > 0.0).unwrap_or(0);
                let pick = w.iter().position(|&x| {
                    acc += x;
                    x > 0.0 && u < acc
                });
                let c = pick.unwrap_or(last);
                out.push(Scalar::int(c as i64));
                if !replacement {
                    w[c] = 0.0;
                }
            }
        }
        let shape: Shape = if self.ndim() == 1 { Shape::from(num_samples) } else { Shape::from([rows, num_samples]) };
        from_values(shape, DType::I64, out)
    }
}
