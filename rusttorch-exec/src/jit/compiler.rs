//! The compiler thread: owns LLVM (its context and the one execution engine, which holds the
//! compiled code for the life of the process) and compiles the queued kernels, those queued
//! together in one module.

use super::codegen::{compile, emit_map, new_engine};
use super::codegen_partials::{emit_chunks, emit_cols};
use super::codegen_rows::emit_rows;
use super::outline::{record_compiled, use_engine};
use super::spec::Layout;
use super::tier::{Compiled, JitKernel, Level, Shape};
use inkwell::context::Context;
use inkwell::execution_engine::ExecutionEngine;
use inkwell::targets::{InitializationConfig, Target};
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::Instant;

struct Job {
    entry: Arc<JitKernel>,
    level: Level,
}

/// The queue to the compiler thread (started on first use).
fn queue() -> &'static Mutex<Sender<Job>> {
    static QUEUE: OnceLock<Mutex<Sender<Job>>> = OnceLock::new();
    QUEUE.get_or_init(|| {
        let (tx, rx) = channel::<Job>();
        let started = std::thread::Builder::new().name("rusttorch-jit".into()).spawn(move || {
            // LLVM objects are not `Send`: they live and die on this thread. The engines are
            // kept (never dropped) because the code they own is called from the pool.
            let context = Context::create();
            let native = Target::initialize_native(&InitializationConfig::default())
                .map_err(|e| format!("LLVM has no native target: {e}"));
            let engines =
                [Level::Quick, Level::Optimized].map(|level| native.clone().and_then(|()| new_engine(&context, level)));
            let mut names = 0usize;
            // Kernels whose quick code ran, waiting for their optimized code: compiled when no
            // new kernel waits for quick code, a few at a time (a new kernel waits at most for
            // one such module).
            let mut promoted = std::collections::VecDeque::new();
            loop {
                let first = if promoted.is_empty() { rx.recv().ok() } else { rx.try_recv().ok() };
                let mut now = Vec::new();
                for job in first.into_iter().chain(std::iter::from_fn(|| rx.try_recv().ok())) {
                    // A kernel with quick code already asks for its optimized code; a new one
                    // (quick, or optimized for a caller waiting in sync mode) goes first.
                    if job.entry.result.get().is_some() {
                        promoted.push_back(job);
                    } else {
                        now.push(job);
                    }
                }
                if now.is_empty() {
                    let n = promoted.len().min(OPTIMIZE_BATCH);
                    now.extend(promoted.drain(..n));
                }
                if now.is_empty() {
                    break; // every sender is gone
                }
                for level in [Level::Quick, Level::Optimized] {
                    let jobs: Vec<&Job> = now.iter().filter(|j| j.level == level).collect();
                    for batch in jobs.chunks(MAX_BATCH) {
                        let ee = &engines[level as usize];
                        compile_and_publish(&context, ee, batch, &mut names);
                    }
                }
            }
        });
        if let Err(e) = started {
            // No thread, no compiler: kernels stay on the VM (their entries say why).
            eprintln!("rusttorch: cannot start the kernel compiler thread: {e}");
        }
        Mutex::new(tx)
    })
}

/// Compiles `jobs` in one module of `ee` (or fails them with why there is no engine) and hands
/// each kernel its code: the first code of a new kernel, the optimized code of a promoted one.
fn compile_and_publish<'c>(
    ctx: &'c Context,
    ee: &Result<ExecutionEngine<'c>, String>,
    jobs: &[&Job],
    names: &mut usize,
) {
    let t0 = Instant::now();
    let results = match ee {
        Err(e) => jobs.iter().map(|_| Err(e.clone())).collect(),
        Ok(ee) => compile_batch(ctx, ee, jobs, names),
    };
    // Every kernel of the module was ready when its code was.
    let took = t0.elapsed();
    for (job, result) in jobs.iter().zip(results) {
        let spec = &job.entry.spec;
        let code = result.map(|(addr, shape)| Compiled { addr, took, stream: spec.stream, shape, level: job.level });
        let _ = job.entry.next_code().set(code);
    }
    done().1.notify_all();
}

/// Promoted kernels compiled in one module at most.
const OPTIMIZE_BATCH: usize = 4;

/// Kernels compiled in one module at most.
const MAX_BATCH: usize = 32;

