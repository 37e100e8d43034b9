//! The compiler thread: owns LLVM (its context and the one execution engine, which holds the
//! compiled code for the life of the process) and compiles the queued kernels, those queued
//! together in one module.

use super::codegen::{compile, emit_map, new_engine};
use super::codegen_rows::emit_rows;
use super::outline::record_compiled;
use super::spec::KernelSpec;
use super::tier::{Compiled, JitKernel, Shape};
use inkwell::context::Context;
use inkwell::execution_engine::ExecutionEngine;
use inkwell::targets::{InitializationConfig, Target};
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::Instant;

struct Job {
    spec: KernelSpec,
    entry: Arc<JitKernel>,
}

/// The queue to the compiler thread (started on first use).
fn queue() -> &'static Mutex<Sender<Job>> {
    static QUEUE: OnceLock<Mutex<Sender<Job>>> = OnceLock::new();
    QUEUE.get_or_init(|| {
        let (tx, rx) = channel::<Job>();
        let started = std::thread::Builder::new().name("rusttorch-jit".into()).spawn(move || {
            // LLVM objects are not `Send`: they live and die on this thread. The engine is kept
            // (never dropped) because the code it owns is called from the pool.
            let context = Context::create();
            let engine = Target::initialize_native(&InitializationConfig::default())
                .map_err(|e| format!("LLVM has no native target: {e}"))
                .and_then(|()| new_engine(&context));
            let mut names = 0usize;
            while let Ok(first) = rx.recv() {
                let t0 = Instant::now();
                // The kernels queued meanwhile join this one in a module: code generation has a
                // fixed cost per module (its pass pipeline, object file and linking).
                let mut jobs = vec![first];
                while jobs.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(job) => jobs.push(job),
                        Err(_) => break,
                    }
                }
                let results = match &engine {
                    Err(e) => jobs.iter().map(|_| Err(e.clone())).collect(),
                    Ok(ee) => compile_batch(&context, ee, &jobs, &mut names),
                };
                // Every kernel of the module was ready when its code was.
                let took = t0.elapsed();
                for (job, result) in jobs.iter().zip(results) {
                    let code = result.map(|(addr, shape)| Compiled { addr, took, stream: job.spec.stream, shape });
                    let _ = job.entry.result.set(code);
                }
                done().1.notify_all();
            }
        });
        if let Err(e) = started {
            // No thread, no compiler: kernels stay on the VM (their entries say why).
            eprintln!("rusttorch: cannot start the kernel compiler thread: {e}");
        }
        Mutex::new(tx)
    })
}

/// Kernels compiled in one module at most.
const MAX_BATCH: usize = 32;

/// Compiles `jobs` into one module added to `ee`: each kernel's code address and shape, or why
/// it has none. `names` counts the functions made so far (names are unique per engine).
fn compile_batch<'c>(
    ctx: &'c Context,
    ee: &ExecutionEngine<'c>,
    jobs: &[Job],
    names: &mut usize,
) -> Vec<Result<(usize, Shape), String>> {
    let module = ctx.create_module(&format!("m{names}"));
    let built: Vec<_> = jobs
        .iter()
        .map(|job| {
            let name = format!("k{names}");
            *names += 1;
            let shape = match &job.spec.rows {
                None => compile(ctx, &module, &name, &job.spec, emit_map).map(|width| Shape::Map { width }),
                Some(r) => compile(ctx, &module, &name, &job.spec, emit_rows)
                    .map(|spilled| Shape::Rows { row_len: r.row_len, spilled }),
            };
            shape.map(|shape| (name, shape))
        })
        .collect();
    if built.iter().any(Result::is_ok) && ee.add_module(&module).is_err() {
        return jobs.iter().map(|_| Err("the module is owned by another engine".to_string())).collect();
    }
    // The first address asked generates the whole module's code.
    let addrs: Vec<_> = built
        .into_iter()
        .map(|b| {
            let (name, shape) = b?;
            ee.get_function_address(&name).map(|addr| (addr, shape)).map_err(|e| format!("{e:?}"))
        })
        .collect();
    if addrs.iter().any(Result::is_ok) {
        record_compiled(&module);
    }
    addrs
}

