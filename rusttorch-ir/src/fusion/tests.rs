//! Planner unit tests: kernel counts and shapes for the rules of [`super`].

use super::{FusionConfig, FusionPlanner, MAX_KERNEL_INPUTS};
use crate::graph::Graph;
use crate::op::BinaryOp;
use crate::passes::PassManager;
use crate::plan::{DirectStore, Donor, Instr, KernelShape, Operand, Plan, Strategy, ValueKind, WHOLE_ROW_MAX};
use crate::tensor::lower;
use crate::{DType, Tensor};

fn input(dims: &[usize]) -> Tensor {
    Tensor::placeholder(dims, DType::F32).unwrap()
}

/// The optimized graph of `outputs`, reading `inputs`.
fn graph(outputs: &[Tensor], inputs: &[Tensor]) -> Graph {
    let mut g = lower(outputs, inputs, true).unwrap().key.to_graph();
    PassManager::default().run(&mut g).unwrap();
    g
}

fn plan_with(config: FusionConfig, outputs: &[Tensor], inputs: &[Tensor]) -> Plan {
    FusionPlanner::new(config).plan(&graph(outputs, inputs)).unwrap()
}

fn plan(outputs: &[Tensor], inputs: &[Tensor]) -> Plan {
    plan_with(FusionConfig::default(), outputs, inputs)
}

/// The distinct values each kernel reads.
fn reads(plan: &Plan) -> Vec<usize> {
    plan.kernels
        .iter()
        .map(|k| {
            let mut v: Vec<_> = k.inputs.iter().map(|i| i.value).collect();
            v.sort_unstable();
            v.dedup();
            v.len()
        })
        .collect()
}

/// The shapes of the intermediates (values written by one kernel and read by another).
fn stored(plan: &Plan) -> Vec<Vec<usize>> {
    let outputs: Vec<_> = plan.outputs.iter().map(|&o| plan.base(o)).collect();
    (plan.values.iter().enumerate())
        .filter(|(v, val)| matches!(val.kind, ValueKind::Kernel(_)) && !outputs.contains(v))
        .map(|(_, val)| val.shape.dims().to_vec())
        .collect()
}

#[test]
fn an_elementwise_chain_is_one_kernel_and_eager_mode_one_per_op() {
    let (a, b, c) = (input(&[1000]), input(&[1000]), input(&[1000]));
    let y = (&(&(&(&a * &b).unwrap() + &c).unwrap() * 0.5).unwrap() - &(&a * &c).unwrap()).unwrap();
    let ins = [a, b, c];
    let p = plan(std::slice::from_ref(&y), &ins);
    assert_eq!(p.kernels.len(), 1, "{}", p.explain());
    let k = &p.kernels[0];
    assert_eq!(k.shape, KernelShape::Rows { rows: 1000, row_len: 1 });
    assert_eq!((k.stages.len(), k.outputs.len(), reads(&p)), (1, 1, vec![3]));
    assert_eq!(k.ops, ["mul", "add", "mul", "mul", "sub"]);
    let eager = plan_with(FusionConfig { fuse: false, ..FusionConfig::default() }, &[y], &ins);
    assert_eq!(eager.kernels.len(), 5, "{}", eager.explain());
}

#[test]
fn softmax_is_one_kernel_of_three_stages_over_short_rows() {
    let x = input(&[4, 8]);
    let p = plan(&[x.softmax(1).unwrap()], std::slice::from_ref(&x));
    assert_eq!(p.kernels.len(), 1, "{}", p.explain());
    let k = &p.kernels[0];
    assert_eq!(k.shape, KernelShape::Rows { rows: 4, row_len: 8 });
    assert_eq!(k.stages.len(), 3);
    assert!(k.whole_rows);
    assert_eq!(reads(&p), [1], "x is read from memory once");
    // Over an outer dim (`n > 1`) row values cannot flow back: three column passes.
    let p = plan(&[x.softmax(0).unwrap()], std::slice::from_ref(&x));
    assert_eq!(p.kernels.len(), 3, "{}", p.explain());
    assert!(matches!(p.kernels[0].shape, KernelShape::Cols { m: 1, k: 4, n: 8 }));
    // Rows longer than `row_limit` do not stay in cache: the row values are stored.
    let config = FusionConfig { row_limit: 7, ..FusionConfig::default() };
    let p = plan_with(config, &[x.softmax(1).unwrap()], std::slice::from_ref(&x));
    assert_eq!(p.kernels.len(), 3, "{}", p.explain());
}

