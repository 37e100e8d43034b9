//! Emission: the plan's values, and each kernel as a block register program per stage (a
//! full-space program over blocks of the iteration space, its reductions into row registers,
//! and a row-space program on the reduced values).

use super::layout::{layout_of, PendingViews};
use super::order::kernel_order;
use super::regalloc::{Emitter, Seg};
use super::strategy::decide;
use super::FusionConfig;
use super::{full_value, is_source, mkn, Spec};
use crate::graph::{Graph, NodeId};
use crate::hash::{HashMap, HashSet};
use crate::op::{ArgOp, BinaryOp, Op, ReduceOp, Scalar, SourceOp, UnaryOp};
use crate::plan::{
    FusedKernel, Instr, KernelInput, KernelOutput, KernelShape, MatMulOperands, Operand, Plan, ReduceInstr, Reg, Space,
    Stage, Strategy, Value, ValueId, ValueKind, WHOLE_ROW_MAX,
};
use crate::{DType, Error, Result, Shape};
use smallvec::SmallVec;

/// Builds the plan from the final kernel specs (`topo` and `pos`: the graph's topological
/// order and each node's position in it).
pub(super) fn emit(g: &Graph, specs: Vec<Spec>, topo: &[NodeId], pos: &[usize], config: &FusionConfig) -> Result<Plan> {
    let mut values: Vec<Value> = Vec::new();
    let mut value_of: HashMap<NodeId, ValueId> = HashMap::default();
    let num_inputs = g.num_inputs();
    // Inputs first, by slot.
    let mut input_nodes: Vec<(usize, NodeId)> = g
        .node_ids()
        .into_iter()
        .filter_map(|n| match g.node(n).op {
            Op::Source(SourceOp::Input(i)) => Some((i, n)),
            _ => None,
        })
        .collect();
    input_nodes.sort_unstable();
    for (slot, n) in input_nodes {
        value_of.insert(n, values.len());
        values.push(Value { shape: g.node(n).shape.clone(), dtype: g.node(n).dtype, kind: ValueKind::Input(slot) });
    }
    let order = kernel_order(g, &specs, pos)?;
    let mut kernels = Vec::with_capacity(specs.len());
    // Views of inputs get their values now, the others once their operand has one.
    let mut views = PendingViews::new(g, topo);
    let inputs: Vec<NodeId> = value_of.keys().copied().collect();
    views.resolve(g, pos, &inputs, &mut values, &mut value_of)?;
    for si in order {
        let spec = &specs[si];
        let ki = kernels.len();
        let mut roots = spec.roots.clone();
        roots.sort_by_key(|r| pos[r.index()]);
        for &r in &roots {
            value_of.insert(r, values.len());
            values.push(Value { shape: g.node(r).shape.clone(), dtype: g.node(r).dtype, kind: ValueKind::Kernel(ki) });
        }
        let cx = Scope { g, pos, value_of: &value_of, values: &values };
        kernels.push(emit_kernel(cx, spec, &roots)?);
        views.resolve(g, pos, &roots, &mut values, &mut value_of)?;
    }
    // Outputs that are sources (`zeros(..)` evaluated, or an input returned as is).
    let mut outputs = Vec::new();
    for &o in g.outputs() {
        let v = match value_of.get(&o) {
            Some(&v) => v,
            None => return Err(Error::Internal(format!("output node {} has no value", o.index()))),
        };
        outputs.push(v);
    }
    let mut plan = Plan { num_inputs, values, kernels, outputs, recomputed: 0 };
    decide(&mut plan, config);
    Ok(plan)
}

/// What emitting a kernel reads: the graph, each node's topological position, and the plan
/// values given so far.
#[derive(Clone, Copy)]
struct Scope<'a> {
    g: &'a Graph,
    pos: &'a [usize],
    value_of: &'a HashMap<NodeId, ValueId>,
    values: &'a [Value],
}

