//! Tensors from data, constants, ranges and random numbers.

use super::state::NodeState;
use super::{Operands, Tensor};
use crate::buffer::try_zeroed_vec;
use crate::error::bad_argument;
use crate::op::{Op, Scalar, SourceOp};
use crate::{Buffer, DType, Element, Error, Result, Shape};
use smallvec::smallvec;

impl Tensor {
    /// A tensor over an existing buffer (no copy); the length must match the shape.
    pub fn from_buffer(buffer: Buffer, shape: impl Into<Shape>) -> Result<Tensor> {
        let shape = shape.into();
        let expected = shape.checked_numel()?;
        if buffer.len() != expected {
            return Err(Error::BufferLength { expected, got: buffer.len(), shape });
        }
        let dtype = buffer.dtype();
        Ok(Tensor::new(Op::Source(SourceOp::Input(0)), shape, dtype, NodeState::Ready(buffer)))
    }

    /// A tensor owning `data` (no copy); the length must match the shape.
    pub fn from_vec<T: Element>(data: Vec<T>, shape: impl Into<Shape>) -> Result<Tensor> {
        Tensor::from_buffer(Buffer::from_vec(data), shape)
    }

    /// A 1-d tensor copying `data`.
    pub fn from_slice<T: Element>(data: &[T]) -> Tensor {
        let n = data.len();
        Tensor::from_buffer(Buffer::from_vec(data.to_vec()), n).expect("length matches")
    }

    /// A placeholder for an input bound when a compiled graph runs.
    pub fn placeholder(shape: impl Into<Shape>, dtype: DType) -> Result<Tensor> {
        let shape = shape.into();
        shape.checked_numel()?;
        Ok(Tensor::lazy(Op::Source(SourceOp::Input(0)), shape, dtype, Operands::new()))
    }

    /// Every element equal to `value` (computed inside the kernels that read it, never stored),
    /// converted to `dtype` first with the cast rule ([`Scalar::cast`]: `1.5` as int32 is 1,
    /// `2i64.pow(40)` as int32 wraps to 0). An integer `value` (`i64`, `i32`) stays exact in an
    /// int64 tensor; an `f64` one is an `f64` first.
    pub fn full(shape: impl Into<Shape>, value: impl Into<Scalar>, dtype: DType) -> Result<Tensor> {
        let shape = shape.into();
        shape.checked_numel()?;
        let value = value.into().cast(dtype);
        Ok(Tensor::lazy(Op::Source(SourceOp::Full(value)), shape, dtype, smallvec![]))
    }

    /// A 0-d constant (see [`Tensor::full`]).
    pub fn scalar(value: impl Into<Scalar>, dtype: DType) -> Tensor {
        Tensor::full(Shape::scalar(), value, dtype).expect("0-d shape is valid")
    }

    /// A 0-d constant used as an operand of an op being built. Recent ones are shared per
    /// thread: `x * 0.5` built again and again reuses one node instead of allocating and
    /// freeing it every time (a constant node is immutable, so sharing it changes no result).
    pub(crate) fn operand_scalar(value: Scalar, dtype: DType) -> Tensor {
        type Recent = [Option<(Scalar, DType, Tensor)>; 8];
        thread_local! {
            static RECENT: std::cell::RefCell<(Recent, usize)> = const { std::cell::RefCell::new((
                [const { None }; 8],
                0,
            )) };
        }
        let cached = RECENT.try_with(|r| {
            let mut r = r.try_borrow_mut().ok()?;
            let (slots, next) = &mut *r;
            if let Some((_, _, t)) = slots.iter().flatten().find(|(v, d, _)| *v == value && *d == dtype) {
                return Some(t.clone());
            }
            let t = Tensor::scalar(value, dtype);
            slots[*next] = Some((value, dtype, t.clone()));
            *next = (*next + 1) % slots.len();
            Some(t)
        });
        cached.ok().flatten().unwrap_or_else(|| Tensor::scalar(value, dtype))
    }

    /// All zeros.
    pub fn zeros(shape: impl Into<Shape>, dtype: DType) -> Result<Tensor> {
        Tensor::full(shape, 0.0, dtype)
    }

    /// All ones.
    pub fn ones(shape: impl Into<Shape>, dtype: DType) -> Result<Tensor> {
        Tensor::full(shape, 1.0, dtype)
    }

    /// `start, start+step, ...` up to (not including) `stop`, converted to `dtype`.
    ///
    /// When all three are integers (`i64`, `i32`) the length and the values are computed exactly
    /// in int64 (`arange(2^53, 2^53 + 5)` has five distinct values); otherwise, as PyTorch, the
    /// length is `ceil((stop - start) / step)` in f64 and the values `start + step * i` in f64.
    pub fn arange(
        start: impl Into<Scalar>,
        stop: impl Into<Scalar>,
        step: impl Into<Scalar>,
        dtype: DType,
    ) -> Result<Tensor> {
        let (start, stop, step) = (start.into(), stop.into(), step.into());
        let n = match (start.as_int(), stop.as_int(), step.as_int()) {
            (Some(a), Some(b), Some(s)) if s != 0 => {
                // In i128, so no difference of two int64 overflows.
                let (d, s) = (i128::from(b) - i128::from(a), i128::from(s));
                if d != 0 && (d > 0) == (s > 0) {
                    (d.abs() + s.abs() - 1) / s.abs()
                } else {
                    0
                }
            }
            _ => {
                let (a, b, s) = (start.get(), stop.get(), step.get());
                if s == 0.0 || !s.is_finite() || !a.is_finite() || !b.is_finite() {
                    return Err(bad_argument(
                        "arange",
                        format!("needs finite start/stop and a finite non-zero step, got {start}, {stop}, {step}"),
                    ));
                }
                // Saturating: a length beyond any memory is refused below.
                ((b - a) / s).ceil().max(0.0) as i128
            }
        };
        if n > (isize::MAX / 8) as i128 {
            return Err(Error::OutOfMemory { bytes: usize::MAX });
        }
        let op = Op::Source(SourceOp::Arange { start, step });
        Ok(Tensor::lazy(op, Shape::from(n as usize), dtype, smallvec![]))
    }

    /// Uniform random numbers in `[0, 1)`, generated now from `seed` (xoshiro256++).
    pub fn rand(shape: impl Into<Shape>, seed: u64, dtype: DType) -> Result<Tensor> {
        Tensor::random(shape.into(), seed, dtype, false)
    }

    /// Standard normal random numbers, generated now from `seed` (Box-Muller over xoshiro256++).
    pub fn randn(shape: impl Into<Shape>, seed: u64, dtype: DType) -> Result<Tensor> {
        Tensor::random(shape.into(), seed, dtype, true)
    }

    fn random(shape: Shape, seed: u64, dtype: DType, normal: bool) -> Result<Tensor> {
        let n = shape.checked_numel()?;
        let mut rng = crate::random::Xoshiro256::new(seed);
        let mut next = || if normal { rng.normal() } else { rng.uniform() };
        match dtype {
            DType::F32 => {
                let mut v = try_zeroed_vec::<f32>(n)?;
                v.iter_mut().for_each(|x| *x = next() as f32);
                Tensor::from_vec(v, shape)
            }
            DType::F64 => {
                let mut v = try_zeroed_vec::<f64>(n)?;
                v.iter_mut().for_each(|x| *x = next());
                Tensor::from_vec(v, shape)
            }
            d => Err(Error::UnsupportedDType { op: "rand", dtype: d }),
        }
    }
}
