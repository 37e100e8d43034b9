//! LLVM code for a short-row kernel (softmax, layer norm, row reductions): per row, each stage
//! runs its full-space program over the row in vectors (twice the host width, then one element
//! at a time), accumulating its reductions in registers, then its row program on the row's
//! values. A full-space register that a later stage reads (softmax's `exp(x - max)`) is
//! spilled to the task's scratch row when computed and read back there: one store and one load
//! instead of computing it again.
//!
//! Sums and products accumulate in float64 lanes (float32 kernels too), max/min in the
//! kernel's type, NaN-propagating as the VM's; lanes are combined in a fixed order, so results
//! do not depend on the thread count (a row is one task's). They match the VM within rounding:
//! the lanes differ from the VM's blocks.

use super::codegen::{e, set_align, splat, Emit, Params, R, V};
use super::spec::{KernelSpec, Layout, Read, RowsSpec};
use hashbrown::HashMap;
use inkwell::builder::Builder;
use inkwell::context::Context;
use inkwell::module::Module;
use inkwell::types::BasicTypeEnum;
use inkwell::values::{FunctionValue, IntValue, PointerValue};
use inkwell::{AddressSpace, FloatPredicate as P, IntPredicate};
use rusttorch_ir::op::ReduceOp;
use rusttorch_ir::plan::{Instr, Operand, ReduceInstr, Reg, Stage};
use rusttorch_ir::DType;

/// A def site: (stage, instruction index in its full program).
pub(super) type Site = (usize, usize);

/// Full registers read in a later stage than the one computing them: their def sites and
/// scratch slots.
fn spills(stages: &[Stage]) -> HashMap<Site, usize> {
    let mut latest: HashMap<Reg, Site> = HashMap::new();
    let mut slots: HashMap<Site, usize> = HashMap::new();
    for (si, st) in stages.iter().enumerate() {
        let mut read = |r: Reg, latest: &HashMap<Reg, Site>| {
            if let Some(&site) = latest.get(&r) {
                if site.0 < si && !slots.contains_key(&site) {
                    let n = slots.len();
                    slots.insert(site, n);
                }
            }
        };
        for (ii, ins) in st.full.iter().enumerate() {
            for o in reads(ins) {
                if let Operand::Reg(r) = o {
                    read(r, &latest);
                }
            }
            if let Some(d) = dst(ins) {
                latest.insert(d, (si, ii));
            }
        }
        for red in &st.reduces {
            read(red.src, &latest);
        }
    }
    slots
}

fn reads(i: &Instr) -> Vec<Operand> {
    match *i {
        Instr::Unary { src, .. } | Instr::Store { src, .. } => vec![src],
        Instr::Binary { a, b, .. } => vec![a, b],
        Instr::Select { cond, a, b, .. } => vec![cond, a, b],
        _ => Vec::new(),
    }
}

fn dst(i: &Instr) -> Option<Reg> {
    match *i {
        Instr::Load { dst, .. }
        | Instr::Unary { dst, .. }
        | Instr::Binary { dst, .. }
        | Instr::Select { dst, .. }
        | Instr::Expand { dst, .. } => Some(dst),
        _ => None,
    }
}

/// A full register's value in the code being emitted.
#[derive(Clone, Copy)]
enum Held<'c> {
    Value(V<'c>),
    /// Spilled by an earlier stage to this scratch slot.
    Slot(usize),
}

/// Where a full program runs: the row's first element and index, the full registers' latest
/// def sites before the stage, the row registers so far.
pub(super) struct Pos<'a, 'c> {
    pub(super) base: IntValue<'c>,
    pub(super) r: IntValue<'c>,
    pub(super) latest: &'a HashMap<Reg, Site>,
    pub(super) row_regs: &'a [Option<V<'c>>],
}