/// Emits the kernel of `spec`, whose roots (sorted by position) write values already listed.
fn emit_kernel(cx: Scope<'_>, spec: &Spec, roots: &[NodeId]) -> Result<FusedKernel> {
    let g = cx.g;
    let dtype = spec.dtype;
    if let Op::Concat { dim, .. } = g.node(roots[0]).op {
        return emit_concat(cx, roots[0], dim, dtype);
    }
    if let Op::ArgReduce { op, dim, .. } = g.node(roots[0]).op {
        return emit_arg(cx, roots[0], op, dim, dtype);
    }
    if let Op::Line { dim, .. } = g.node(roots[0]).op {
        return emit_line(cx, roots, dim, dtype);
    }
    if let Op::Gather { dim } = g.node(roots[0]).op {
        let len = g.node(roots[0]).shape.numel();
        return Ok(emit_indexed(cx, roots[0], KernelShape::Gather { dim, len }, dtype));
    }
    if let Op::Search { right } = g.node(roots[0]).op {
        let len = g.node(roots[0]).shape.numel();
        return Ok(emit_indexed(cx, roots[0], KernelShape::Search { right, len }, dtype));
    }
    if let Op::Scatter { dim, reduce } = g.node(roots[0]).op {
        return Ok(emit_scatter(cx, roots[0], dim, reduce, dtype));
    }
    let (shape, full_shape, matmul) = kernel_space(cx, spec, roots);
    let (nodes, by_stage) = stages(g, spec, cx.pos);
    let stages = by_stage.len();
    let whole_rows = stages > 1 && matches!(shape, KernelShape::Rows { row_len, .. } if row_len <= WHOLE_ROW_MAX);
    let mut k = KernelEmitter::new(cx, spec, roots, &full_shape, &nodes);
    k.whole_rows = whole_rows;
    k.row_kernel = matches!(shape, KernelShape::Rows { .. });
    for (s, stage_nodes) in by_stage.iter().enumerate() {
        k.full_program(s, stage_nodes)?;
        k.row_program(s, stage_nodes)?;
    }
    k.source_roots()?;
    let KernelEmitter { inputs, outputs, e, index_index, .. } = k;
    let mut index_inputs: SmallVec<[u16; 2]> = index_index.into_values().collect();
    index_inputs.sort_unstable();
    let (stages_vec, nf, nr) = e.allocate(stages);
    let ops = nodes.iter().map(|&n| g.node(n).op.name()).collect();
    Ok(FusedKernel {
        shape,
        full_shape,
        dtype,
        inputs,
        outputs,
        stages: stages_vec,
        num_full_regs: nf,
        num_row_regs: nr,
        nodes,
        ops,
        matmul,
        whole_rows,
        index_inputs,
        strategy: Strategy::Map,
        donors: SmallVec::new(),
        direct_store: None,
        stream_stores: false,
    })
}

/// Whether `x` lives in the full space of `spec` (every node of an elementwise kernel does).
fn is_full(g: &Graph, spec: &Spec, x: NodeId) -> bool {
    spec.space.axes.is_empty() || g.node(x).shape == spec.space.full
}

/// The kernel's iteration space, its full shape, and the operands of its matrix product.
fn kernel_space(cx: Scope<'_>, spec: &Spec, roots: &[NodeId]) -> (KernelShape, Shape, Option<MatMulOperands>) {
    let (g, sp) = (cx.g, &spec.space);
    if let Some(mm) = spec.matmul {
        let ins = g.inputs(mm);
        let (sa, sb, so) = (&g.node(ins[0]).shape, &g.node(ins[1]).shape, &g.node(mm).shape);
        let (ad, od) = (sa.dims(), so.dims());
        let (m, k, n) = (ad[ad.len() - 2], ad[ad.len() - 1], od[od.len() - 1]);
        let batch_shape = Shape::from(&od[..od.len() - 2]);
        let batch_strides = |s: &Shape| {
            let d = s.dims();
            let mat = d[d.len() - 2] * d[d.len() - 1];
            let own = Shape::from(&d[..d.len() - 2]);
            own.broadcast_strides(&batch_shape).iter().map(|&x| x * mat).collect()
        };
        let operands = MatMulOperands {
            a: cx.value_of[&ins[0]],
            b: cx.value_of[&ins[1]],
            a_batch_strides: batch_strides(sa),
            b_batch_strides: batch_strides(sb),
            batch_shape: batch_shape.clone(),
        };
        (KernelShape::MatMul { batch: batch_shape.numel(), m, k, n }, so.clone(), Some(operands))
    } else if sp.axes.is_empty() {
        let s = g.node(roots[0]).shape.clone();
        (KernelShape::Rows { rows: s.numel(), row_len: 1 }, s, None)
    } else {
        let (m, k, n) = mkn(&sp.full, &sp.axes);
        let ks = if n == 1 { KernelShape::Rows { rows: m, row_len: k } } else { KernelShape::Cols { m, k, n } };
        (ks, sp.full.clone(), None)
    }
}

