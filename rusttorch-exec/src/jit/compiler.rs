//! The compiler thread: owns LLVM (its context and every execution engine, which hold the
//! compiled code for the life of the process) and compiles queued kernels one at a time.

use super::codegen::compile_map;
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
            // LLVM objects are not `Send`: they live and die on this thread. The engines are
            // kept (never dropped) because the code they own is called from the pool.
            let ready = Target::initialize_native(&InitializationConfig::default());
            let context = Context::create();
            let mut engines = Vec::new();
            for (n, job) in rx.into_iter().enumerate() {
                let t0 = Instant::now();
                let result = match &ready {
                    Err(e) => Err(format!("LLVM has no native target: {e}")),
                    Ok(()) => {
                        let name = format!("k{n}");
                        let code = match &job.spec.rows {
                            None => compile_map(&context, &name, &job.spec)
                                .map(|(ee, addr, width)| (ee, addr, Shape::Map { width })),
                            Some(r) => compile_rows(&context, &name, &job.spec)
                                .map(|(ee, addr, spilled)| (ee, addr, Shape::Rows { row_len: r.row_len, spilled })),
                        };
                        code.map(|(ee, addr, shape)| {
                            engines.push(ee);
                            Compiled { addr, took: t0.elapsed(), stream: job.spec.stream, shape }
                        })
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
