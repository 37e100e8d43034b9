//! Ops whose output shape depends on values: `nonzero`, `masked_select`, bool-mask indices,
//! `unique`, `unique_consecutive`, `bincount`.
//!
//! Each reads one evaluated tensor (the mask, the input of `unique`, the bins of `bincount`):
//! its caller evaluates it first (the Python layer does; from Rust, `Engine::eval`). The
//! tensors they return are data, marked with a note saying so, which `explain()` of anything
//! built from them prints. Whatever else they take stays lazy (`masked_select`'s input,
//! `bincount`'s weights).

use super::gather::signed;
use super::Tensor;
use crate::error::bad_argument;
use crate::{Buffer, DType, Element, Error, Result, Shape};

/// The values of an evaluated buffer, exactly: floats as f64, ints and bools as i64.
enum Values {
    Float(Vec<f64>),
    Int(Vec<i64>),
}

fn values(b: &Buffer) -> Result<Values> {
    Ok(match b.dtype() {
        d if d.is_float() => Values::Float(b.to_f64_vec()),
        d => crate::with_element!(d, T => Values::Int(b.as_slice::<T>()?.iter().map(|&v| v.to_i64()).collect())),
    })
}

/// A buffer of `dtype` holding `v` (values of a buffer of that dtype, so exact).
fn buffer_of(dtype: DType, v: &Values) -> Buffer {
    crate::with_element!(dtype, T => match v {
        Values::Float(v) => Buffer::from_vec(v.iter().map(|&x| T::from_f64(x)).collect::<Vec<T>>()),
        Values::Int(v) => Buffer::from_vec(v.iter().map(|&x| T::from_i64(x)).collect::<Vec<T>>()),
    })
}

impl Values {
    fn len(&self) -> usize {
        match self {
            Values::Float(v) => v.len(),
            Values::Int(v) => v.len(),
        }
    }
    fn is_nonzero(&self, i: usize) -> bool {
        match self {
            Values::Float(v) => v[i] != 0.0,
            Values::Int(v) => v[i] != 0,
        }
    }
    /// Equality as `unique` sees it: NaN equals nothing (each NaN is its own value, as PyTorch).
    fn same(&self, i: usize, j: usize) -> bool {
        match self {
            Values::Float(v) => v[i] == v[j],
            Values::Int(v) => v[i] == v[j],
        }
    }
    fn order(&self, i: usize, j: usize) -> std::cmp::Ordering {
        match self {
            Values::Float(v) => crate::op::order::total_order(v[i], v[j]),
            Values::Int(v) => v[i].cmp(&v[j]),
        }
    }
    fn pick(&self, idx: &[usize]) -> Values {
        match self {
            Values::Float(v) => Values::Float(idx.iter().map(|&i| v[i]).collect()),
            Values::Int(v) => Values::Int(idx.iter().map(|&i| v[i]).collect()),
        }
    }
}

/// `unique`'s optional results.
pub struct Unique {
    /// The distinct values, ascending (1-d).
    pub values: Tensor,
    /// For each input element, the position of its value in `values` (the input's shape).
    pub inverse: Tensor,
    /// How many input elements each value has.
    pub counts: Tensor,
}

impl Tensor {
    /// This tensor's buffer, which `op` reads to know its output's shape; an error naming `op`
    /// when it is not evaluated.
    fn ready(&self, op: &'static str, arg: &str) -> Result<Buffer> {
        self.buffer().ok_or_else(|| {
            bad_argument(op, format!("{arg} must be evaluated first: its values decide the output's shape"))
        })
    }

    /// Data computed from `source`'s values by `op`, marked for `explain()`.
    fn data_from(op: &str, arg: &str, source: &Tensor, buffer: Buffer, shape: impl Into<Shape>) -> Result<Tensor> {
        let note = format!(
            "{op} evaluated its {} {} {arg} to know its output's shape; the result is data here",
            source.dtype(),
            source.shape()
        );
        Ok(Tensor::from_buffer(buffer, shape)?.with_note(note))
    }

    /// `torch.nonzero`: the coordinates of the non-zero (true) elements of this evaluated
    /// tensor, in row-major order, as an `[n, ndim]` int64 tensor.
    pub fn nonzero(&self) -> Result<Tensor> {
        let b = self.ready("nonzero", "input")?;
        let v = values(&b)?;
        let dims = self.dims();
        let mut out = Vec::new();
        let mut n = 0usize;
        for p in (0..v.len()).filter(|&p| v.is_nonzero(p)) {
            let mut rest = p;
            let start = out.len();
            out.resize(start + dims.len(), 0i64);
            for (d, &size) in dims.iter().enumerate().rev() {
                out[start + d] = (rest % size) as i64;
                rest /= size;
            }
            n += 1;
        }
        Tensor::data_from("nonzero", "input", self, Buffer::from_vec(out), vec![n, self.ndim()])
    }

    /// `torch.nonzero(as_tuple=True)`: one 1-d int64 tensor of coordinates per dim (a 0-d
    /// tensor counts as 1-d).
    pub fn nonzero_tuple(&self) -> Result<Vec<Tensor>> {
        let x = if self.ndim() == 0 { Tensor::from_buffer(self.ready("nonzero", "input")?, 1)? } else { self.clone() };
        let nz = x.nonzero()?;
        let note = nz.note().map(str::to_string).unwrap_or_default();
        let buf = nz.buffer().expect("data");
        let all = buf.as_slice::<i64>()?;
        let (n, nd) = (nz.dims()[0], x.ndim());
        (0..nd)
            .map(|d| {
                let col: Vec<i64> = (0..n).map(|r| all[r * nd + d]).collect();
                Ok(Tensor::from_vec(col, n)?.with_note(note.clone()))
            })
            .collect()
    }