/// What every piece of a row kernel's code shares.
pub(super) struct Rows<'a, 'c> {
    ctx: &'c Context,
    pub(super) b: &'a Builder<'c>,
    f: FunctionValue<'c>,
    spec: &'a KernelSpec,
    rs: &'a RowsSpec,
    ins: Vec<PointerValue<'c>>,
    outs: Vec<PointerValue<'c>>,
    pub(super) scratch: PointerValue<'c>,
    slots: HashMap<Site, usize>,
    /// Every reduction accumulates in float64 (accumulators in float64 memory).
    f64_accs: bool,
}

/// The body of the row kernel `spec` (its [`RowsSpec`]), computing rows `start..end`; returns
/// the number of full registers it spills (scratch rows).
pub(super) fn emit_rows<'c>(
    ctx: &'c Context,
    module: &Module<'c>,
    f: FunctionValue<'c>,
    lanes: u32,
    spec: &KernelSpec,
) -> Result<usize, String> {
    let rs = spec.rows.as_ref().ok_or("not a row kernel")?;
    with_rows(ctx, module, f, lanes, spec, spills(&rs.stages), |g, wide, one, start, end| {
        let (b, i64t) = (g.b, ctx.i64_type());
        let row_len = i64t.const_int(rs.row_len as u64, false);
        let whole = i64t.const_int((rs.row_len - rs.row_len % wide.width as usize) as u64, false);
        g.counted(start, end, 1, |r| {
            let base = b.build_int_mul(r, row_len, "").map_err(e)?;
            let mut row_regs: Vec<Option<V<'c>>> = vec![None; rs.row_regs.max(1)];
            let mut latest: HashMap<Reg, Site> = HashMap::new();
            for (si, st) in rs.stages.iter().enumerate() {
                // Accumulators of both widths in stack slots (and loop counters), promoted to
                // registers by `mem2reg` (`promote`).
                let accs_w = g.init_accs(wide, &st.reduces)?;
                let accs_1 = g.init_accs(one, &st.reduces)?;
                let zero = i64t.const_zero();
                let at = Pos { base, r, latest: &latest, row_regs: &row_regs };
                let step = |em: &Emit<'_, 'c>, accs: &[PointerValue<'c>], j| {
                    g.accumulate(em, &st.reduces, accs, &g.full_body(em, si, st, &at, j)?)
                };
                g.counted(zero, whole, wide.width as u64, |j| step(wide, &accs_w, j))?;
                g.counted(whole, row_len, 1, |j| step(one, &accs_1, j))?;
                for (red, (aw, a1)) in st.reduces.iter().zip(accs_w.iter().zip(&accs_1)) {
                    let v = g.finish_reduce(wide, one, red.op, *aw, *a1)?;
                    set_reg(&mut row_regs, red.dst, v);
                }
                for (ii, ins) in st.full.iter().enumerate() {
                    if let Some(d) = dst(ins) {
                        latest.insert(d, (si, ii));
                    }
                }
                g.row_body(one, &st.row, &mut row_regs, r)?;
            }
            Ok(())
        })?;
        Ok(g.slots.len())
    })
}

