//! The transcendentals as functions compiled once per process, which kernels call.
//!
//! Inline, `tanh` and `sigmoid` are ~60 vector instructions each at two registers per value,
//! and code generation for them was most of a kernel's compile time (a 20-op chain with both:
//! ~12 ms; called, ~6-7; with `abs` and `relu` in their place, ~5.5). Called instead, each is
//! compiled once, in the module of the first kernel that needs it at that width, and later
//! kernels only declare it: the engine links a module's calls to the code of the earlier ones.
//! The call costs run time where the loop does little else (`exp` alone at 1M elements: 0.45
//! ms called, 0.38 inline), so only kernels with two or more per element call them
//! ([`super::spec::KernelSpec::outlines`]); the 20-op chain ran no slower (1.94 ms at 1M
//! called, 2.06 inline).

use super::codegen::{e, host_attributes, returned, Emit, R, V};
use hashbrown::HashSet;
use inkwell::execution_engine::ExecutionEngine;
use inkwell::values::FunctionValue;
use std::cell::{Cell, RefCell};

/// The names of these functions start with it (and no kernel's does).
const PREFIX: &str = "rt_";

/// LLVM's `fastcc`: vectors passed and returned in registers, no C ABI to keep.
const FASTCC: u32 = 8;

thread_local! {
    /// The functions whose code each engine of this thread holds, by engine (the compiler
    /// thread has two: quick and optimized code; a test has its own).
    static COMPILED: RefCell<HashSet<(usize, String)>> = RefCell::new(HashSet::new());
    /// The engine the modules being made go to.
    static CURRENT: Cell<usize> = const { Cell::new(0) };
}

fn id(ee: &ExecutionEngine<'_>) -> usize {
    ee.as_mut_ptr() as usize
}

/// A new engine holds no function yet (an earlier engine at the same address is gone); the
/// modules made next go to it.
pub(super) fn forget_compiled(ee: &ExecutionEngine<'_>) {
    let id = id(ee);
    COMPILED.with(|c| c.borrow_mut().retain(|(e, _)| *e != id));
    CURRENT.with(|c| c.set(id));
}

/// The modules made next go to `ee`.
pub(super) fn use_engine(ee: &ExecutionEngine<'_>) {
    CURRENT.with(|c| c.set(id(ee)));
}

/// Records the functions `module` defines once its code is generated: later modules for the
/// same engine declare them.
pub(super) fn record_compiled(module: &inkwell::module::Module<'_>) {
    let id = CURRENT.with(Cell::get);
    COMPILED.with(|c| {
        let mut c = c.borrow_mut();
        for f in module.get_functions() {
            let name = f.get_name().to_string_lossy();
            if name.starts_with(PREFIX) && f.count_basic_blocks() > 0 {
                c.insert((id, name.into_owned()));
            }
        }
    });
}

impl<'c> Emit<'_, 'c> {
    /// `body(x)`, as a call of the function `rt_{name}_{type}x{width}`: defined in this module
    /// (by `body`) unless an earlier module has it.
    pub(super) fn outlined(&self, name: &str, x: V<'c>, body: fn(&Emit<'_, 'c>, V<'c>) -> R<'c>) -> R<'c> {
        if !self.outline {
            return body(self, x);
        }
        let fname = format!("{PREFIX}{name}_{}x{}", if self.f64 { "f64" } else { "f32" }, self.width);
        let f = match self.module.get_function(&fname) {
            Some(f) => f,
            None => self.declare(&fname, body)?,
        };
        let call = self.b.build_call(f, &[x.into()], "").map_err(e)?;
        call.set_call_convention(FASTCC);
        returned(call, &fname)
    }

    /// Adds `fname` to the module: a declaration if the engine has its code, else its body.
    fn declare(&self, fname: &str, body: fn(&Emit<'_, 'c>, V<'c>) -> R<'c>) -> Result<FunctionValue<'c>, String> {
        let ty = self.fvec().fn_type(&[self.fvec().into()], false);
        let f = self.module.add_function(fname, ty, None);
        f.set_call_conventions(FASTCC);
        let key = (CURRENT.with(Cell::get), fname.to_string());
        if COMPILED.with(|c| c.borrow().contains(&key)) {
            return Ok(f);
        }
        host_attributes(self.ctx, f);
        let b = self.ctx.create_builder();
        b.position_at_end(self.ctx.append_basic_block(f, "entry"));
        let em = Emit { b: &b, consts: &[], ..*self };
        let built = f
            .get_first_param()
            .ok_or_else(|| format!("{fname} has no parameter"))
            .and_then(|x| body(&em, x.into_vector_value()))
            .and_then(|v| b.build_return(Some(&v)).map_err(e));
        if let Err(err) = built {
            // SAFETY: `f` was just added and nothing calls it yet.
            unsafe { f.delete() };
            return Err(err);
        }
        Ok(f)
    }
}

