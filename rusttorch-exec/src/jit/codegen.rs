//! LLVM code for an elementwise kernel: one loop over the task's whole vectors whose values
//! live in vector registers, at twice the host's vector width (two registers per value:
//! independent chains for the out-of-order core).
//!
//! The IR is written in vector form directly and only code generation runs (no optimisation
//! pipeline: the loop is already what the vectorizer would make, and codegen alone takes
//! about 3 ms where the `-O3` pipeline takes ~50 ms). No fast-math flags: every operation
//! rounds as the VM's does, so the tiers agree bit for bit.

use super::spec::{KernelSpec, Read};
use super::tier::Level;
use inkwell::attributes::AttributeLoc;
use inkwell::builder::{Builder, BuilderError};
use inkwell::context::Context;
use inkwell::execution_engine::ExecutionEngine;
use inkwell::intrinsics::Intrinsic;
use inkwell::module::Module;
use inkwell::targets::TargetMachine;
use inkwell::types::{FloatType, VectorType};
use inkwell::values::{BasicValue, CallSiteValue, FunctionValue, IntValue, PointerValue, VectorValue};
use inkwell::{AddressSpace, FloatPredicate, OptimizationLevel};
use rusttorch_ir::op::{BinaryOp, GeluApprox, UnaryOp};
use rusttorch_ir::plan::{Instr, Operand};
use rusttorch_ir::DType;

pub(super) type V<'c> = VectorValue<'c>;
pub(super) type R<'c> = Result<V<'c>, String>;

pub(super) fn e(err: BuilderError) -> String {
    format!("LLVM builder: {err}")
}

/// Emits vector arithmetic at one width (`<width x float|double>`).
pub(super) struct Emit<'a, 'c> {
    pub(super) ctx: &'c Context,
    pub(super) module: &'a Module<'c>,
    pub(super) b: &'a Builder<'c>,
    pub(super) width: u32,
    pub(super) f64: bool,
    /// The kernel's constants at this width, by slot ([`Params::load_consts`]).
    pub(super) consts: &'a [V<'c>],
    /// The transcendentals are called, not inlined ([`super::outline`]).
    pub(super) outline: bool,
}