#[test]
fn a_cheap_shared_node_is_recomputed_and_a_dear_one_stored() {
    let x = input(&[64, 32]);
    let sums = |t: &Tensor| [t.sum(Some(&[1]), false).unwrap(), t.sum(Some(&[0]), false).unwrap()];
    // `x*2` (1 flop) feeding a row sum and a column sum: recomputed by both kernels.
    let cheap = sums(&(&x * 2.0).unwrap());
    let p = plan(&cheap, std::slice::from_ref(&x));
    assert_eq!(p.kernels.len(), 2, "{}", p.explain());
    assert_eq!(p.kernels[0].shape, KernelShape::Rows { rows: 64, row_len: 32 });
    assert_eq!(p.kernels[1].shape, KernelShape::Cols { m: 1, k: 64, n: 32 });
    assert!(stored(&p).is_empty(), "{}", p.explain());
    // With no recompute budget it is stored once instead.
    let config = FusionConfig { recompute_budget: 0, ..FusionConfig::default() };
    let p = plan_with(config, &cheap, std::slice::from_ref(&x));
    assert_eq!((p.kernels.len(), stored(&p)), (3, vec![vec![64, 32]]), "{}", p.explain());
    // `sigmoid(tanh(exp x))` is over the budget: stored, read by both sums.
    let dear = sums(&x.exp().unwrap().tanh().unwrap().sigmoid().unwrap());
    let p = plan(&dear, std::slice::from_ref(&x));
    assert_eq!((p.kernels.len(), stored(&p)), (3, vec![vec![64, 32]]), "{}", p.explain());
}

#[test]
fn outputs_over_one_space_merge_unless_one_reads_the_other() {
    let (a, b, c) = (input(&[500]), input(&[500]), input(&[500]));
    let ab = (&a * &b).unwrap();
    let outs = [(&ab + &c).unwrap(), (&ab - &c).unwrap()];
    let ins = [a.clone(), b, c];
    let p = plan(&outs, &ins);
    assert_eq!(p.kernels.len(), 1, "{}", p.explain());
    assert_eq!(p.kernels[0].ops, ["mul", "add", "sub"], "a*b is computed once");
    assert_eq!((p.kernels[0].outputs.len(), reads(&p)), (2, vec![3]));
    // The second reads the first through a view: both share `a` but cannot merge.
    let y1 = a.exp().unwrap();
    let y2 = (&y1.slice(0, None, None, -1).unwrap() * &a).unwrap();
    let p = plan(&[y1, y2], std::slice::from_ref(&a));
    assert_eq!(p.kernels.len(), 2, "{}", p.explain());
}

#[test]
fn a_kernel_reading_more_than_max_kernel_inputs_is_cut() {
    let xs: Vec<Tensor> = (0..MAX_KERNEL_INPUTS + 100).map(|_| input(&[8])).collect();
    let mut y = xs[0].clone();
    for x in &xs[1..] {
        y = (&y + x).unwrap();
    }
    let p = plan(&[y], &xs);
    let widest = reads(&p).into_iter().max().unwrap();
    assert!(widest <= MAX_KERNEL_INPUTS, "a kernel reads {widest} values");
    // A quarter of the bound per cut: every kernel but the last reads about 256 values.
    assert_eq!(p.kernels.len(), 5, "{}", p.explain());
}