/// The kernel's nodes in topological order, and the nodes of each stage (in the same order,
/// so each stage's work costs its own size, not the kernel's): full nodes reading row values
/// computed in stage `s` run in stage `s + 1`.
fn stages(g: &Graph, spec: &Spec, pos: &[usize]) -> (Vec<NodeId>, Vec<Vec<NodeId>>) {
    let mut nodes: Vec<NodeId> = spec.nodes.iter().copied().collect();
    nodes.sort_by_key(|n| pos[n.index()]);
    let mut depth: HashMap<NodeId, usize> = HashMap::default();
    for &x in &nodes {
        let mut d = 0;
        for i in g.inputs(x) {
            if let Some(&di) = depth.get(&i) {
                let bump = usize::from(is_full(g, spec, x) && !is_full(g, spec, i));
                d = d.max(di + bump);
            }
        }
        depth.insert(x, d);
    }
    let stages = nodes.iter().map(|n| depth[n]).max().unwrap_or(0) + 1;
    let mut by_stage: Vec<Vec<NodeId>> = vec![Vec::new(); stages];
    for &x in &nodes {
        by_stage[depth[&x]].push(x);
    }
    (nodes, by_stage)
}

/// One kernel's program while it is emitted.
struct KernelEmitter<'a> {
    cx: Scope<'a>,
    spec: &'a Spec,
    roots: &'a [NodeId],
    full_shape: &'a Shape,
    /// The kernel is `Rows` (where `sum(y**2)` may square as it sums).
    row_kernel: bool,
    /// Every block holds whole rows, so values an earlier stage computed are still in their
    /// registers and are reused instead of recomputed.
    whole_rows: bool,
    root_set: HashSet<NodeId>,
    /// Uses of each node inside the kernel (the `sum(y**2)` rule needs a single one).
    uses_here: HashMap<NodeId, usize>,
    out_index: HashMap<NodeId, u16>,
    outputs: Vec<KernelOutput>,
    inputs: Vec<KernelInput>,
    input_index: HashMap<(ValueId, Space, Shape), u16>,
    /// The input reading each gather table (by value and dim) and each gather index.
    table_index: HashMap<(ValueId, usize), u16>,
    index_index: HashMap<ValueId, u16>,
    e: Emitter,
    /// The row register of each row value computed so far.
    row_reg: HashMap<NodeId, Reg>,
    /// Full values computed by earlier stages (reused with whole rows).
    carried: HashMap<NodeId, Operand>,
}