/// Signalled after each compilation, for [`wait`].
fn done() -> &'static (Mutex<()>, Condvar) {
    static DONE: OnceLock<(Mutex<()>, Condvar)> = OnceLock::new();
    DONE.get_or_init(|| (Mutex::new(()), Condvar::new()))
}

/// Queues `spec` for compilation into `entry`.
pub(super) fn submit(spec: KernelSpec, entry: Arc<JitKernel>) {
    let sent = queue().lock().unwrap_or_else(|e| e.into_inner()).send(Job { spec, entry: entry.clone() });
    if sent.is_err() {
        let _ = entry.result.set(Err("the compiler thread is not running".into()));
    }
}

/// Blocks until `entry` is compiled (or failed).
pub(super) fn wait(entry: &JitKernel) {
    let (lock, cv) = done();
    let mut g = lock.lock().unwrap_or_else(|e| e.into_inner());
    while entry.result.get().is_none() {
        g = cv.wait_timeout(g, std::time::Duration::from_millis(50)).unwrap_or_else(|e| e.into_inner()).0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jit::run::MapFn;
    use crate::jit::spec::Read;
    use rusttorch_ir::op::UnaryOp;
    use rusttorch_ir::plan::{Instr, Operand};
    use rusttorch_ir::DType;

    /// `out = op(in)` over contiguous float32, or with `broken` a store of a register never set.
    fn job(op: UnaryOp, broken: bool) -> Job {
        let src = Operand::Reg(if broken { 5 } else { 1 });
        let prog = vec![
            Instr::Load { dst: 0, input: 0 },
            Instr::Unary { op, dst: 1, src: Operand::Reg(0) },
            Instr::Store { output: 0, src },
        ];
        let spec = KernelSpec {
            dtype: DType::F32,
            prog,
            reads: vec![Read::Contiguous],
            outputs: 1,
            regs: 2,
            rows: None,
            stream: false,
            consts: 0,
        };
        Job { spec, entry: Arc::new(JitKernel { result: OnceLock::new() }) }
    }

    /// Kernels compiled in one module: each gets its own code, and one that LLVM cannot build
    /// fails alone.
    #[test]
    fn a_batch_compiles_each_kernel_and_fails_only_the_broken_one() {
        Target::initialize_native(&InitializationConfig::default()).unwrap();
        let ctx = Context::create();
        let ee = new_engine(&ctx).unwrap();
        let jobs = [job(UnaryOp::Neg, false), job(UnaryOp::Abs, true), job(UnaryOp::Square, false)];
        let mut names = 0;
        let results = compile_batch(&ctx, &ee, &jobs, &mut names);
        assert_eq!(names, 3);
        assert!(results[1].as_ref().is_err_and(|e| e.contains("r5 read unset")), "{:?}", results[1]);
        let x: Vec<f32> = (0..64).map(|i| i as f32 - 20.5).collect();
        for (r, want) in [(&results[0], -1.0f32), (&results[2], 0.0)] {
            let (addr, shape) = r.as_ref().unwrap();
            let Shape::Map { width } = *shape else { panic!("{shape:?}") };
            let mut y = vec![0.0f32; 64];
            let ins = [x.as_ptr() as *const u8];
            let outs = [y.as_mut_ptr() as *mut u8];
            // SAFETY: the address is of a compiled function of the `MapFn` signature.
            let f: MapFn = unsafe { std::mem::transmute(*addr) };
            assert_eq!(64 % width, 0);
            // SAFETY: 64 is a multiple of its width, both buffers hold 64 elements, and the
            // kernel reads no scratch and no constant.
            unsafe { f(ins.as_ptr(), outs.as_ptr(), 0, 64, std::ptr::null_mut(), std::ptr::null()) };
            let expect: Vec<f32> = x.iter().map(|v| if want < 0.0 { -v } else { v * v }).collect();
            assert_eq!(y, expect);
        }
    }
}