    /// `torch.masked_select`: the elements of this tensor where the evaluated bool `mask` is
    /// true (both broadcast), as a 1-d tensor. This tensor stays lazy: the result is a gather.
    pub fn masked_select(&self, mask: &Tensor) -> Result<Tensor> {
        if mask.dtype() != DType::Bool {
            return Err(bad_argument("masked_select", format!("mask must be a bool tensor, got {}", mask.dtype())));
        }
        let shape = Shape::broadcast("masked_select", self.shape(), mask.shape())?;
        let m = mask.ready("masked_select", "mask")?;
        let mv = m.as_slice::<bool>()?;
        // The mask's element for each position of the broadcast shape (stride 0 where it
        // broadcasts), walked in row-major order.
        let (dims, lead) = (shape.dims(), shape.ndim() - mask.ndim());
        let own = mask.shape().strides();
        let strides: Vec<usize> =
            (0..dims.len()).map(|d| if d < lead || mask.dims()[d - lead] == 1 { 0 } else { own[d - lead] }).collect();
        let (mut coord, mut pos) = (vec![0usize; dims.len()], Vec::new());
        for p in 0..shape.numel() {
            if mv[coord.iter().zip(&strides).map(|(c, s)| c * s).sum::<usize>()] {
                pos.push(p as i64);
            }
            for (c, &d) in coord.iter_mut().zip(dims).rev() {
                *c += 1;
                if *c < d {
                    break;
                }
                *c = 0;
            }
        }
        let n = pos.len();
        let pos = Tensor::data_from("masked_select", "mask", mask, Buffer::from_vec(pos), n)?;
        self.expand(&signed(shape.dims()))?.reshape(&[-1])?.gather(0, &pos)
    }

    /// `torch.unique(sorted=True)` of this evaluated tensor, flattened: its distinct values
    /// ascending (NaN last, each NaN its own value, as PyTorch), where each element's value
    /// went, and how many each has.
    pub fn unique(&self) -> Result<Unique> {
        let b = self.ready("unique", "input")?;
        let v = values(&b)?;
        let mut order: Vec<usize> = (0..v.len()).collect();
        order.sort_by(|&i, &j| v.order(i, j));
        self.runs("unique", &v, &order)
    }

    /// `torch.unique_consecutive`: each run of equal consecutive elements (this evaluated
    /// tensor flattened) as one value, the run each element is in, and the runs' lengths.
    pub fn unique_consecutive(&self) -> Result<Unique> {
        let b = self.ready("unique_consecutive", "input")?;
        let v = values(&b)?;
        let order: Vec<usize> = (0..v.len()).collect();
        self.runs("unique_consecutive", &v, &order)
    }

    /// The runs of equal values of `v` taken in `order`: their values, each element's run,
    /// and the runs' lengths.
    fn runs(&self, op: &str, v: &Values, order: &[usize]) -> Result<Unique> {
        let (mut firsts, mut counts, mut inverse) = (Vec::new(), Vec::<i64>::new(), vec![0i64; v.len()]);
        for (k, &i) in order.iter().enumerate() {
            if k == 0 || !v.same(order[k - 1], i) {
                firsts.push(i);
                counts.push(0);
            }
            *counts.last_mut().expect("a run started") += 1;
            inverse[i] = firsts.len() as i64 - 1;
        }
        let n = firsts.len();
        Ok(Unique {
            values: Tensor::data_from(op, "input", self, buffer_of(self.dtype(), &v.pick(&firsts)), n)?,
            inverse: Tensor::data_from(op, "input", self, Buffer::from_vec(inverse), self.shape().clone())?,
            counts: Tensor::data_from(op, "input", self, Buffer::from_vec(counts), n)?,
        })
    }

    /// `torch.bincount`: how many times each value `0..=max` occurs in this evaluated 1-d
    /// tensor of non-negative ints (at least `minlength` bins), or the sum of `weights` (same
    /// length, lazy) per value: int64 counts; float32 sums for float32 weights, else float64.
    pub fn bincount(&self, weights: Option<&Tensor>, minlength: usize) -> Result<Tensor> {
        if self.ndim() != 1 || !matches!(self.dtype(), DType::I32 | DType::I64 | DType::Bool) {
            return Err(bad_argument(
                "bincount",
                format!("input must be a 1-d tensor of non-negative ints, got {} {}", self.dtype(), self.shape()),
            ));
        }
        if let Some(w) = weights {
            if w.dims() != self.dims() {
                return Err(bad_argument(
                    "bincount",
                    format!("weights {} must have the shape of input {}", w.shape(), self.shape()),
                ));
            }
        }
        let b = self.ready("bincount", "input")?;
        let Values::Int(v) = values(&b)? else { unreachable!("an int dtype") };
        if let Some(&bad) = v.iter().find(|&&x| x < 0) {
            return Err(bad_argument("bincount", format!("input must be non-negative, got {bad}")));
        }
        let bins = v.iter().max().map_or(0, |&m| m as usize + 1).max(minlength);
        let idx = Tensor::data_from("bincount", "input", self, Buffer::from_vec(v), self.numel())?;
        let (src, dtype) = match weights {
            Some(w) => {
                let d = if w.dtype() == DType::F32 { DType::F32 } else { DType::F64 };
                (w.cast(d)?, d)
            }
            None => (Tensor::full(self.shape().clone(), 1i64, DType::I64)?, DType::I64),
        };
        Tensor::full(Shape::from(bins), 0i64, dtype)?.scatter_add(0, &idx, &src).map_err(|e| match e {
            Error::BadShape { reason, .. } => Error::BadShape { op: "bincount", reason },
            e => e,
        })
    }
}