#[test]
fn bools_are_computed_in_their_operands_dtype() {
    // The mask of a float select stays in the float kernel.
    let x = input(&[100]);
    let zero = Tensor::scalar(0.0, DType::F32);
    let y = x.gt(&zero).unwrap().where_cond(&x, &(&x * 0.1).unwrap()).unwrap();
    assert_eq!(plan(&[y], std::slice::from_ref(&x)).kernels.len(), 1);
    // An int32 comparison selecting floats is computed in int32: stored, then read.
    let i = Tensor::placeholder([100], DType::I32).unwrap();
    let izero = Tensor::scalar(0, DType::I32);
    let y = i.gt(&izero).unwrap().where_cond(&x, &(&x * 2.0).unwrap()).unwrap();
    let p = plan(&[y], &[x, i]);
    assert_eq!(p.kernels.len(), 2, "{}", p.explain());
}

#[test]
fn dot_is_rendered_from_the_graph_on_demand() {
    let x = input(&[4, 8]);
    let g = graph(&[x.softmax(1).unwrap()], std::slice::from_ref(&x));
    let p = FusionPlanner::default().plan(&g).unwrap();
    let dot = p.to_dot(&g);
    assert!(dot.starts_with("digraph plan {") && dot.contains("subgraph cluster_k0"), "{dot}");
    assert_eq!(dot.matches("subgraph").count(), 1);
    assert!(!super::graph_to_dot(&g).contains("subgraph"));
}

#[test]
fn elementwise_kernels_map_flat_blocks_or_tiles_when_an_input_is_transposed() {
    let (a, b) = (input(&[64, 48]), input(&[48, 64]));
    let p = plan(&[(&a * 2.0).unwrap()], std::slice::from_ref(&a));
    let k = &p.kernels[0];
    assert_eq!(k.strategy, Strategy::Map, "{}", p.explain());
    // Its input is a graph input read once, in order: its buffer may hold the output, and the
    // multiply stores straight into the output.
    assert_eq!(k.donors.as_slice(), &[Donor { input: 0, output: 0 }]);
    assert_eq!(k.direct_store, Some(DirectStore { instr: 1, output: 0 }));
    let p = plan(&[(&b.transpose(0, 1).unwrap() + &a).unwrap()], &[a.clone(), b.clone()]);
    let k = &p.kernels[0];
    assert_eq!(k.strategy, Strategy::Tiled { rows: 64, cols: 48 }, "{}", p.explain());
    assert!(k.inputs.iter().any(|i| i.reads_transposed()));
    assert_eq!((k.donors.is_empty(), k.direct_store), (true, None), "tiles read and write in another order");
    assert!(p.explain().contains("  strategy tiled 64 x 48\n"), "{}", p.explain());
    // Below 32 x 32 a transposed read stays in flat blocks.
    let (c, d) = (input(&[16, 48]), input(&[48, 16]));
    let p = plan(&[(&d.transpose(0, 1).unwrap() + &c).unwrap()], &[c, d]);
    assert_eq!(p.kernels[0].strategy, Strategy::Map, "{}", p.explain());
}

#[test]
fn every_output_of_an_elementwise_kernel_may_take_a_donated_input() {
    // An optimizer step: new `m`, `v` and `p` from the old ones and the gradient, one kernel.
    let (p, g, m, v) = (input(&[64]), input(&[64]), input(&[64]), input(&[64]));
    let m2 = ((&m * 0.9).unwrap() + (&g * 0.1).unwrap()).unwrap();
    let v2 = ((&v * 0.99).unwrap() + (&g * &g).unwrap()).unwrap();
    let p2 = (&p - (&m2 / &v2.sqrt().unwrap()).unwrap()).unwrap();
    let outputs = [p2, m2, v2];
    let pl = plan(&outputs, &[p, g, m, v]);
    // `m` and `v` in one kernel, `p` (which reads them) in the next.
    let k = &pl.kernels[0];
    let mut outs: Vec<u16> = k.donors.iter().map(|d| d.output).collect();
    outs.sort_unstable();
    outs.dedup();
    assert_eq!(outs.len(), k.outputs.len(), "each output has a candidate: {}", pl.explain());
    assert_eq!(outs.len(), 2, "{}", pl.explain());
    assert_eq!(pl.kernels[1].donors.len(), 1, "{}", pl.explain());
    // An input read after an output's store cannot give that output its buffer.
    let prog = &k.stages[0].full;
    for d in &k.donors {
        let store = prog.iter().position(|i| matches!(i, Instr::Store { output, .. } if *output == d.output)).unwrap();
        let loads_after = prog[store..].iter().any(|i| matches!(i, Instr::Load { input, .. } if *input == d.input));
        assert!(!loads_after, "{d:?} in {}", pl.explain());
    }
}