impl<'c> Emit<'_, 'c> {
    pub(super) fn elem(&self) -> FloatType<'c> {
        if self.f64 {
            self.ctx.f64_type()
        } else {
            self.ctx.f32_type()
        }
    }
    pub(super) fn fvec(&self) -> VectorType<'c> {
        self.elem().vec_type(self.width)
    }
    /// Integers of the element's width.
    pub(super) fn ivec(&self) -> VectorType<'c> {
        let i = if self.f64 { self.ctx.i64_type() } else { self.ctx.i32_type() };
        i.vec_type(self.width)
    }
    /// `v` in every lane, rounded to the element type as the VM's `from_f64` does.
    pub(super) fn c(&self, v: f64) -> V<'c> {
        let v = if self.f64 { v } else { v as f32 as f64 };
        VectorType::const_vector(&vec![self.elem().const_float(v); self.width as usize])
    }
    /// The sign bit of the element type, as an integer of its width.
    pub(super) fn sign_bit(&self) -> i64 {
        if self.f64 {
            i64::MIN
        } else {
            0x8000_0000
        }
    }
    pub(super) fn ci(&self, v: i64) -> V<'c> {
        let t = if self.f64 { self.ctx.i64_type() } else { self.ctx.i32_type() };
        VectorType::const_vector(&vec![t.const_int(v as u64, true); self.width as usize])
    }
    pub(super) fn add(&self, a: V<'c>, b: V<'c>) -> R<'c> {
        self.b.build_float_add(a, b, "").map_err(e)
    }
    pub(super) fn sub(&self, a: V<'c>, b: V<'c>) -> R<'c> {
        self.b.build_float_sub(a, b, "").map_err(e)
    }
    pub(super) fn mul(&self, a: V<'c>, b: V<'c>) -> R<'c> {
        self.b.build_float_mul(a, b, "").map_err(e)
    }
    pub(super) fn div(&self, a: V<'c>, b: V<'c>) -> R<'c> {
        self.b.build_float_div(a, b, "").map_err(e)
    }
    pub(super) fn neg(&self, a: V<'c>) -> R<'c> {
        self.b.build_float_neg(a, "").map_err(e)
    }
    /// Lanes of `<width x i1>`.
    pub(super) fn cmp(&self, p: FloatPredicate, a: V<'c>, b: V<'c>) -> R<'c> {
        self.b.build_float_compare(p, a, b, "").map_err(e)
    }
    pub(super) fn sel(&self, cond: V<'c>, a: V<'c>, b: V<'c>) -> R<'c> {
        Ok(self.b.build_select(cond, a, b, "").map_err(e)?.into_vector_value())
    }
    /// `cond ? 1 : 0` in the element type (the VM's bools).
    pub(super) fn truth(&self, cond: V<'c>) -> R<'c> {
        self.sel(cond, self.c(1.0), self.c(0.0))
    }
    /// The float bits as integers, and back.
    pub(super) fn bits(&self, a: V<'c>) -> R<'c> {
        Ok(self.b.build_bit_cast(a, self.ivec(), "").map_err(e)?.into_vector_value())
    }
    pub(super) fn float_of_bits(&self, a: V<'c>) -> R<'c> {
        Ok(self.b.build_bit_cast(a, self.fvec(), "").map_err(e)?.into_vector_value())
    }
    /// An overloaded float intrinsic (`llvm.fabs`, `llvm.sqrt`, ...) on the vector type.
    pub(super) fn call(&self, name: &str, args: &[V<'c>]) -> R<'c> {
        let f = Intrinsic::find(name)
            .and_then(|i| i.get_declaration(self.module, &[self.fvec().into()]))
            .ok_or_else(|| format!("LLVM has no {name}"))?;
        let args: Vec<_> = args.iter().map(|a| (*a).into()).collect();
        returned(self.b.build_call(f, &args, "").map_err(e)?, name)
    }
    /// An operand of the program: a register's value (from `reg`), or a constant's slot.
    pub(super) fn operand(&self, o: &Operand, reg: impl Fn(u32) -> R<'c>) -> R<'c> {
        match *o {
            Operand::Reg(r) => reg(r),
            Operand::Const(slot) => {
                self.consts.get(slot.get() as usize).copied().ok_or_else(|| format!("no constant {slot:?}"))
            }
        }
    }

    /// `x` where it is NaN, else `v` (the VM's functions return a NaN input unchanged).
    pub(super) fn keep_nan(&self, x: V<'c>, v: V<'c>) -> R<'c> {
        let nan = self.cmp(FloatPredicate::UNO, x, x)?;
        self.sel(nan, x, v)
    }

    /// `op(x)`, as the VM computes it (`num::elementwise::unary`).
    pub(super) fn unary(&self, op: UnaryOp, x: V<'c>) -> R<'c> {
        use UnaryOp::*;
        match op {
            Neg => self.neg(x),
            Abs => self.call("llvm.fabs", &[x]),
            Sqrt => self.call("llvm.sqrt", &[x]),
            Rsqrt => self.div(self.c(1.0), self.call("llvm.sqrt", &[x])?),
            Recip => self.div(self.c(1.0), x),
            // `x > 0 || isnan(x)`: unordered-or-greater.
            Relu => self.sel(self.cmp(FloatPredicate::UGT, x, self.c(0.0))?, x, self.c(0.0)),
            LeakyRelu(s) => {
                let neg = self.mul(x, self.c(s.get()))?;
                self.sel(self.cmp(FloatPredicate::UGE, x, self.c(0.0))?, x, neg)
            }
            Square => self.mul(x, x),
            Copy => Ok(x),
            Floor => self.call("llvm.floor", &[x]),
            Ceil => self.call("llvm.ceil", &[x]),
            Trunc => self.call("llvm.trunc", &[x]),
            Round => self.call("llvm.roundeven", &[x]),
            LogicalNot => self.truth(self.cmp(FloatPredicate::OEQ, x, self.c(0.0))?),
            Exp => self.outlined("exp", x, |em, x| em.exp(x)),
            Log => self.outlined("log", x, |em, x| em.ln(x)),
            Log1p => self.outlined("log1p", x, |em, x| em.ln_1p(x)),
            Tanh => self.outlined("tanh", x, |em, x| em.tanh(x)),
            Sigmoid => self.outlined("sigmoid", x, |em, x| em.sigmoid(x)),
            Gelu(GeluApprox::Tanh) => {
                // x sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3), as the VM.
                let k = self.mul(self.mul(self.mul(self.c(0.044715), x)?, x)?, x)?;
                let u = self.mul(self.c(2.0 * rusttorch_ir::op::GELU_TANH_C), self.add(x, k)?)?;
                self.mul(x, self.outlined("sigmoid", u, |em, x| em.sigmoid(x))?)
            }
            other => Err(format!("{} has no compiled form", other.label())),
        }
    }

    /// `a op b`, as the VM computes it (`num::elementwise::binary`).
    pub(super) fn binary(&self, op: BinaryOp, a: V<'c>, b: V<'c>) -> R<'c> {
        use BinaryOp::*;
        use FloatPredicate as P;
        let extremum = |p: P| -> R<'c> {
            // NaN from either side gives the canonical NaN; else the larger (smaller), `b` on ties.
            let pick = self.sel(self.cmp(p, a, b)?, a, b)?;
            self.sel(self.cmp(P::UNO, a, b)?, self.c(f64::NAN), pick)
        };
        match op {
            Add => self.add(a, b),
            Sub => self.sub(a, b),
            Mul => self.mul(a, b),
            Div => self.div(a, b),
            Maximum => extremum(P::OGT),
            Minimum => extremum(P::OLT),
            Copysign => self.call("llvm.copysign", &[a, b]),
            Lt => self.truth(self.cmp(P::OLT, a, b)?),
            Le => self.truth(self.cmp(P::OLE, a, b)?),
            Gt => self.truth(self.cmp(P::OGT, a, b)?),
            Ge => self.truth(self.cmp(P::OGE, a, b)?),
            Eq => self.truth(self.cmp(P::OEQ, a, b)?),
            Ne => self.truth(self.cmp(P::UNE, a, b)?),
            other => Err(format!("{} has no compiled form", other.info().name)),
        }
    }
}

/// The vector a call of `name` returned.
pub(super) fn returned<'c>(call: CallSiteValue<'c>, name: &str) -> R<'c> {
    match call.try_as_basic_value() {
        inkwell::values::ValueKind::Basic(v) => Ok(v.into_vector_value()),
        _ => Err(format!("{name} returned nothing")),
    }
}

/// The host's vector width in bits, from the features LLVM detects.
fn host_vector_bits(features: &str) -> u32 {
    let has = |f: &str| features.split(',').any(|x| x == f);
    if has("+avx512f") {
        512
    } else if has("+avx") {
        256
    } else {
        128
    }
}

/// A new function `name` of the [`super::run::MapFn`] signature in `module`, compiled for the
/// host CPU; returns it with the host's vector lanes of `spec`'s type.
pub(super) fn new_function<'c>(
    ctx: &'c Context,
    module: &Module<'c>,
    name: &str,
    spec: &KernelSpec,
) -> (FunctionValue<'c>, u32) {
    let i64t = ctx.i64_type();
    let i8p = ctx.i8_type().ptr_type(AddressSpace::default());
    let table = i8p.ptr_type(AddressSpace::default());
    let params = [table.into(), table.into(), i64t.into(), i64t.into(), i8p.into(), i8p.into()];
    let f = module.add_function(name, ctx.void_type().fn_type(&params, false), None);
    let features = host_attributes(ctx, f);
    let lanes = host_vector_bits(features) / if spec.dtype == DType::F64 { 64 } else { 32 };
    (f, lanes)
}

/// Compiles `f` for the host CPU (and says it throws nothing); returns the host's features.
pub(super) fn host_attributes<'c>(ctx: &'c Context, f: FunctionValue<'c>) -> &'static str {
    // Asked of LLVM once per process (CPUID and a string of ~100 features).
    static HOST: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();
    let (cpu, features) = HOST.get_or_init(|| {
        (TargetMachine::get_host_cpu_name().to_string(), TargetMachine::get_host_cpu_features().to_string())
    });
    f.add_attribute(AttributeLoc::Function, ctx.create_string_attribute("target-cpu", cpu));
    f.add_attribute(AttributeLoc::Function, ctx.create_string_attribute("target-features", features));
    f.add_attribute(
        AttributeLoc::Function,
        ctx.create_enum_attribute(inkwell::attributes::Attribute::get_named_enum_kind_id("nounwind"), 0),
    );
    features
}

/// An execution engine (MCJIT) generating code at `level`, made from an empty module: kernels'
/// modules are added to it, so its target machine and the subtarget their functions'
/// attributes select are built once per process, not per kernel.
pub(super) fn new_engine(ctx: &Context, level: Level) -> Result<ExecutionEngine<'_>, String> {
    let base = ctx.create_module("rusttorch_jit");
    let opt = match level {
        Level::Quick => OptimizationLevel::None,
        Level::Optimized => OptimizationLevel::Less,
    };
    let ee = base.create_jit_execution_engine(opt).map_err(|m| m.to_string())?;
    super::outline::forget_compiled(&ee);
    Ok(ee)
}