impl<'a> KernelEmitter<'a> {
    fn new(
        cx: Scope<'a>,
        spec: &'a Spec,
        roots: &'a [NodeId],
        full_shape: &'a Shape,
        nodes: &[NodeId],
    ) -> KernelEmitter<'a> {
        let g = cx.g;
        let mut uses_here: HashMap<NodeId, usize> = HashMap::default();
        for &x in nodes {
            let ins = g.inputs(x);
            for (j, i) in ins.iter().enumerate() {
                if !ins[..j].contains(i) {
                    *uses_here.entry(*i).or_default() += 1;
                }
            }
        }
        let mut outputs = Vec::new();
        let mut out_index: HashMap<NodeId, u16> = HashMap::default();
        for &r in roots {
            out_index.insert(r, outputs.len() as u16);
            let space = if is_full(g, spec, r) { Space::Full } else { Space::Row };
            outputs.push(KernelOutput { value: cx.value_of[&r], space });
        }
        KernelEmitter {
            cx,
            spec,
            roots,
            full_shape,
            row_kernel: false,
            whole_rows: false,
            root_set: roots.iter().copied().collect(),
            uses_here,
            out_index,
            outputs,
            inputs: Vec::new(),
            input_index: HashMap::default(),
            table_index: HashMap::default(),
            index_index: HashMap::default(),
            e: Emitter::default(),
            row_reg: HashMap::default(),
            carried: HashMap::default(),
        }
    }

    fn is_full(&self, x: NodeId) -> bool {
        is_full(self.cx.g, self.spec, x)
    }

    /// The kernel input reading value `v` (of shape `vshape`) in `space`, broadcast to `read`.
    fn input(&mut self, v: ValueId, space: Space, read: &Shape, vshape: &Shape) -> u16 {
        *self.input_index.entry((v, space, read.clone())).or_insert_with(|| {
            let (base, l) = layout_of(self.cx.values, v);
            let strides = broadcast_strides(&l.strides, vshape, read);
            self.inputs.push(KernelInput { value: base, space, read_shape: read.clone(), offset: l.offset, strides });
            (self.inputs.len() - 1) as u16
        })
    }

    /// Loads stored node `x` in the full space of stage `s`.
    fn load_full(&mut self, s: usize, x: NodeId) -> Reg {
        let g = self.cx.g;
        let idx = self.input(self.cx.value_of[&x], Space::Full, self.full_shape, &g.node(x).shape);
        let dst = self.e.full();
        self.e.push(s, Seg::Full, Instr::Load { dst, input: idx });
        dst
    }

    /// Emits gather node `x` (along `dim`) in the full space of stage `s`: its stored table
    /// read with `dim`'s stride set to 0 (so each position reads the base of its line), and
    /// its stored index read as int64, as inputs of their own (an index is never a loaded
    /// register, so an int64 index stays exact in a float32 kernel).
    fn gather(&mut self, s: usize, x: NodeId, dim: usize) -> Reg {
        let g = self.cx.g;
        let ins = g.inputs(x);
        let (table, index) = (self.cx.value_of[&ins[0]], self.cx.value_of[&ins[1]]);
        let tshape = &g.node(ins[0]).shape;
        let (size, stride) = (tshape.dims()[dim], layout_of(self.cx.values, table).1.strides[dim]);
        let read = self.full_shape.clone();
        let input = *self.table_index.entry((table, dim)).or_insert_with(|| {
            let (base, l) = layout_of(self.cx.values, table);
            let mut strides = l.strides;
            strides[dim] = 0;
            self.inputs.push(KernelInput {
                value: base,
                space: Space::Full,
                read_shape: read.clone(),
                offset: l.offset,
                strides,
            });
            (self.inputs.len() - 1) as u16
        });
        let ishape = &g.node(ins[1]).shape;
        let index = *self.index_index.entry(index).or_insert_with(|| {
            let (base, l) = layout_of(self.cx.values, index);
            let strides = broadcast_strides(&l.strides, ishape, &read);
            self.inputs.push(KernelInput {
                value: base,
                space: Space::Full,
                read_shape: read.clone(),
                offset: l.offset,
                strides,
            });
            (self.inputs.len() - 1) as u16
        });
        let dst = self.e.full();
        self.e.push(s, Seg::Full, Instr::Gather { dst, input, index, dim, size, stride });
        dst
    }

    /// The full-space operand of `x` computed so far: in this stage (`memo`, which is not
    /// copied from `carried` so each stage costs only its own work) or, with whole rows, in an
    /// earlier one.
    fn operand(&self, memo: &HashMap<NodeId, Operand>, x: NodeId) -> Option<Operand> {
        memo.get(&x).or(if self.whole_rows { self.carried.get(&x) } else { None }).copied()
    }

    /// Stage `s`'s full program: what its reductions and full outputs need.
    fn full_program(&mut self, s: usize, stage_nodes: &[NodeId]) -> Result<()> {
        let g = self.cx.g;
        let mut memo: HashMap<NodeId, Operand> = HashMap::default();
        let mut sinks: Vec<NodeId> = stage_nodes
            .iter()
            .copied()
            .filter(|&x| {
                matches!(g.node(x).op, Op::Reduce { .. })
                    || (self.root_set.contains(&x) && self.is_full(x) && !is_source(g, x))
            })
            .collect();
        sinks.sort_by_key(|n| self.cx.pos[n.index()]);
        for sink in sinks {
            self.sink(s, sink, &mut memo)?;
        }
        Ok(())
    }

    /// Computes what `sink` (a reduction or a full output) needs, then reduces or stores it.
    fn sink(&mut self, s: usize, sink: NodeId, memo: &mut HashMap<NodeId, Operand>) -> Result<()> {
        let g = self.cx.g;
        let mut target = if matches!(g.node(sink).op, Op::Reduce { .. }) { g.inputs(sink)[0] } else { sink };
        // `sum(y**2)` in a row kernel, where nothing else reads `y**2`: sum the squares of `y`.
        let square = matches!(g.node(sink).op, Op::Reduce { op: ReduceOp::Sum, .. })
            && self.row_kernel
            && matches!(g.node(target).op, Op::Unary(UnaryOp::Square))
            && self.spec.nodes.contains(&target)
            && !self.root_set.contains(&target)
            && self.operand(memo, target).is_none()
            && self.uses_here.get(&target) == Some(&1);
        if square {
            target = g.inputs(target)[0];
        }
        self.compute_full(s, target, memo)?;
        if let Op::Reduce { op, .. } = g.node(sink).op {
            let src = match self.operand(memo, target).expect("the target was computed") {
                Operand::Reg(r) => r,
                Operand::Const(c) => {
                    // A constant is broadcast into a register (`c * 1`) for the reduction.
                    let dst = self.e.full();
                    let one = Operand::Const(Scalar::new(1.0));
                    self.e.push(s, Seg::Full, Instr::Binary { op: BinaryOp::Mul, dst, a: Operand::Const(c), b: one });
                    dst
                }
            };
            let dst = self.e.row();
            self.row_reg.insert(sink, dst);
            self.e.reduce(s, ReduceInstr { op, src, dst, square });
        } else {
            let src = self.operand(memo, sink).expect("the sink was computed");
            self.e.push(s, Seg::Full, Instr::Store { output: self.out_index[&sink], src });
        }
        Ok(())
    }

    /// Emits `target` and the full-space operands it needs, by an iterative post-order.
    fn compute_full(&mut self, s: usize, target: NodeId, memo: &mut HashMap<NodeId, Operand>) -> Result<()> {
        let g = self.cx.g;
        let mut stack: Vec<(NodeId, bool)> = vec![(target, false)];
        while let Some((x, expanded)) = stack.pop() {
            if self.operand(memo, x).is_some() {
                continue;
            }
            if let Some(v) = full_value(g, x) {
                memo.insert(x, Operand::Const(v));
                continue;
            }
            if !self.spec.nodes.contains(&x) {
                // A materialised leaf read in the full space.
                let dst = self.load_full(s, x);
                memo.insert(x, Operand::Reg(dst));
                continue;
            }
            if !self.is_full(x) {
                let src = self.row_reg[&x];
                let dst = self.e.full();
                self.e.push(s, Seg::Full, Instr::Expand { dst, src });
                memo.insert(x, Operand::Reg(dst));
                continue;
            }
            let ins = g.inputs(x);
            if Some(x) == self.spec.matmul {
                let dst = self.e.full();
                self.e.push(s, Seg::Full, Instr::Acc { dst });
                memo.insert(x, Operand::Reg(dst));
                continue;
            }
            if let Op::Cast(_) = g.node(x).op {
                // The operand is materialised; the executor converts it while loading.
                let dst = self.load_full(s, ins[0]);
                memo.insert(x, Operand::Reg(dst));
                continue;
            }
            if let Op::Gather { dim } = g.node(x).op {
                // Its table and index are stored: read through the index in this kernel.
                let dst = self.gather(s, x, dim);
                memo.insert(x, Operand::Reg(dst));
                self.carried.insert(x, Operand::Reg(dst));
                continue;
            }
            if !expanded {
                stack.push((x, true));
                for &i in ins.iter().rev() {
                    if self.operand(memo, i).is_none() {
                        stack.push((i, false));
                    }
                }
                continue;
            }
            let ops: SmallVec<[Operand; 2]> =
                ins.iter().map(|&i| self.operand(memo, i).expect("operands come first")).collect();
            let dst = self.e.full();
            let instr = compute_instr(g, x, dst, &ops)?;
            self.e.push(s, Seg::Full, instr);
            let dst = self.wrap_narrow(s, Seg::Full, x, dst);
            memo.insert(x, Operand::Reg(dst));
            self.carried.insert(x, Operand::Reg(dst));
        }
        Ok(())
    }

    /// Stage `s`'s row program: its row nodes, in topological order.
    fn row_program(&mut self, s: usize, stage_nodes: &[NodeId]) -> Result<()> {
        let g = self.cx.g;
        for &x in stage_nodes {
            if self.is_full(x) {
                continue;
            }
            if !matches!(g.node(x).op, Op::Reduce { .. }) {
                let mut ops: SmallVec<[Operand; 2]> = SmallVec::new();
                for i in g.inputs(x) {
                    let o = if let Some(v) = full_value(g, i) {
                        Operand::Const(v)
                    } else if let Some(&r) = self.row_reg.get(&i) {
                        Operand::Reg(r)
                    } else {
                        let idx = self.input(self.cx.value_of[&i], Space::Row, &g.node(x).shape, &g.node(i).shape);
                        let dst = self.e.row();
                        self.e.push(s, Seg::Row, Instr::Load { dst, input: idx });
                        Operand::Reg(dst)
                    };
                    ops.push(o);
                }
                let dst = self.e.row();
                let instr = compute_instr(g, x, dst, &ops)?;
                self.e.push(s, Seg::Row, instr);
                let dst = self.wrap_narrow(s, Seg::Row, x, dst);
                self.row_reg.insert(x, dst);
            }
            if self.root_set.contains(&x) {
                let src = Operand::Reg(self.row_reg[&x]);
                self.e.push(s, Seg::Row, Instr::Store { output: self.out_index[&x], src });
            }
        }
        Ok(())
    }

    /// Wraps the result `r` of elementwise node `x` to its dtype's range when that is a narrow
    /// int computed in a wider one ([`DType::compute`]): `((r + 2^(n-1)) & (2^n - 1)) - 2^(n-1)`
    /// for n-bit signed ints, `r & (2^n - 1)` for unsigned, so comparisons, divisions, max/min
    /// and selects downstream see the values the narrow type holds. Not when every user is a
    /// ring op of the same dtype (`+ - *`, negation, bitwise): their results are right modulo
    /// 2^n from unwrapped operands, and are wrapped in turn where it matters (stores convert by
    /// truncation). Returns the register holding the value.
    fn wrap_narrow(&mut self, s: usize, seg: Seg, x: NodeId, r: Reg) -> Reg {
        let g = self.cx.g;
        let dtype = g.node(x).dtype;
        if !dtype.is_int() || !dtype.is_storage_only() {
            return r;
        }
        let ring = |u: NodeId| {
            let n = g.node(u);
            n.dtype == dtype
                && matches!(
                    n.op,
                    Op::Unary(UnaryOp::Neg | UnaryOp::BitNot)
                        | Op::Binary(
                            BinaryOp::Add
                                | BinaryOp::Sub
                                | BinaryOp::Mul
                                | BinaryOp::And
                                | BinaryOp::Or
                                | BinaryOp::Xor
                        )
                )
        };
        if g.users(x).into_iter().all(ring) {
            return r;
        }
        let bits = 8 * dtype.size_of() as u32;
        let mask = Operand::Const(Scalar::int(((1u64 << bits) - 1) as i64));
        let half = Operand::Const(Scalar::int(1i64 << (bits - 1)));
        let step = |this: &mut Self, op: BinaryOp, a: Reg, b: Operand| {
            let dst = match seg {
                Seg::Full => this.e.full(),
                Seg::Row => this.e.row(),
            };
            this.e.push(s, seg, Instr::Binary { op, dst, a: Operand::Reg(a), b });
            dst
        };
        if dtype.is_unsigned() {
            return step(self, BinaryOp::And, r, mask);
        }
        let up = step(self, BinaryOp::Add, r, half);
        let low = step(self, BinaryOp::And, up, mask);
        step(self, BinaryOp::Sub, low, half)
    }

    /// Stores the roots that are sources (an evaluated `full`/`arange`), computed nowhere else.
    fn source_roots(&mut self) -> Result<()> {
        for &r in self.roots {
            if let Op::Source(src) = self.cx.g.node(r).op {
                let v = match src {
                    SourceOp::Full(v) => Operand::Const(v),
                    SourceOp::Arange { start, step } => {
                        let dst = self.e.full();
                        self.e.push(0, Seg::Full, Instr::Arange { dst, start, step });
                        Operand::Reg(dst)
                    }
                    SourceOp::Input(_) => return Err(Error::Internal("an input cannot be a kernel root".into())),
                };
                self.e.push(0, Seg::Full, Instr::Store { output: self.out_index[&r], src: v });
            }
        }
        Ok(())
    }
}