/// What every row kernel's body shares: the parameters loaded, the constants splat once at entry (a
/// row's loops are short and many) at twice the host width and at one element (per-row code
/// and a row's last few elements call the transcendentals, compiled once), then `body(rows,
/// wide, one, start, end)`, the return, and the stack slots promoted to registers.
pub(super) fn with_rows<'c, T>(
    ctx: &'c Context,
    module: &Module<'c>,
    f: FunctionValue<'c>,
    lanes: u32,
    spec: &KernelSpec,
    slots: HashMap<Site, usize>,
    body: impl FnOnce(&Rows<'_, 'c>, &Emit<'_, 'c>, &Emit<'_, 'c>, IntValue<'c>, IntValue<'c>) -> Result<T, String>,
) -> Result<T, String> {
    let rs = spec.rows.as_ref().ok_or("not a row kernel")?;
    let b = ctx.create_builder();
    let f64 = spec.dtype == DType::F64;
    // Two registers per value: two independent accumulator chains per reduction (softmax and
    // layer norm at 1024 x 1024 ran 20-25 % faster than at the native width, on AVX2).
    let wide = Emit { ctx, module, b: &b, width: 2 * lanes, f64, consts: &[], outline: spec.outlines() };
    let one = Emit { width: 1, outline: true, ..wide };
    let entry = ctx.append_basic_block(f, "entry");
    b.position_at_end(entry);
    let params = Params::load(ctx, &b, f, spec, wide.elem())?;
    let [consts_w, consts_1] = params.load_consts([&wide, &one])?;
    let Params { ins, outs, start, end, scratch, .. } = params;
    let (wide, one) = (Emit { consts: &consts_w, ..wide }, Emit { consts: &consts_1, ..one });
    let f64_accs = matches!(rs.layout, Layout::Cols { .. });
    let g = Rows { ctx, b: &b, f, spec, rs, ins, outs, scratch, slots, f64_accs };
    let out = body(&g, &wide, &one, start, end)?;
    b.build_return(None).map_err(e)?;
    promote(module, f);
    Ok(out)
}

/// Promotes `f`'s stack slots (accumulators, loop counters) to registers.
fn promote<'c>(module: &Module<'c>, f: FunctionValue<'c>) {
    // LLVM 14's legacy pass manager: one function pass, no target machine needed.
    #[allow(deprecated)]
    let pm = inkwell::passes::PassManager::create(module);
    pm.add_promote_memory_to_register_pass();
    pm.initialize();
    pm.run_on(&f);
}

fn set_reg<'c>(regs: &mut Vec<Option<V<'c>>>, r: Reg, v: V<'c>) {
    if regs.len() <= r as usize {
        regs.resize(r as usize + 1, None);
    }
    regs[r as usize] = Some(v);
}