/// `built` (the outcome of emitting `f` for `spec`) once LLVM's verifier accepts `f`; else the
/// error, with `f` deleted from its module so that the module's other kernels still compile.
fn checked<T>(f: FunctionValue<'_>, built: Result<T, String>, spec: &KernelSpec) -> Result<T, String> {
    let r = built.and_then(|t| {
        if f.verify(false) {
            Ok(t)
        } else {
            Err(format!("LLVM rejected the generated function for {}", spec.key()))
        }
    });
    if r.is_err() {
        // SAFETY: `f` was just added to its module and nothing refers to it (kernels call no
        // other function, and no engine has generated code for the module yet).
        unsafe { f.delete() };
    }
    r
}

/// The parameters of a [`super::run::MapFn`] as the kernel body uses them, loaded in the
/// current block: each input's and output's pointer (from their tables, as pointers to `elem`),
/// the range `start..end`, the scratch row pointer, and the constant table (its values are
/// loaded where the kernel wants them: [`Params::load_consts`]).
pub(super) struct Params<'c> {
    pub(super) ins: Vec<PointerValue<'c>>,
    pub(super) outs: Vec<PointerValue<'c>>,
    pub(super) start: IntValue<'c>,
    pub(super) end: IntValue<'c>,
    pub(super) scratch: PointerValue<'c>,
    const_table: PointerValue<'c>,
    n_consts: usize,
}

