//! LLVM code for the kernels whose code computes reductions' partials, which the VM combines
//! and finishes: long rows (chunks of a row) and column reductions (tiles of columns over
//! chunks of rows). Partials are float64 and their order depends on the shape alone, so
//! results do not depend on the thread count.

use super::codegen::{e, Emit, V};
use super::codegen_rows::{with_rows, Pos};
use super::spec::{KernelSpec, Layout};
use hashbrown::HashMap;
use inkwell::context::Context;
use inkwell::module::Module;
use inkwell::values::{FunctionValue, IntValue, PointerValue};
use inkwell::{AddressSpace, IntPredicate};

/// The body of a one-stage long-row kernel ([`Layout::Long`]): for each task `t` of
/// `start..end` (row `t / nchunks`, chunk `t % nchunks` of the row's `chunk`-element chunks),
/// the stage's full program over the chunk, and each reduction's partial over it written to the
/// scratch as a float64 (`t * reduces + i`); the caller combines a row's partials in chunk
/// order and runs the row program. Within a chunk the lanes are folded in a fixed order, so
/// results do not depend on how tasks are cut.
pub(super) fn emit_chunks<'c>(
    ctx: &'c Context,
    module: &Module<'c>,
    f: FunctionValue<'c>,
    lanes: u32,
    spec: &KernelSpec,
) -> Result<(), String> {
    let rs = spec.rows.as_ref().ok_or("not a row kernel")?;
    let (Layout::Long { chunk }, [st]) = (rs.layout, rs.stages.as_slice()) else {
        return Err("not a one-stage long-row kernel".into());
    };
    with_rows(ctx, module, f, lanes, spec, HashMap::new(), |g, wide, one, start, end| {
        let b = g.b;
        let f64p = ctx.f64_type().ptr_type(AddressSpace::default());
        let partials = b.build_pointer_cast(g.scratch, f64p, "").map_err(e)?;
        let k = |v: usize| ctx.i64_type().const_int(v as u64, false);
        let (row_len, nchunks) = (k(rs.row_len), k(rs.row_len.div_ceil(chunk)));
        let no_rows: Vec<Option<V<'c>>> = vec![None; rs.row_regs.max(1)];
        let latest = HashMap::new();
        g.counted(start, end, 1, |t| {
            let r = b.build_int_unsigned_div(t, nchunks, "").map_err(e)?;
            let c = b.build_int_unsigned_rem(t, nchunks, "").map_err(e)?;
            let base = b.build_int_mul(r, row_len, "").map_err(e)?;
            let from = b.build_int_mul(c, k(chunk), "").map_err(e)?;
            let next = b.build_int_add(from, k(chunk), "").map_err(e)?;
            let to = umin(b, next, row_len)?;
            // `chunk` is a multiple of the width: only a row's last chunk has a remainder.
            let len = b.build_int_sub(to, from, "").map_err(e)?;
            let rem = b.build_int_unsigned_rem(len, k(wide.width as usize), "").map_err(e)?;
            let whole = b.build_int_sub(to, rem, "").map_err(e)?;
            let accs_w = g.init_accs(wide, &st.reduces)?;
            let accs_1 = g.init_accs(one, &st.reduces)?;
            let at = Pos { base, r, latest: &latest, row_regs: &no_rows };
            let step = |em: &Emit<'_, 'c>, accs: &[PointerValue<'c>], j| {
                g.accumulate(em, &st.reduces, accs, &g.full_body(em, 0, st, &at, j)?)
            };
            g.counted(from, whole, wide.width as u64, |j| step(wide, &accs_w, j))?;
            g.counted(whole, to, 1, |j| step(one, &accs_1, j))?;
            let nred = st.reduces.len();
            for (i, (red, (aw, a1))) in st.reduces.iter().zip(accs_w.iter().zip(&accs_1)).enumerate() {
                let v = g.fold_lanes(wide, one, red.op, *aw, *a1)?;
                let x = b.build_extract_element(v, ctx.i32_type().const_zero(), "").map_err(e)?.into_float_value();
                let x = match g.acc_emit(one, red.op).f64 {
                    true => x,
                    false => b.build_float_ext(x, ctx.f64_type(), "").map_err(e)?,
                };
                let slot = b.build_int_add(b.build_int_mul(t, k(nred), "").map_err(e)?, k(i), "").map_err(e)?;
                // SAFETY (of the generated code): the caller's partials hold `reduces` per task.
                let q = unsafe { b.build_gep(partials, &[slot], "") }.map_err(e)?;
                b.build_store(q, x).map_err(e)?;
            }
            Ok(())
        })
    })
}

