//! The compiler thread: owns LLVM (its context and the one execution engine, which holds the
//! compiled code for the life of the process) and compiles queued kernels one at a time.

use super::codegen::{compile_map, new_engine};
use super::codegen_rows::compile_rows;
use super::spec::KernelSpec;
use super::tier::{Compiled, JitKernel, Shape};
use inkwell::context::Context;
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
            for (n, job) in rx.into_iter().enumerate() {
                let t0 = Instant::now();
                let result = match &engine {
                    Err(e) => Err(e.clone()),
                    Ok(ee) => {
                        let name = format!("k{n}");
                        let code = match &job.spec.rows {
                            None => compile_map(&context, ee, &name, &job.spec)
                                .map(|(addr, width)| (addr, Shape::Map { width })),
                            Some(r) => compile_rows(&context, ee, &name, &job.spec)
                                .map(|(addr, spilled)| (addr, Shape::Rows { row_len: r.row_len, spilled })),
                        };
                        code.map(|(addr, shape)| Compiled { addr, took: t0.elapsed(), stream: job.spec.stream, shape })
                    }
                };
                let _ = job.entry.result.set(result);
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