impl<'c> Params<'c> {
    pub(super) fn load(
        ctx: &'c Context,
        b: &Builder<'c>,
        f: FunctionValue<'c>,
        spec: &KernelSpec,
        elem: FloatType<'c>,
    ) -> Result<Self, String> {
        let param = |n: u32| f.get_nth_param(n).expect("six parameters");
        let (tin, tout) = (param(0).into_pointer_value(), param(1).into_pointer_value());
        let table = |t: PointerValue<'c>, n: usize| -> Result<Vec<PointerValue<'c>>, String> {
            (0..n).map(|i| table_ptr(b, ctx, t, i, elem)).collect()
        };
        let ptr = elem.ptr_type(AddressSpace::default());
        Ok(Params {
            const_table: b.build_pointer_cast(param(5).into_pointer_value(), ptr, "").map_err(e)?,
            n_consts: spec.consts,
            ins: table(tin, spec.reads.len())?,
            outs: table(tout, spec.outputs)?,
            start: param(2).into_int_value(),
            end: param(3).into_int_value(),
            scratch: b.build_pointer_cast(param(4).into_pointer_value(), ptr, "").map_err(e)?,
        })
    }

    /// The constants' values, loaded once in the current block and splat to each of `widths`
    /// (one vector per constant slot for each).
    pub(super) fn load_consts<const N: usize>(&self, widths: [&Emit<'_, 'c>; N]) -> Result<[Vec<V<'c>>; N], String> {
        let mut out = [(); N].map(|()| Vec::new());
        let Some(em) = widths.first() else { return Ok(out) };
        // SAFETY (of the generated code): the table has one value per constant slot.
        let values =
            (0..self.n_consts).map(|i| load_nth(em.b, em.ctx, self.const_table, i)).collect::<Result<Vec<_>, _>>()?;
        for (o, w) in out.iter_mut().zip(widths) {
            *o = values.iter().map(|v| splat(w, *v)).collect::<Result<_, _>>()?;
        }
        Ok(out)
    }
}

/// Loads pointer `n` of a pointer table as a pointer to `elem`.
fn table_ptr<'c>(
    b: &Builder<'c>,
    ctx: &'c Context,
    table: PointerValue<'c>,
    n: usize,
    elem: FloatType<'c>,
) -> Result<PointerValue<'c>, String> {
    // SAFETY (of the generated code): the tables have one pointer per input/output.
    let p = load_nth(b, ctx, table, n)?.into_pointer_value();
    b.build_pointer_cast(p, elem.ptr_type(AddressSpace::default()), "").map_err(e)
}