/// The body of a one-stage column reduction ([`Layout::Cols`]) `[m, k, n]` reducing `k`: for
/// each task `t` of `start..end` (tile `t / kchunks` of `tile` columns of matrix `mi`, chunk
/// `t % kchunks` of `kc` rows of `k`), each reduction's column partials over the chunk, in
/// float64 at `scratch[t * reduces * tile + i * tile + j]` (column `j` of the tile), the rows
/// walked in order with the partials in memory; the caller combines a tile's chunks in order
/// and runs the row program.
pub(super) fn emit_cols<'c>(
    ctx: &'c Context,
    module: &Module<'c>,
    f: FunctionValue<'c>,
    lanes: u32,
    spec: &KernelSpec,
) -> Result<(), String> {
    let rs = spec.rows.as_ref().ok_or("not a row kernel")?;
    let (Layout::Cols { k: kk, n, tile, kc, .. }, [st]) = (rs.layout, rs.stages.as_slice()) else {
        return Err("not a one-stage column reduction".into());
    };
    with_rows(ctx, module, f, lanes, spec, HashMap::new(), |g, wide, one, start, end| {
        let b = g.b;
        let i64t = ctx.i64_type();
        let k = |v: usize| i64t.const_int(v as u64, false);
        let f64p = ctx.f64_type().ptr_type(AddressSpace::default());
        let partials = b.build_pointer_cast(g.scratch, f64p, "").map_err(e)?;
        let (nblocks, kchunks, nred) = (n.div_ceil(tile), kk.div_ceil(kc), st.reduces.len());
        let no_rows: Vec<Option<V<'c>>> = vec![None; rs.row_regs.max(1)];
        let latest = HashMap::new();
        g.counted(start, end, 1, |t| {
            let ti = b.build_int_unsigned_div(t, k(kchunks), "").map_err(e)?;
            let c = b.build_int_unsigned_rem(t, k(kchunks), "").map_err(e)?;
            let mi = b.build_int_unsigned_div(ti, k(nblocks), "").map_err(e)?;
            let n0 =
                b.build_int_mul(b.build_int_unsigned_rem(ti, k(nblocks), "").map_err(e)?, k(tile), "").map_err(e)?;
            let w = umin(b, k(tile), b.build_int_sub(k(n), n0, "").map_err(e)?)?;
            let rem = b.build_int_unsigned_rem(w, k(wide.width as usize), "").map_err(e)?;
            let whole = b.build_int_sub(w, rem, "").map_err(e)?;
            let kr0 = b.build_int_mul(c, k(kc), "").map_err(e)?;
            let kend = umin(b, b.build_int_add(kr0, k(kc), "").map_err(e)?, k(kk))?;
            // SAFETY (of the generated code): the caller's partials hold `reduces * tile` per task.
            let part = unsafe { b.build_gep(partials, &[b.build_int_mul(t, k(nred * tile), "").map_err(e)?], "") };
            let part = part.map_err(e)?;
            // Column `j`'s accumulator of every reduction, as `em`'s vector of float64.
            let accs_at = |em: &Emit<'_, 'c>, j: IntValue<'c>| -> Result<Vec<PointerValue<'c>>, String> {
                let mut out = Vec::with_capacity(nred);
                for (i, red) in st.reduces.iter().enumerate() {
                    let at = b.build_int_add(k(i * tile), j, "").map_err(e)?;
                    // SAFETY (of the generated code): `i * tile + j` is within the task's partials.
                    let q = unsafe { b.build_gep(part, &[at], "") }.map_err(e)?;
                    let ty = g.acc_emit(em, red.op).fvec().ptr_type(AddressSpace::default());
                    out.push(b.build_pointer_cast(q, ty, "").map_err(e)?);
                }
                Ok(out)
            };
            g.counted(k(0), w, 1, |j| {
                for (red, acc) in st.reduces.iter().zip(accs_at(one, j)?) {
                    let s = b.build_store(acc, g.acc_emit(one, red.op).c(red.op.identity())).map_err(e)?;
                    s.set_alignment(8).map_err(|m| m.to_string())?;
                }
                Ok(())
            })?;
            g.counted(kr0, kend, 1, |kr| {
                let row = b.build_int_add(b.build_int_mul(mi, k(kk), "").map_err(e)?, kr, "").map_err(e)?;
                let base = b.build_int_add(b.build_int_mul(row, k(n), "").map_err(e)?, n0, "").map_err(e)?;
                let at = Pos { base, r: k(0), latest: &latest, row_regs: &no_rows };
                let step = |em: &Emit<'_, 'c>, j| {
                    g.accumulate(em, &st.reduces, &accs_at(em, j)?, &g.full_body(em, 0, st, &at, j)?)
                };
                g.counted(k(0), whole, wide.width as u64, |j| step(wide, j))?;
                g.counted(whole, w, 1, |j| step(one, j))
            })
        })
    })
}

/// The smaller of two unsigned integers.
fn umin<'c>(b: &inkwell::builder::Builder<'c>, x: IntValue<'c>, y: IntValue<'c>) -> Result<IntValue<'c>, String> {
    let gt = b.build_int_compare(IntPredicate::UGT, x, y, "").map_err(e)?;
    Ok(b.build_select(gt, y, x, "").map_err(e)?.into_int_value())
}
