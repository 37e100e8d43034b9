//! Converting a kernel's operands into its compute type and its results into their storage
//! dtype (an int8 input of an int32 kernel, a float16 result of a float32 one): chunked over
//! the engine's pool into pooled memory, with float16/bfloat16 through the `half` crate's
//! vectorised slice conversions.

use super::slots::AnySlice;
use crate::kernel::{same, same_mut, Ctx};
use crate::memory::PooledVec;
use crate::num::Num;
use half::slice::HalfFloatSliceExt;
use half::{bf16, f16};
use rayon::prelude::*;
use rusttorch_ir::{half, Buffer, DType, Element, Result};

/// Elements per conversion task: a few hundred KiB, so tasks stay in L2.
const CHUNK: usize = 1 << 16;

/// `f(src chunk, dst chunk)` over matching chunks, on the engine's pool when there are several.
fn chunked<S: Sync, T: Send>(ctx: Ctx<'_>, src: &[S], dst: &mut [T], f: impl Fn(&[S], &mut [T]) + Sync) {
    match ctx.pool {
        Some(pool) if ctx.threads > 1 && dst.len() > CHUNK => {
            pool.install(|| src.par_chunks(CHUNK).zip(dst.par_chunks_mut(CHUNK)).for_each(|(s, d)| f(s, d)))
        }
        _ => f(src, dst),
    }
}

/// `dst[i] = f(src[i])`, chunked.
fn map<S: Copy + Sync, T: Send>(ctx: Ctx<'_>, src: &[S], dst: &mut [T], f: impl Fn(S) -> T + Sync) {
    chunked(ctx, src, dst, |s, d| d.iter_mut().zip(s).for_each(|(d, &s)| *d = f(s)));
}

/// Stored elements `src` converted into `dst` by the cast rule (floats by value, ints wrapping).
fn load<S: Element, T: Num>(ctx: Ctx<'_>, src: &[S], dst: &mut [T]) {
    if let Some(d) = same_mut::<T, f32>(dst) {
        if let Some(s) = same::<S, f16>(src) {
            return chunked(ctx, s, d, |s, d| s.convert_to_f32_slice(d));
        }
        if let Some(s) = same::<S, bf16>(src) {
            return chunked(ctx, s, d, |s, d| s.convert_to_f32_slice(d));
        }
    }
    if S::DTYPE.is_float() {
        map(ctx, src, dst, |x| T::from_f64(x.to_f64()));
    } else {
        map(ctx, src, dst, |x| T::from_i64(x.to_i64()));
    }
}

impl AnySlice<'_> {
    /// The elements converted to `T` with cast semantics (float to int saturates, NaN is 0,
    /// int64 to int32 wraps, uint64 to a float by value, bools are 0/1).
    pub(super) fn convert<T: Num>(&self, ctx: Ctx<'_>) -> Result<PooledVec<T>> {
        let mut out = PooledVec::<T>::new(self.len())?;
        match *self {
            AnySlice::F32(v) => load(ctx, v, &mut out),
            AnySlice::F64(v) => load(ctx, v, &mut out),
            AnySlice::I32(v) => map(ctx, v, &mut out, |x| T::from_i64(x.0 as i64)),
            AnySlice::I64(v) => map(ctx, v, &mut out, |x| T::from_i64(x.0)),
            AnySlice::U64(v) if T::FLOAT => map(ctx, v, &mut out, |x| T::from_f64(x.0 as f64)),
            AnySlice::U64(v) => map(ctx, v, &mut out, |x| T::from_i64(x.0 as i64)),
            AnySlice::Bool(v) => map(ctx, v, &mut out, |x| if x != 0 { T::ONE } else { T::ZERO }),
            AnySlice::Narrow(b) => {
                rusttorch_ir::with_element!(b.dtype(), S => load(ctx, b.as_slice::<S>()?, &mut out))
            }
        }
        Ok(out)
    }
}

/// `v`, computed in `T`, stored as `dtype` (a storage-only dtype such as `float16` or `int8`
/// computed in float32 or int32): floats rounded once to nearest even, ints wrapped.
pub(super) fn narrow_to<T: Num>(ctx: Ctx<'_>, v: &[T], dtype: DType) -> Result<Buffer> {
    rusttorch_ir::with_element!(dtype, S => {
        let mut out = PooledVec::<S>::new(v.len())?;
        store(ctx, v, &mut out);
        Ok(out.into_buffer())
    })
}

/// `src` (compute type) converted into stored elements `dst`.
fn store<T: Num, S: Element>(ctx: Ctx<'_>, src: &[T], dst: &mut [S]) {
    if let Some(s) = same::<T, f32>(src) {
        if let Some(d) = same_mut::<S, f16>(dst) {
            return chunked(ctx, s, d, |s, d| d.convert_from_f32_slice(s));
        }
        if let Some(d) = same_mut::<S, bf16>(dst) {
            return chunked(ctx, s, d, |s, d| d.convert_from_f32_slice(s));
        }
    }
    if T::FLOAT {
        map(ctx, src, dst, |x| S::from_f64(x.to_f64()));
    } else {
        map(ctx, src, dst, |x| S::from_i64(x.to_i64()));
    }
}
