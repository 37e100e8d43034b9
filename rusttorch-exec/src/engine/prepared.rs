//! [`PreparedEval`]: an evaluation walked and ready to run, inline, cancellable or watched.

use super::donation::donate_inputs;
use super::Engine;
use crate::cancel::Cancel;
use rusttorch_ir::tensor::{walk, Walk};
use rusttorch_ir::{Error, Result, Tensor};
use smallvec::SmallVec;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

/// Largest evaluation [`PreparedEval::is_small`] accepts: elements summed over the walked nodes.
pub const SMALL_EVAL_ELEMS: usize = 1 << 16;

/// An evaluation whose graph is walked, ready to find its plan (planning it on a cache miss)
/// and run ([`Engine::prepare`]).
pub struct PreparedEval<'a> {
    engine: &'a Engine,
    work: Option<Walk>,
    todo: SmallVec<[Tensor; 4]>,
}

impl<'a> PreparedEval<'a> {
    /// Walks the graph of `tensors` for `engine` ([`Engine::prepare`]).
    pub(super) fn new(engine: &'a Engine, tensors: &[Tensor], fuse: bool) -> Result<PreparedEval<'a>> {
        let mut todo: SmallVec<[Tensor; 4]> = SmallVec::new();
        for t in tensors.iter().filter(|t| !t.is_evaluated()) {
            todo.push(t.clone());
        }
        if todo.is_empty() {
            return Ok(PreparedEval { engine, work: None, todo });
        }
        Ok(PreparedEval { engine, work: Some(walk_waiting(&todo, fuse)?), todo })
    }

    /// Whether the evaluation is a few microseconds of work: at most 64 nodes and
    /// [`SMALL_EVAL_ELEMS`] elements over them. Releasing a lock around it costs more than it
    /// lets other threads do (NumPy keeps the GIL below a similar size).
    pub fn is_small(&self) -> bool {
        self.work.as_ref().is_none_or(|w| {
            w.nodes.len() <= 64 && w.nodes.iter().map(|n| n.tensor.shape().numel()).sum::<usize>() <= SMALL_EVAL_ELEMS
        })
    }

    /// Finds the plan (planning it on a cache miss) and runs it; each tensor keeps its result
    /// buffer.
    pub fn run(self) -> Result<()> {
        self.run_with(None)
    }

    /// Like [`PreparedEval::run`], stopping with [`Error::Interrupted`] soon after `cancel` is
    /// set (see [`Cancel`] for what stays as it was).
    pub fn run_cancellable(self, cancel: &Cancel) -> Result<()> {
        self.run_with(Some(cancel.flag()))
    }

    /// Runs the evaluation on one of the engine's workers while the calling thread watches:
    /// about every `period` it calls `interrupt`, and once that returns `true` the evaluation
    /// is cancelled ([`Cancel`]) and waited for. Returns the evaluation's result
    /// ([`Error::Interrupted`] when it stopped early). Lets a caller that must poll for
    /// something (Python's signal handlers, which run only on the main thread) do so while
    /// a long evaluation runs.
    pub fn run_watched(self, period: Duration, mut interrupt: impl FnMut() -> bool) -> Result<()> {
        let cancel = Cancel::new();
        let (tx, rx) = std::sync::mpsc::channel();
        let engine = self.engine;
        engine.pool.in_place_scope(|s| {
            let c = &cancel;
            s.spawn(move |_| {
                let _ = tx.send(self.run_cancellable(c));
            });
            loop {
                match rx.recv_timeout(period) {
                    Ok(r) => return r,
                    Err(RecvTimeoutError::Timeout) => {
                        if !cancel.is_cancelled() && interrupt() {
                            cancel.cancel();
                        }
                    }
                    // The evaluation panicked: the scope raises its panic when it ends.
                    Err(RecvTimeoutError::Disconnected) => {
                        return Err(Error::Internal("the evaluation ended without a result".into()))
                    }
                }
            }
        })
    }

    fn run_with(self, cancel: Option<&AtomicBool>) -> Result<()> {
        let Some(mut w) = self.work else { return Ok(()) };
        let exe = self.engine.executable(&w)?;
        let inputs = std::mem::take(&mut w.inputs);
        let (donated, donors) = donate_inputs(&exe, &inputs, w, &self.todo);
        let mut outs = SmallVec::new();
        let mut unused = SmallVec::new();
        if let Err(e) = exe.run_bound(self.engine, inputs, &donated, cancel, &mut outs, &mut unused) {
            // A donated buffer no kernel wrote into goes back to its tensor, which stays readable.
            for (slot, b) in unused {
                if let Some((_, t)) = donors.iter().find(|(s, _)| *s == slot) {
                    t.restore_donated(b);
                }
            }
            return Err(e);
        }
        for (t, b) in self.todo.iter().zip(outs) {
            t.set_buffer(b)?;
        }
        Ok(())
    }
}

/// [`walk`], waiting while a tensor of the graph is being updated in place by another
/// evaluation (its buffer donated): once that evaluation stores its result, the walk stops at
/// the updated tensor. Gives up with [`Error::Donated`] after about a second.
fn walk_waiting(outputs: &[Tensor], fuse: bool) -> Result<Walk> {
    let mut start = None;
    loop {
        match walk(outputs, &[], fuse) {
            Err(Error::Donated { .. })
                if start.get_or_insert_with(std::time::Instant::now).elapsed() < std::time::Duration::from_secs(1) =>
            {
                std::thread::sleep(std::time::Duration::from_micros(50))
            }
            other => return other,
        }
    }
}