impl<'c> Rows<'_, 'c> {
    /// `for i in (from..to).step_by(step) { body(i) }`, the counter in a stack slot.
    pub(super) fn counted(
        &self,
        from: IntValue<'c>,
        to: IntValue<'c>,
        step: u64,
        body: impl FnOnce(IntValue<'c>) -> Result<(), String>,
    ) -> Result<(), String> {
        let (b, i64t) = (self.b, self.ctx.i64_type());
        let slot = self.entry_alloca(i64t.into())?;
        b.build_store(slot, from).map_err(e)?;
        let cond = self.ctx.append_basic_block(self.f, "cond");
        let body_bb = self.ctx.append_basic_block(self.f, "body");
        let exit = self.ctx.append_basic_block(self.f, "exit");
        b.build_unconditional_branch(cond).map_err(e)?;
        b.position_at_end(cond);
        let i = b.build_load(slot, "").map_err(e)?.into_int_value();
        let next = b.build_int_add(i, i64t.const_int(step, false), "").map_err(e)?;
        let more = b.build_int_compare(IntPredicate::ULE, next, to, "").map_err(e)?;
        b.build_conditional_branch(more, body_bb, exit).map_err(e)?;
        b.position_at_end(body_bb);
        body(i)?;
        b.build_store(slot, next).map_err(e)?;
        b.build_unconditional_branch(cond).map_err(e)?;
        b.position_at_end(exit);
        Ok(())
    }

    /// A stack slot of type `t`, allocated in the entry block.
    pub(super) fn entry_alloca(&self, t: BasicTypeEnum<'c>) -> Result<PointerValue<'c>, String> {
        let entry = self.f.get_first_basic_block().ok_or("no entry block")?;
        let ab = self.ctx.create_builder();
        match entry.get_first_instruction() {
            Some(first) => ab.position_before(&first),
            None => ab.position_at_end(entry),
        }
        ab.build_alloca(t, "").map_err(e)
    }

    /// The accumulator type of a reduction at `em`'s width: float64 for sums and products (for
    /// every reduction where the accumulators are float64 memory: [`Rows::f64_accs`]).
    pub(super) fn acc_emit<'a>(&self, em: &'a Emit<'a, 'c>, op: ReduceOp) -> Emit<'a, 'c> {
        let wide = self.f64_accs || matches!(op, ReduceOp::Sum | ReduceOp::Prod);
        // No constant table: the kernel's constants are vectors of its own type, not the
        // accumulator's (resolving one here is the clear "no constant" error).
        Emit { f64: em.f64 || wide, consts: &[], ..*em }
    }

    pub(super) fn init_accs(
        &self,
        em: &Emit<'_, 'c>,
        reduces: &[ReduceInstr],
    ) -> Result<Vec<PointerValue<'c>>, String> {
        let mut out = Vec::new();
        for red in reduces {
            let ae = self.acc_emit(em, red.op);
            let slot = self.entry_alloca(ae.fvec().into())?;
            let init = match red.op {
                ReduceOp::Sum => 0.0,
                ReduceOp::Prod => 1.0,
                ReduceOp::Max => f64::NEG_INFINITY,
                ReduceOp::Min => f64::INFINITY,
            };
            self.b.build_store(slot, ae.c(init)).map_err(e)?;
            out.push(slot);
        }
        Ok(out)
    }

    /// Address of element `at` of `p`, as a pointer to `em`'s vector.
    fn addr(&self, em: &Emit<'_, 'c>, p: PointerValue<'c>, at: IntValue<'c>) -> Result<PointerValue<'c>, String> {
        // SAFETY (of the generated code): positions within the kernel's buffers (planned so).
        let q = unsafe { self.b.build_gep(p, &[at], "") }.map_err(e)?;
        self.b.build_pointer_cast(q, em.fvec().ptr_type(AddressSpace::default()), "").map_err(e)
    }

    pub(super) fn load(&self, em: &Emit<'_, 'c>, p: PointerValue<'c>, at: IntValue<'c>) -> R<'c> {
        let l = self.b.build_load(self.addr(em, p, at)?, "").map_err(e)?;
        set_align(l, if em.f64 { 8 } else { 4 })?;
        Ok(l.into_vector_value())
    }

    pub(super) fn store(
        &self,
        em: &Emit<'_, 'c>,
        p: PointerValue<'c>,
        at: IntValue<'c>,
        v: V<'c>,
    ) -> Result<(), String> {
        let s = self.b.build_store(self.addr(em, p, at)?, v).map_err(e)?;
        s.set_alignment(if em.f64 { 8 } else { 4 }).map_err(|m| m.to_string())
    }

    /// One element of row `r` broadcast to `em`'s width.
    fn splat_at(&self, em: &Emit<'_, 'c>, p: PointerValue<'c>, at: IntValue<'c>) -> R<'c> {
        // SAFETY (of the generated code): within the buffer (planned so).
        let q = unsafe { self.b.build_gep(p, &[at], "") }.map_err(e)?;
        let s = self.b.build_load(q, "").map_err(e)?;
        splat(em, s)
    }

    /// Stage `si`'s full program at row position `j` (row starting at element `base`),
    /// `em.width` elements at once: its stores, and the values its reductions take (squared
    /// for sums of squares), in order.
    pub(super) fn full_body(
        &self,
        em: &Emit<'_, 'c>,
        si: usize,
        st: &Stage,
        pos: &Pos<'_, 'c>,
        j: IntValue<'c>,
    ) -> Result<Vec<V<'c>>, String> {
        let (b, base, r, latest) = (self.b, pos.base, pos.r, pos.latest);
        let i64t = self.ctx.i64_type();
        let at = b.build_int_add(base, j, "").map_err(e)?;
        let slot_at = |slot: usize| -> Result<IntValue<'c>, String> {
            let off = i64t.const_int((slot * self.rs.row_len) as u64, false);
            b.build_int_add(off, j, "").map_err(e)
        };
        let mut regs: HashMap<Reg, Held<'c>> = HashMap::new();
        for (&reg, site) in latest {
            if let Some(&slot) = self.slots.get(site) {
                regs.insert(reg, Held::Slot(slot));
            }
        }
        let get = |regs: &HashMap<Reg, Held<'c>>, o: &Operand| -> R<'c> {
            em.operand(o, |r| match regs.get(&r) {
                Some(Held::Value(v)) => Ok(*v),
                Some(Held::Slot(s)) => self.load(em, self.scratch, slot_at(*s)?),
                None => Err(format!("full register r{r} read unset")),
            })
        };
        for (ii, ins) in st.full.iter().enumerate() {
            let v = match ins {
                Instr::Load { input, .. } => {
                    let n = *input as usize;
                    let p = self.ins[n];
                    match self.spec.reads[n] {
                        _ if self.rs.in_row[n] => self.splat_at(em, p, r)?,
                        Read::Scalar => self.splat_at(em, p, i64t.const_zero())?,
                        Read::Contiguous => self.load(em, p, at)?,
                        Read::Repeat => self.load(em, p, j)?,
                        Read::RowValue => self.splat_at(em, p, r)?,
                    }
                }
                Instr::Expand { src, .. } => {
                    let v = pos.row_regs.get(*src as usize).copied().flatten();
                    let v = v.ok_or_else(|| format!("row register r{src} read unset"))?;
                    let x = b.build_extract_element(v, self.ctx.i32_type().const_zero(), "").map_err(e)?;
                    splat(em, x)?
                }
                Instr::Unary { op, src, .. } => em.unary(*op, get(&regs, src)?)?,
                Instr::Binary { op, a, b: bb, .. } => em.binary(*op, get(&regs, a)?, get(&regs, bb)?)?,
                Instr::Select { cond, a, b: bb, .. } => {
                    let c = em.cmp(P::UNE, get(&regs, cond)?, em.c(0.0))?;
                    em.sel(c, get(&regs, a)?, get(&regs, bb)?)?
                }
                Instr::Store { output, src } => {
                    let o = *output as usize;
                    if self.rs.out_row[o] {
                        return Err("a full program storing a row output".into());
                    }
                    self.store(em, self.outs[o], at, get(&regs, src)?)?;
                    continue;
                }
                other => return Err(format!("{other:?} is not compiled")),
            };
            let d = dst(ins).expect("a computing instruction");
            if let Some(&slot) = self.slots.get(&(si, ii)) {
                self.store(em, self.scratch, slot_at(slot)?, v)?;
            }
            regs.insert(d, Held::Value(v));
        }
        let mut values = Vec::with_capacity(st.reduces.len());
        for red in &st.reduces {
            let v = get(&regs, &Operand::Reg(red.src))?;
            values.push(if red.square { em.mul(v, v)? } else { v });
        }
        Ok(values)
    }

    /// Combines each reduction's `values` (at `em`'s width) into its accumulator at `accs`.
    pub(super) fn accumulate(
        &self,
        em: &Emit<'_, 'c>,
        reduces: &[ReduceInstr],
        accs: &[PointerValue<'c>],
        values: &[V<'c>],
    ) -> Result<(), String> {
        let b = self.b;
        for ((red, acc), &v) in reduces.iter().zip(accs).zip(values) {
            let ae = self.acc_emit(em, red.op);
            // Aligned to the element: accumulators may be float64 memory (column partials).
            let align = if ae.f64 { 8 } else { 4 };
            let a = b.build_load(*acc, "").map_err(e)?;
            set_align(a, align)?;
            let next = self.combine(&ae, em, red.op, a.into_vector_value(), v)?;
            b.build_store(*acc, next).map_err(e)?.set_alignment(align).map_err(|m| m.to_string())?;
        }
        Ok(())
    }

    /// `acc op v`, `v` widened to the accumulator's type.
    fn combine(&self, ae: &Emit<'_, 'c>, em: &Emit<'_, 'c>, op: ReduceOp, acc: V<'c>, v: V<'c>) -> R<'c> {
        let v = if ae.f64 && !em.f64 { self.b.build_float_ext(v, ae.fvec(), "").map_err(e)? } else { v };
        match op {
            ReduceOp::Sum => ae.add(acc, v),
            ReduceOp::Prod => ae.mul(acc, v),
            // The VM's `v > m || isnan(v)`: NaN propagates and stays.
            ReduceOp::Max | ReduceOp::Min => {
                let p = if op == ReduceOp::Max { P::OGT } else { P::OLT };
                let take = self.b.build_or(ae.cmp(p, v, acc)?, ae.cmp(P::UNO, v, v)?, "").map_err(e)?;
                ae.sel(take, v, acc)
            }
        }
    }

    /// The row value of a reduction: [`Self::fold_lanes`] rounded to the kernel's type (a
    /// `<1 x T>`).
    fn finish_reduce(
        &self,
        wide: &Emit<'_, 'c>,
        one: &Emit<'_, 'c>,
        op: ReduceOp,
        acc_w: PointerValue<'c>,
        acc_1: PointerValue<'c>,
    ) -> R<'c> {
        let total = self.fold_lanes(wide, one, op, acc_w, acc_1)?;
        if self.acc_emit(one, op).f64 && !one.f64 {
            return self.b.build_float_trunc(total, one.fvec(), "").map_err(e);
        }
        Ok(total)
    }

    /// A reduction's accumulators folded into one value of the accumulator type (a `<1 x A>`):
    /// the one-element accumulator, then the wide accumulator's lanes in order.
    pub(super) fn fold_lanes(
        &self,
        wide: &Emit<'_, 'c>,
        one: &Emit<'_, 'c>,
        op: ReduceOp,
        acc_w: PointerValue<'c>,
        acc_1: PointerValue<'c>,
    ) -> R<'c> {
        let b = self.b;
        let ae1 = self.acc_emit(one, op);
        let aw = b.build_load(acc_w, "").map_err(e)?.into_vector_value();
        let mut total = b.build_load(acc_1, "").map_err(e)?.into_vector_value();
        let i32t = self.ctx.i32_type();
        for lane in 0..wide.width {
            let x = b.build_extract_element(aw, i32t.const_int(lane as u64, false), "").map_err(e)?;
            let xv = splat(&ae1, x)?;
            total = self.combine(&ae1, &ae1, op, total, xv)?;
        }
        Ok(total)
    }

    /// A stage's row program for row `r`, one value at a time.
    fn row_body(
        &self,
        one: &Emit<'_, 'c>,
        prog: &[Instr],
        regs: &mut Vec<Option<V<'c>>>,
        r: IntValue<'c>,
    ) -> Result<(), String> {
        let get = |regs: &Vec<Option<V<'c>>>, o: &Operand| -> R<'c> {
            one.operand(o, |x| {
                regs.get(x as usize).copied().flatten().ok_or_else(|| format!("row register r{x} read unset"))
            })
        };
        for ins in prog {
            let v = match ins {
                Instr::Load { input, .. } => {
                    let n = *input as usize;
                    let at = if self.spec.reads[n] == Read::Scalar { self.ctx.i64_type().const_zero() } else { r };
                    self.splat_at(one, self.ins[n], at)?
                }
                Instr::Unary { op, src, .. } => one.unary(*op, get(regs, src)?)?,
                Instr::Binary { op, a, b, .. } => one.binary(*op, get(regs, a)?, get(regs, b)?)?,
                Instr::Select { cond, a, b, .. } => {
                    let c = one.cmp(P::UNE, get(regs, cond)?, one.c(0.0))?;
                    one.sel(c, get(regs, a)?, get(regs, b)?)?
                }
                Instr::Store { output, src } => {
                    self.store(one, self.outs[*output as usize], r, get(regs, src)?)?;
                    continue;
                }
                other => return Err(format!("{other:?} in a row program is not compiled")),
            };
            set_reg(regs, dst(ins).expect("a computing instruction"), v);
        }
        Ok(())
    }
}
