//! Long chains of every op mix plan in time linear in their length, and evaluate correctly:
//! fused = eager = the f64 reference.
//!
//! Linearity is checked deterministically, by the optimizer's and planner's visits to the
//! graph ([`Graph::work`], the edge-list walks of its edits included) at two lengths; the
//! 200 000-op evaluations would take minutes each if any stage were quadratic (the speed itself
//! is in `benches/planning.rs`).
#![allow(clippy::result_large_err)]

// The integration tests' harness (fused = eager = reference), shared with rusttorch-exec.
#[path = "../../rusttorch-exec/tests/common/mod.rs"]
mod common;

use common::Tol;
use rusttorch_benches::chains::{chain, Mix, CHAIN_SHAPE};
use rusttorch_exec::prelude::*;
use rusttorch_ir::fusion::{FusionConfig, FusionPlanner, MAX_KERNEL_INPUTS, MAX_KERNEL_OUTPUTS};
use rusttorch_ir::passes::PassManager;
use rusttorch_ir::tensor::lower;

fn input() -> Tensor {
    common::uniform(&CHAIN_SHAPE, 7, DType::F32, -2.0, 2.0)
}

/// Graph visits of the default pipeline and the fusion planner (fused or eager) on a chain.
fn planning_work(mix: Mix, ops: usize, fuse: bool) -> u64 {
    let y = chain(mix, &input(), ops).unwrap();
    let mut g = lower(&[y], &[], fuse).unwrap().key.to_graph();
    PassManager::default().run(&mut g).unwrap();
    FusionPlanner::new(FusionConfig { fuse, ..FusionConfig::default() }).plan(&g).unwrap();
    g.work()
}

#[test]
fn planning_work_grows_linearly_with_the_chain() {
    for fuse in [true, false] {
        for mix in Mix::ALL {
            let (a, b) = (planning_work(mix, 20_000, fuse), planning_work(mix, 40_000, fuse));
            let ratio = b as f64 / a as f64;
            assert!(ratio < 2.2, "{} (fused: {fuse}): work {a} at 20k ops, {b} at 40k: x{ratio:.2}", mix.name());
        }
    }
}

#[test]
fn kernels_read_and_write_a_bounded_number_of_values() {
    // The broadcasts chain reads a new stored row at every step: one kernel would read 66k
    // values, past the 16-bit input numbers of a plan (it read the wrong rows).
    for mix in [Mix::Broadcasts, Mix::Mixed] {
        let y = chain(mix, &input(), 200_000).unwrap();
        let mut g = lower(&[y], &[], true).unwrap().key.to_graph();
        PassManager::default().run(&mut g).unwrap();
        let plan = FusionPlanner::default().plan(&g).unwrap();
        let widest = plan.kernels.iter().map(|k| k.inputs.len()).max().unwrap();
        let most_out = plan.kernels.iter().map(|k| k.outputs.len()).max().unwrap();
        assert!(widest <= MAX_KERNEL_INPUTS, "{}: a kernel reads {widest} values", mix.name());
        assert!(most_out <= MAX_KERNEL_OUTPUTS, "{}: a kernel writes {most_out} values", mix.name());
    }
}

#[test]
fn chains_of_every_mix_match_the_reference() {
    let engine = common::engine();
    for mix in Mix::ALL {
        let x = input();
        // 4000 ops: the broadcasts chain reads more stored rows than one kernel may.
        // Contracting steps keep f32 rounding from accumulating; `y*1 + 1e-6` adds up to an
        // ulp per step, 4e-4 over 4000 ops.
        common::check_paths_agree(std::slice::from_ref(&engine), Tol::Bitwise, Tol::rel(1e-3), || {
            chain(mix, &x, 4000).unwrap()
        })
        .unwrap_or_else(|m| panic!("{}: {m}", mix.name()));
    }
}

#[test]
fn chains_of_200k_ops_evaluate_fused_and_eager() {
    let engine = common::engine();
    for mix in Mix::ALL {
        let x = input();
        let paths =
            common::check_fused_eager(std::slice::from_ref(&engine), Tol::Bitwise, || chain(mix, &x, 200_000).unwrap())
                .unwrap_or_else(|m| panic!("{}: {m}", mix.name()));
        let fused = &paths.fused[0];
        assert!(fused.iter().all(|v| v.is_finite()), "{}: {fused:?}", mix.name());
    }
}