/// The strides reading a value of shape `vshape` (element strides `strides`) broadcast to
/// `read`: 0 on the dims it is broadcast along.
fn broadcast_strides(strides: &[isize], vshape: &Shape, read: &Shape) -> SmallVec<[isize; 6]> {
    let off = read.ndim() - vshape.ndim();
    let mut out: SmallVec<[isize; 6]> = smallvec::smallvec![0; read.ndim()];
    for (i, (&d, &st)) in vshape.dims().iter().zip(strides).enumerate() {
        if !(d == 1 && read.dims()[i + off] != 1) {
            out[i + off] = st;
        }
    }
    out
}

/// The instruction computing elementwise node `x` into `dst` from `ops`.
fn compute_instr(g: &Graph, x: NodeId, dst: Reg, ops: &[Operand]) -> Result<Instr> {
    Ok(match g.node(x).op {
        Op::Where => Instr::Select { dst, cond: ops[0], a: ops[1], b: ops[2] },
        Op::Unary(op) => Instr::Unary { op, dst, src: ops[0] },
        Op::Binary(op) => Instr::Binary { op, dst, a: ops[0], b: ops[1] },
        ref other => return Err(Error::Internal(format!("{} cannot be computed in a kernel body", other.name()))),
    })
}

/// A concatenation kernel: no program, each part copied into its place.
fn emit_concat(cx: Scope<'_>, root: NodeId, dim: usize, dtype: DType) -> Result<FusedKernel> {
    let (g, value_of) = (cx.g, cx.value_of);
    let out = &g.node(root).shape;
    let d = out.dims();
    let (outer, inner) = (d[..dim].iter().product(), d[dim + 1..].iter().product());
    let mut inputs: Vec<KernelInput> = Vec::new();
    let mut parts = Vec::new();
    for x in g.inputs(root) {
        let shape = &g.node(x).shape;
        let (base, l) = layout_of(cx.values, value_of[&x]);
        inputs.push(KernelInput {
            value: base,
            space: Space::Full,
            read_shape: shape.clone(),
            offset: l.offset,
            strides: l.strides,
        });
        parts.push(((inputs.len() - 1) as u16, shape.dims()[dim]));
    }
    let output = KernelOutput { value: value_of[&root], space: Space::Full };
    Ok(without_program(g, root, KernelShape::Concat { outer, inner, parts }, out.clone(), dtype, inputs, output))
}