#[cfg(test)]
mod tests {
    use super::super::codegen::{compile, emit_map, new_engine};
    use super::super::run::MapFn;
    use super::super::spec::{KernelSpec, Read};
    use super::super::tier::Level;
    use inkwell::context::Context;
    use inkwell::targets::{InitializationConfig, Target};
    use rusttorch_ir::op::UnaryOp;
    use rusttorch_ir::plan::{Instr, Operand};
    use rusttorch_ir::DType;

    /// `out = tanh(tanh(in))` (two transcendentals: called), then `-` that when `neg`.
    fn spec(neg: bool) -> KernelSpec {
        let mut prog = vec![
            Instr::Load { dst: 0, input: 0 },
            Instr::Unary { op: UnaryOp::Tanh, dst: 1, src: Operand::Reg(0) },
            Instr::Unary { op: UnaryOp::Tanh, dst: 1, src: Operand::Reg(1) },
        ];
        if neg {
            prog.push(Instr::Unary { op: UnaryOp::Neg, dst: 1, src: Operand::Reg(1) });
        }
        prog.push(Instr::Store { output: 0, src: Operand::Reg(1) });
        let (reads, outputs, regs, rows, stream, consts) = (vec![Read::Contiguous], 1, 2, None, false, 0);
        KernelSpec { dtype: DType::F32, prog, reads, outputs, regs, rows, stream, consts }
    }

    /// A kernel with one transcendental inlines it: no function to call.
    #[test]
    fn one_transcendental_is_inlined() {
        Target::initialize_native(&InitializationConfig::default()).unwrap();
        let ctx = Context::create();
        let _ee = new_engine(&ctx, Level::Optimized).unwrap();
        let mut one = spec(false);
        one.prog.remove(2);
        for (s, called) in [(one, false), (spec(false), true)] {
            let module = ctx.create_module("m");
            compile(&ctx, &module, "k", &s, emit_map).unwrap();
            let helpers = module.get_functions().filter(|f| f.get_name().to_bytes().starts_with(b"rt_")).count();
            assert_eq!(helpers > 0, called, "{:?}", s.prog);
        }
    }

    /// A transcendental is compiled with the first kernel that calls it; a later module only
    /// declares it, and its kernel's call reaches the first module's code.
    #[test]
    fn a_later_module_calls_the_code_of_an_earlier_one() {
        Target::initialize_native(&InitializationConfig::default()).unwrap();
        let ctx = Context::create();
        let ee = new_engine(&ctx, Level::Optimized).unwrap();
        let mut addrs = vec![];
        for (i, neg) in [false, true].into_iter().enumerate() {
            let module = ctx.create_module(&format!("m{i}"));
            let name = format!("k{i}");
            let width = compile(&ctx, &module, &name, &spec(neg), emit_map).unwrap();
            let helper = module.get_functions().find(|f| f.get_name().to_bytes().starts_with(b"rt_tanh_f32x"));
            let helper = helper.expect("the kernel calls rt_tanh");
            assert_eq!(helper.count_basic_blocks() > 0, i == 0, "defined in the first module only");
            ee.add_module(&module).unwrap();
            addrs.push((ee.get_function_address(&name).unwrap(), width));
            super::record_compiled(&module);
        }
        let mut x: Vec<f32> = (0..256).map(|i| (i as f32 - 128.0) * 0.09).collect();
        x[..6].copy_from_slice(&[f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -0.0, 1e-40, f32::MAX]);
        let mut want = vec![0.0f32; x.len()];
        let mut once = vec![0.0f32; x.len()];
        crate::vmath::tanh_f32(&mut once, &x);
        crate::vmath::tanh_f32(&mut want, &once);
        for (k, (addr, width)) in addrs.into_iter().enumerate() {
            assert_eq!(x.len() % width, 0);
            let mut y = vec![0.0f32; x.len()];
            let (ins, outs) = ([x.as_ptr() as *const u8], [y.as_mut_ptr() as *mut u8]);
            // SAFETY: a compiled `MapFn`; both buffers hold `x.len()` elements, a multiple of its
            // width; no scratch or constant is read.
            unsafe {
                let f: MapFn = std::mem::transmute(addr);
                f(ins.as_ptr(), outs.as_ptr(), 0, x.len() as u64, std::ptr::null_mut(), std::ptr::null());
            }
            let sign = if k == 1 { 0x8000_0000 } else { 0 };
            let bits = |v: &[f32]| v.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&y), want.iter().map(|v| v.to_bits() ^ sign).collect::<Vec<_>>(), "kernel {k}");
        }
    }
}
