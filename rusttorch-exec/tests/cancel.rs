//! Cancelling evaluations ([`Cancel`]) and the plan cache's bounds: an interrupted evaluation
//! leaves its tensors lazy and re-evaluable, donated buffers intact, and the engine usable; a
//! program that plans ever new graphs holds a bounded number of plans and nodes.
#![allow(clippy::result_large_err)]

mod common;

use common::{engine, rand};
use rusttorch_exec::prelude::*;
use rusttorch_exec::Cancel;
use std::time::{Duration, Instant};

fn chain(x: &Tensor, steps: usize) -> Tensor {
    let mut y = x.clone();
    for i in 0..steps {
        y = ((&y * 0.999).unwrap() + 0.001 * (i % 3) as f64).unwrap();
    }
    y
}

#[test]
fn a_cancelled_evaluation_stops_and_can_run_again() {
    let e = engine();
    let x = rand(&[1 << 16], 1);
    let y = chain(&x, 20);
    let cancel = Cancel::new();
    cancel.cancel();
    let r = e.prepare(std::slice::from_ref(&y), true).unwrap().run_cancellable(&cancel);
    assert!(matches!(r, Err(Error::Interrupted)), "{r:?}");
    assert!(!y.is_evaluated(), "the interrupted tensor stays lazy");
    // Not cancelled: it runs, with the values of a fresh evaluation.
    e.prepare(std::slice::from_ref(&y), true).unwrap().run_cancellable(&Cancel::new()).unwrap();
    let want = chain(&x, 20);
    e.eval_eager(std::slice::from_ref(&want)).unwrap();
    assert_eq!(y.buffer().unwrap().as_slice::<f32>().unwrap(), want.buffer().unwrap().as_slice::<f32>().unwrap());
}

#[test]
fn cancelling_from_another_thread_stops_a_long_kernel_within_a_task() {
    let e = engine();
    // About 3 s of work on a fast 2-core machine (8M elements, 8000 ops), so that it is still
    // running when it is cancelled 200 ms in, however fast the machine.
    let x = rand(&[1 << 23], 2);
    let y = chain(&x, 4000);
    let cancel = Cancel::new();
    let started = Instant::now();
    let stopped = std::thread::scope(|s| {
        let c = cancel.clone();
        s.spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            c.cancel();
            Instant::now()
        });
        let r = e.prepare(std::slice::from_ref(&y), true).unwrap().run_cancellable(&cancel);
        assert!(matches!(r, Err(Error::Interrupted)), "{r:?}");
        Instant::now()
    });
    // The whole evaluation takes seconds; stopping takes at most a task (milliseconds).
    let after = stopped.duration_since(started);
    assert!(after < Duration::from_millis(200 + 300), "stopped {after:?} after the start");
    assert!(!y.is_evaluated());
    // The engine is still usable.
    let z = (&rand(&[1000], 3) + 1.0).unwrap();
    e.eval(std::slice::from_ref(&z)).unwrap();
    assert!(z.buffer().unwrap().as_slice::<f32>().unwrap().iter().all(|&v| (1.0..2.0).contains(&v)));
}

#[test]
fn a_watched_evaluation_is_cancelled_when_the_watcher_says_so() {
    let e = engine();
    let y = chain(&rand(&[1 << 23], 4), 4000);
    let mut polls = 0;
    let r = e.prepare(std::slice::from_ref(&y), true).unwrap().run_watched(Duration::from_millis(10), || {
        polls += 1;
        polls == 3
    });
    assert!(matches!(r, Err(Error::Interrupted)), "{r:?}");
    assert_eq!(polls, 3, "no more polls once cancelled");
    // Watched but never cancelled: the result is the plain evaluation's.
    let small = chain(&rand(&[5000], 5), 3);
    e.prepare(std::slice::from_ref(&small), true).unwrap().run_watched(Duration::from_millis(10), || false).unwrap();
    assert!(small.is_evaluated());
}

#[test]
fn an_interrupted_in_place_update_gives_the_donated_buffer_back() {
    let e = engine();
    let n = 1 << 18;
    let mut t = (&rand(&[n], 8) * 2.0).unwrap();
    e.eval(std::slice::from_ref(&t)).unwrap();
    let want: Vec<f32> = t.buffer().unwrap().as_slice::<f32>().unwrap().iter().map(|v| v + 1.0).collect();
    // `t += 1`: the old node's buffer would be donated to the update.
    t = (&t + 1.0).unwrap();
    let cancel = Cancel::new();
    cancel.cancel();
    let r = e.prepare(std::slice::from_ref(&t), true).unwrap().run_cancellable(&cancel);
    assert!(matches!(r, Err(Error::Interrupted)), "{r:?}");
    e.eval(std::slice::from_ref(&t)).unwrap();
    assert_eq!(t.buffer().unwrap().as_slice::<f32>().unwrap(), &want[..]);
}

#[test]
fn the_plan_cache_is_bounded_and_keeps_the_recently_used() {
    let config = EngineConfig { threads: 1, cache_capacity: 8, cache_nodes: 200, ..EngineConfig::default() };
    let e = Engine::with_config(config).unwrap();
    let x = rand(&[16], 1);
    let hot = (&x * 3.0).unwrap().exp().unwrap();
    let hot_plan = e.plan_for(std::slice::from_ref(&hot), true).unwrap();
    for i in 0..60 {
        // Structurally different graphs (their constants differ) of up to ~25 nodes.
        let y = (chain(&x, 1 + i % 5) * (i as f64 + 0.5)).unwrap();
        e.eval(std::slice::from_ref(&y)).unwrap();
        assert!(e.cached_plans() <= 8, "{} plans", e.cached_plans());
        assert!(e.cached_nodes() <= 200, "{} nodes", e.cached_nodes());
        // Used all along, the hot plan is never evicted.
        let again = e.plan_for(std::slice::from_ref(&hot), true).unwrap();
        assert!(std::sync::Arc::ptr_eq(&hot_plan, &again), "the hot plan was evicted at {i}");
    }
    assert_eq!(e.cached_plans(), 8);
    // A graph larger than the node bound alone is kept by itself.
    let big = chain(&x, 150);
    e.eval(std::slice::from_ref(&big)).unwrap();
    assert_eq!(e.cached_plans(), 1);
}