/// Compiles `jobs` into one module added to `ee`: each kernel's code address and shape, or why
/// it has none. `names` counts the functions made so far (names are unique per engine).
fn compile_batch<'c>(
    ctx: &'c Context,
    ee: &ExecutionEngine<'c>,
    jobs: &[&Job],
    names: &mut usize,
) -> Vec<Result<(usize, Shape), String>> {
    use_engine(ee);
    let module = ctx.create_module(&format!("m{names}"));
    let built: Vec<_> = jobs
        .iter()
        .map(|job| {
            let name = format!("k{names}");
            *names += 1;
            let spec = &job.entry.spec;
            let shape = match &spec.rows {
                None => compile(ctx, &module, &name, spec, emit_map).map(|width| Shape::Map { width }),
                Some(r) => {
                    let reduces = r.stages.first().map_or(0, |s| s.reduces.len());
                    match r.layout {
                        Layout::Short => compile(ctx, &module, &name, spec, emit_rows)
                            .map(|spilled| Shape::Rows { row_len: r.row_len, spilled }),
                        Layout::Long { chunk } => compile(ctx, &module, &name, spec, emit_chunks)
                            .map(|()| Shape::Chunks { row_len: r.row_len, chunk, reduces }),
                        Layout::Cols { m, k, n, tile, kc } => compile(ctx, &module, &name, spec, emit_cols)
                            .map(|()| Shape::Cols { m, n, tile, kchunks: k.div_ceil(kc), reduces }),
                    }
                }
            };
            shape.map(|shape| (name, shape))
        })
        .collect();
    if let Some(dir) = std::env::var_os("RUSTTORCH_JIT_DUMP") {
        dump(&module, std::path::Path::new(&dir));
    }
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

/// Writes `module`'s IR and the host's assembly for it into `dir` (`RUSTTORCH_JIT_DUMP`, for
/// reading what the compiler made of a kernel); a failure to write is reported, not fatal.
fn dump(module: &inkwell::module::Module<'_>, dir: &std::path::Path) {
    use inkwell::targets::{CodeModel, FileType, RelocMode, TargetMachine};
    let name = module.get_name().to_string_lossy().into_owned();
    let triple = TargetMachine::get_default_triple();
    let written = Target::from_triple(&triple).map_err(|e| e.to_string()).and_then(|t| {
        let cpu = TargetMachine::get_host_cpu_name().to_string();
        let features = TargetMachine::get_host_cpu_features().to_string();
        let tm = t
            .create_target_machine(
                &triple,
                &cpu,
                &features,
                inkwell::OptimizationLevel::Less,
                RelocMode::Default,
                CodeModel::JITDefault,
            )
            .ok_or("no target machine for the host")?;
        module.print_to_file(dir.join(format!("{name}.ll"))).map_err(|e| e.to_string())?;
        // Code generation rewrites its module's IR (CodeGenPrepare): the engine's copy stays as made.
        tm.write_to_file(&module.clone(), FileType::Assembly, &dir.join(format!("{name}.s"))).map_err(|e| e.to_string())
    });
    if let Err(e) = written {
        eprintln!("rusttorch: RUSTTORCH_JIT_DUMP: cannot write {name} into {}: {e}", dir.display());
    }
}

/// Signalled after each compilation, for [`wait`].
fn done() -> &'static (Mutex<()>, Condvar) {
    static DONE: OnceLock<(Mutex<()>, Condvar)> = OnceLock::new();
    DONE.get_or_init(|| (Mutex::new(()), Condvar::new()))
}

/// Queues `entry`'s kernel for code at `level`: its first code, or its optimized code once it
/// has quick code.
pub(super) fn submit(entry: Arc<JitKernel>, level: Level) {
    let sent = queue().lock().unwrap_or_else(|e| e.into_inner()).send(Job { entry: entry.clone(), level });
    if sent.is_err() {
        let _ = entry.next_code().set(Err("the compiler thread is not running".into()));
    }
}

/// Blocks until `entry` has code (or failed to get any).
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
    use crate::jit::spec::KernelSpec;
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
        Job { entry: Arc::new(JitKernel::new(spec)), level: Level::Optimized }
    }

    /// Kernels compiled in one module: each gets its own code, and one that LLVM cannot build
    /// fails alone.
    #[test]
    fn a_batch_compiles_each_kernel_and_fails_only_the_broken_one() {
        Target::initialize_native(&InitializationConfig::default()).unwrap();
        let ctx = Context::create();
        let ee = new_engine(&ctx, Level::Optimized).unwrap();
        let jobs = [job(UnaryOp::Neg, false), job(UnaryOp::Abs, true), job(UnaryOp::Square, false)];
        let mut names = 0;
        let results = compile_batch(&ctx, &ee, &jobs.iter().collect::<Vec<_>>(), &mut names);
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