/// Loads element `n` of the array at `base` (of `base`'s pointee type); the caller vouches
/// that the array has more than `n` elements.
fn load_nth<'c>(
    b: &Builder<'c>,
    ctx: &'c Context,
    base: PointerValue<'c>,
    n: usize,
) -> Result<inkwell::values::BasicValueEnum<'c>, String> {
    // SAFETY: in bounds by the caller's guarantee (a GEP is only address arithmetic; the
    // generated load is what needs it).
    let at = unsafe { b.build_gep(base, &[ctx.i64_type().const_int(n as u64, false)], "") }.map_err(e)?;
    b.build_load(at, "").map_err(e)
}

/// Adds to `module` a function `name` of the [`super::run::MapFn`] signature computing the
/// kernel `spec`, its body written by `emit` (given the function and the host's vector lanes of
/// the kernel's type): what `emit` returns, or why the kernel has no code.
pub(super) fn compile<'c, T>(
    ctx: &'c Context,
    module: &Module<'c>,
    name: &str,
    spec: &KernelSpec,
    emit: impl FnOnce(&'c Context, &Module<'c>, FunctionValue<'c>, u32, &KernelSpec) -> Result<T, String>,
) -> Result<T, String> {
    let (f, lanes) = new_function(ctx, module, name, spec);
    checked(f, emit(ctx, module, f, lanes, spec), spec)
}

/// The body of the elementwise kernel `spec`: one loop over the whole vectors of its range
/// (`start` plus a multiple of the width: `run.rs` passes a task's last few positions through
/// padded copies, so the program is emitted once); returns its width in elements.
pub(super) fn emit_map<'c>(
    ctx: &'c Context,
    module: &Module<'c>,
    f: FunctionValue<'c>,
    lanes: u32,
    spec: &KernelSpec,
) -> Result<usize, String> {
    let b = ctx.create_builder();
    let i64t = ctx.i64_type();
    let f64 = spec.dtype == DType::F64;
    // Twice the host's width, two registers per value: two independent chains per step for the
    // out-of-order core (long chains are latency-bound at one register per value).
    let wide = Emit { ctx, module, b: &b, width: 2 * lanes, f64, consts: &[], outline: spec.outlines() };

    let entry = ctx.append_basic_block(f, "entry");
    let main_cond = ctx.append_basic_block(f, "main_cond");
    let main_body = ctx.append_basic_block(f, "main_body");
    let exit = ctx.append_basic_block(f, "exit");
    b.position_at_end(entry);
    let params = Params::load(ctx, &b, f, spec, wide.elem())?;
    let Params { ins: ref in_ptrs, outs: ref out_ptrs, start, end, .. } = params;
    // Scalar inputs: loaded once, splat.
    let mut scalars = Vec::new();
    for (p, r) in in_ptrs.iter().zip(&spec.reads) {
        scalars.push(match r {
            Read::Scalar => Some(splat(&wide, b.build_load(*p, "").map_err(e)?)?),
            Read::Contiguous => None,
            Read::Repeat | Read::RowValue => return Err("an elementwise loop reading rows".into()),
        });
    }
    b.build_unconditional_branch(main_cond).map_err(e)?;

    // Whole vectors while `i + width <= end`.
    b.position_at_end(main_cond);
    let i = b.build_phi(i64t, "i").map_err(e)?;
    i.add_incoming(&[(&start, entry)]);
    let iv = i.as_basic_value().into_int_value();
    let step = i64t.const_int(wide.width as u64, false);
    let next = b.build_int_add(iv, step, "next").map_err(e)?;
    let fits = b.build_int_compare(inkwell::IntPredicate::ULE, next, end, "").map_err(e)?;
    b.build_conditional_branch(fits, main_body, exit).map_err(e)?;
    b.position_at_end(main_body);
    let stream = spec.stream.then_some(lanes * if f64 { 8 } else { 4 });
    // Constants are loaded and splat in the loop body, not once at entry: held across the loop
    // at two registers each they spilled (gelu-tanh at 1M: 1.16-1.24 ms; loaded per step
    // 0.84-0.90, which the stores' possible aliasing keeps in the loop; at the native width
    // 0.97-1.04).
    let [consts] = params.load_consts([&wide])?;
    let wide = Emit { consts: &consts, ..wide };
    body(&wide, spec, in_ptrs, out_ptrs, scalars, iv, stream)?;
    b.build_unconditional_branch(main_cond).map_err(e)?;
    i.add_incoming(&[(&next, main_body)]);
    b.position_at_end(exit);
    b.build_return(None).map_err(e)?;

    Ok(wide.width as usize)
}