#[test]
fn reductions_walk_short_rows_long_rows_or_columns() {
    let x = input(&[4, 8]);
    let p = plan(&[x.softmax(1).unwrap()], std::slice::from_ref(&x));
    assert_eq!(p.kernels[0].strategy, Strategy::ShortRows, "{}", p.explain());
    assert!(p.kernels[0].donors.is_empty());
    let p = plan(&[x.sum(Some(&[0]), false).unwrap()], std::slice::from_ref(&x));
    assert_eq!(p.kernels[0].strategy, Strategy::Cols, "{}", p.explain());
    // `sum(a - b)` over rows longer than WHOLE_ROW_MAX: the sum absorbs the difference.
    let n = WHOLE_ROW_MAX + 1;
    let (a, b) = (input(&[n]), input(&[n]));
    let y = (&a - &b).unwrap().sum(None, false).unwrap();
    let p = plan(&[y], &[a, b]);
    let k = &p.kernels[0];
    assert_eq!(k.strategy, Strategy::LongRows, "{}", p.explain());
    let tail = k.stages[0].sum_tail.as_ref().expect("a sum tail");
    assert_eq!((tail.reduce, tail.op), (0, BinaryOp::Sub));
    assert!(matches!((tail.a, tail.b), (Operand::Reg(_), Operand::Reg(_))));
    assert!(p.explain().contains("  strategy long_rows, sum_tail(sub)\n"), "{}", p.explain());
    // A max absorbs nothing.
    let x = input(&[n]);
    let p = plan(&[(&x * 2.0).unwrap().max(None, false).unwrap()], std::slice::from_ref(&x));
    assert_eq!(p.kernels[0].stages[0].sum_tail, None, "{}", p.explain());
}

#[test]
fn outputs_beyond_the_stream_threshold_are_streamed_unless_reduced() {
    let (a, b) = (input(&[64, 64]), input(&[64, 64]));
    let small = FusionConfig { stream_min_bytes: 64 * 64 * 4 + 1, ..FusionConfig::default() };
    let at = FusionConfig { stream_min_bytes: 64 * 64 * 4, ..FusionConfig::default() };
    let y = (&a + &b).unwrap();
    let ins = [a.clone(), b.clone()];
    assert!(!plan_with(small, std::slice::from_ref(&y), &ins).kernels[0].stream_stores);
    let p = plan_with(at.clone(), std::slice::from_ref(&y), &ins);
    assert!(p.kernels[0].stream_stores, "{}", p.explain());
    assert!(p.explain().contains(", stream_stores"), "{}", p.explain());
    // Tiles stream too; rows with reductions never do.
    let t = (&b.transpose(0, 1).unwrap() + &a).unwrap();
    let p = plan_with(at.clone(), &[t], &ins);
    assert!(matches!(p.kernels[0].strategy, Strategy::Tiled { .. }) && p.kernels[0].stream_stores);
    let p = plan_with(at, &[a.softmax(1).unwrap()], std::slice::from_ref(&a));
    assert!(!p.kernels[0].stream_stores, "{}", p.explain());
}

#[test]
fn planning_is_deterministic() {
    // Many inputs and shared subexpressions, so slot, register and donor choices have room to
    // differ if any of them followed a hash map's iteration order.
    let ins: Vec<Tensor> = (0..8).map(|_| input(&[256])).collect();
    let mut acc = ins[0].clone();
    for (i, x) in ins.iter().enumerate().skip(1) {
        let shared = (x * (i as f64)).unwrap().exp().unwrap();
        acc = (&(&acc + &shared).unwrap() * &(&shared - &ins[i - 1]).unwrap()).unwrap();
    }
    let outs = [acc.clone(), (&acc * 2.0).unwrap().sum(None, false).unwrap()];
    let first = plan(&outs, &ins).explain();
    for _ in 0..20 {
        assert_eq!(plan(&outs, &ins).explain(), first);
    }
}