/// A kernel the executor runs by a routine of its own (concatenation, argmax), with no program.
fn without_program(
    g: &Graph,
    root: NodeId,
    shape: KernelShape,
    full_shape: Shape,
    dtype: DType,
    inputs: Vec<KernelInput>,
    output: KernelOutput,
) -> FusedKernel {
    // A gather or scatter kernel of its own reads its index (input 1) as int64.
    let index_inputs = match shape {
        KernelShape::Gather { .. } | KernelShape::Scatter { .. } => smallvec::smallvec![1],
        _ => SmallVec::new(),
    };
    FusedKernel {
        shape,
        full_shape,
        dtype,
        inputs,
        outputs: vec![output],
        stages: vec![Stage::default()],
        num_full_regs: 0,
        num_row_regs: 0,
        nodes: vec![root],
        ops: vec![g.node(root).op.name()],
        matmul: None,
        whole_rows: false,
        index_inputs,
        strategy: Strategy::Map,
        donors: SmallVec::new(),
        direct_store: None,
        stream_stores: false,
    }
}

/// An argmax/argmin kernel: input 0 scanned as `m × k × n`, `m × n` indices written.
fn emit_arg(cx: Scope<'_>, root: NodeId, op: ArgOp, dim: usize, dtype: DType) -> Result<FusedKernel> {
    let (input, (m, k, n)) = line_input(cx, root, dim);
    let output = KernelOutput { value: cx.value_of[&root], space: Space::Row };
    let shape = input.read_shape.clone();
    Ok(without_program(cx.g, root, KernelShape::Arg { op, m, k, n }, shape, dtype, vec![input], output))
}