/// `s` in every lane of a vector of `em`'s width.
pub(super) fn splat<'c>(em: &Emit<'_, 'c>, s: inkwell::values::BasicValueEnum<'c>) -> R<'c> {
    let i32t = em.ctx.i32_type();
    let undef = em.fvec().get_undef();
    let v = em.b.build_insert_element(undef, s, i32t.const_zero(), "").map_err(e)?;
    em.b.build_shuffle_vector(v, undef, i32t.vec_type(em.width).const_zero(), "").map_err(e)
}

/// The program at position `at`, `em.width` elements at once; `stream`: the stores are
/// non-temporal, at addresses aligned to that many bytes (the caller checks).
fn body<'c>(
    em: &Emit<'_, 'c>,
    spec: &KernelSpec,
    ins: &[PointerValue<'c>],
    outs: &[PointerValue<'c>],
    scalars: Vec<Option<V<'c>>>,
    at: IntValue<'c>,
    stream: Option<u32>,
) -> Result<(), String> {
    let b = em.b;
    let align = if em.f64 { 8 } else { 4 };
    let vec_ptr = em.fvec().ptr_type(AddressSpace::default());
    let addr = |p: PointerValue<'c>| -> Result<PointerValue<'c>, String> {
        // SAFETY (of the generated code): `at + width <= end <= n`, within every buffer.
        let q = unsafe { b.build_gep(p, &[at], "") }.map_err(e)?;
        b.build_pointer_cast(q, vec_ptr, "").map_err(e)
    };
    let mut regs: Vec<Option<V<'c>>> = vec![None; spec.regs];
    let get = |regs: &[Option<V<'c>>], o: &Operand| -> R<'c> {
        em.operand(o, |r| regs.get(r as usize).copied().flatten().ok_or_else(|| format!("register r{r} read unset")))
    };
    let set = |regs: &mut Vec<Option<V<'c>>>, r: u32, v: V<'c>| {
        if regs.len() <= r as usize {
            regs.resize(r as usize + 1, None);
        }
        regs[r as usize] = Some(v);
    };
    for ins_ in &spec.prog {
        match ins_ {
            Instr::Load { dst, input } => {
                let n = *input as usize;
                let v = match scalars[n] {
                    Some(s) => s,
                    None => {
                        let l = b.build_load(addr(ins[n])?, "").map_err(e)?;
                        set_align(l, align)?;
                        l.into_vector_value()
                    }
                };
                set(&mut regs, *dst, v);
            }
            Instr::Unary { op, dst, src } => {
                let v = em.unary(*op, get(&regs, src)?)?;
                set(&mut regs, *dst, v);
            }
            Instr::Binary { op, dst, a, b: bb } => {
                let v = em.binary(*op, get(&regs, a)?, get(&regs, bb)?)?;
                set(&mut regs, *dst, v);
            }
            Instr::Select { dst, cond, a, b: bb } => {
                let c = em.cmp(FloatPredicate::UNE, get(&regs, cond)?, em.c(0.0))?;
                let v = em.sel(c, get(&regs, a)?, get(&regs, bb)?)?;
                set(&mut regs, *dst, v);
            }
            Instr::Store { output, src } => {
                let v = get(&regs, src)?;
                let s = b.build_store(addr(outs[*output as usize])?, v).map_err(e)?;
                s.set_alignment(stream.unwrap_or(align)).map_err(|m| m.to_string())?;
                if stream.is_some() {
                    let one = em.ctx.i32_type().const_int(1, false);
                    let node = em.ctx.metadata_node(&[one.into()]);
                    s.set_metadata(node, em.ctx.get_kind_id("nontemporal")).map_err(|m| m.to_string())?;
                }
            }
            other => return Err(format!("{other:?} is not compiled")),
        }
    }
    Ok(())
}

pub(super) fn set_align(v: inkwell::values::BasicValueEnum<'_>, align: u32) -> Result<(), String> {
    v.as_instruction_value().ok_or("a load is an instruction")?.set_alignment(align).map_err(|m| m.to_string())
}