/// A line kernel: input 0 read as `m × k × n`, each of its `m × n` lines of `k` elements turned
/// into an output line of `op.out_len(k)` (written as `m × out_len × n`). An order kernel with
/// two roots writes the values (output 0) and the indices (output 1) of one ranking.
fn emit_line(cx: Scope<'_>, roots: &[NodeId], dim: usize, dtype: DType) -> Result<FusedKernel> {
    let mut roots = roots.to_vec();
    roots.sort_by_key(|&r| matches!(cx.g.node(r).op, Op::Line { op, .. } if op.writes_indices()));
    let root = roots[0];
    let Op::Line { op, .. } = cx.g.node(root).op else { unreachable!("a line kernel's root is a line op") };
    let (input, (m, k, n)) = line_input(cx, root, dim);
    let output = KernelOutput { value: cx.value_of[&root], space: Space::Full };
    let shape = input.read_shape.clone();
    let mut kernel = without_program(cx.g, root, KernelShape::Line { op, m, k, n }, shape, dtype, vec![input], output);
    for &r in &roots[1..] {
        kernel.outputs.push(KernelOutput { value: cx.value_of[&r], space: Space::Full });
        kernel.nodes.push(r);
        kernel.ops.push(cx.g.node(r).op.name());
    }
    Ok(kernel)
}

/// A gather or search kernel: every operand read by its own layout (a gather's `x` and index,
/// a search's sorted sequence and values), the output written in the order of the last one.
fn emit_indexed(cx: Scope<'_>, root: NodeId, kernel: KernelShape, dtype: DType) -> FusedKernel {
    let output = KernelOutput { value: cx.value_of[&root], space: Space::Full };
    let shape = cx.g.node(root).shape.clone();
    without_program(cx.g, root, kernel, shape, dtype, own_layouts(cx, root), output)
}

/// A scatter kernel: input 0 (`x`), 1 (the index) and 2 (`src`) read by their own layouts; the
/// output (`x`'s shape) starts as a copy of `x` (none when `x` donates its buffer), then takes
/// `src` at the index's positions. Its space is the index's.
fn emit_scatter(cx: Scope<'_>, root: NodeId, dim: usize, reduce: Option<ReduceOp>, dtype: DType) -> FusedKernel {
    let output = KernelOutput { value: cx.value_of[&root], space: Space::Full };
    let shape = cx.g.node(cx.g.inputs(root)[1]).shape.clone();
    let len = shape.numel();
    without_program(cx.g, root, KernelShape::Scatter { dim, reduce, len }, shape, dtype, own_layouts(cx, root), output)
}

/// Every operand of `root` as a kernel input read by its own shape and layout.
fn own_layouts(cx: Scope<'_>, root: NodeId) -> Vec<KernelInput> {
    cx.g.inputs(root)
        .iter()
        .map(|&x| {
            let shape = cx.g.node(x).shape.clone();
            let (base, l) = layout_of(cx.values, cx.value_of[&x]);
            KernelInput { value: base, space: Space::Full, read_shape: shape, offset: l.offset, strides: l.strides }
        })
        .collect()
}

/// The one operand of an arg or line kernel, and its shape as `m × k × n` around `dim`.
fn line_input(cx: Scope<'_>, root: NodeId, dim: usize) -> (KernelInput, (usize, usize, usize)) {
    let x = cx.g.inputs(root)[0];
    let shape = cx.g.node(x).shape.clone();
    let mkn = mkn(&shape, &[dim]);
    let (base, l) = layout_of(cx.values, cx.value_of[&x]);
    (KernelInput { value: base, space: Space::Full, read_shape: shape, offset: l.offset, strides: l.strides }, mkn)
}
