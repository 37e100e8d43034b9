//! Printing plans: `explain()`, the text of each kernel's strategy, byte counts.

use super::{FusedKernel, KernelShape, Plan, Strategy, ValueId, ValueKind};
use std::fmt::Write;

impl std::fmt::Display for Strategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Strategy::Map => f.write_str("map"),
            Strategy::Tiled { rows, cols } => write!(f, "tiled {rows} x {cols}"),
            Strategy::ShortRows => f.write_str("short_rows"),
            Strategy::LongRows => f.write_str("long_rows"),
            Strategy::Cols => f.write_str("cols"),
            Strategy::MatMul => f.write_str("matmul"),
            Strategy::Concat => f.write_str("concat"),
            Strategy::Arg => f.write_str("arg"),
            Strategy::Line => f.write_str("line"),
            Strategy::Gather => f.write_str("gather"),
            Strategy::Scatter => f.write_str("scatter"),
            Strategy::Search => f.write_str("search"),
        }
    }
}

impl FusedKernel {
    /// The strategy and the executor's other static decisions, as `explain()` prints them.
    pub fn describe_strategy(&self) -> String {
        let mut s = self.strategy.to_string();
        for (i, st) in self.stages.iter().enumerate() {
            if let Some(t) = &st.sum_tail {
                let stage = if self.stages.len() > 1 { format!("stage {i}: ") } else { String::new() };
                let square = if st.reduces[t.reduce].square { ", squared" } else { "" };
                let _ = write!(s, ", sum_tail({stage}{}{square})", t.op.info().name);
            }
        }
        if let Some(d) = self.direct_store {
            let _ = write!(s, ", direct_store(instr {} -> output {})", d.instr, d.output);
        }
        if self.stream_stores {
            s.push_str(", stream_stores");
        }
        // Per output, its candidate inputs (the first one given up at run time is used).
        let mut outputs: Vec<u16> = self.donors.iter().map(|d| d.output).collect();
        outputs.dedup();
        for o in outputs {
            let ins: Vec<String> = self.donors.iter().filter(|d| d.output == o).map(|d| d.input.to_string()).collect();
            let ins = match ins.split_last() {
                Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
                _ => ins.join(""),
            };
            let to = if o == 0 { String::new() } else { format!(" -> output {o}") };
            let _ = write!(s, ", donor(input {ins}{to})");
        }
        s
    }
}

fn human_bytes(b: usize) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1024.0 && u < 3 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

impl Plan {
    /// Human-readable description of the plan: each kernel, its ops, inputs, outputs and the
    /// bytes it moves, then the totals. Deterministic (used in snapshot tests).
    pub fn explain(&self) -> String {
        self.explain_with(|_| None)
    }

    /// [`Plan::explain`] with a line of the caller's after each kernel's own (an executor's
    /// record of how it ran the kernel), where `note(kernel index)` gives one.
    pub fn explain_with(&self, note: impl Fn(usize) -> Option<String>) -> String {
        let mut s = String::new();
        let (mut tr, mut tw) = (0, 0);
        let vname = |v: ValueId| -> String {
            let val = &self.values[v];
            let origin = match val.kind {
                ValueKind::Input(i) => format!("in{i}"),
                ValueKind::Kernel(k) => format!("k{k}"),
                ValueKind::View { base, .. } => format!("view of v{base}"),
            };
            format!("v{v}({origin}) {} {}", val.dtype, val.shape)
        };
        for (ki, k) in self.kernels.iter().enumerate() {
            let (r, w) = self.kernel_traffic(k);
            tr += r;
            tw += w;
            let space = match k.shape {
                KernelShape::Rows { rows, row_len: 1 } if k.stages.iter().all(|s| s.reduces.is_empty()) => {
                    format!("elementwise over {rows}")
                }
                KernelShape::Rows { rows, row_len } => format!("rows {rows} x {row_len}"),
                KernelShape::Cols { m, k, n } => format!("cols {m} x {k} x {n} (reduce middle)"),
                KernelShape::Concat { ref parts, .. } => format!("concat of {} parts", parts.len()),
                KernelShape::Arg { op, m, k, n } => {
                    format!(
                        "{} over {m} x {k} x {n} (reduce middle)",
                        if op == crate::op::ArgOp::Max { "argmax" } else { "argmin" }
                    )
                }
                KernelShape::Line { op, m, k: kk, n } => {
                    let both = if k.outputs.len() == 2 { ", values and indices" } else { "" };
                    format!("{} over {m} x {kk} x {n} (lines along the middle{both})", op.name())
                }
                KernelShape::Gather { dim, len } => {
                    format!("gather of {len} elements along dim {dim} (indices checked when run)")
                }
                KernelShape::Scatter { dim, reduce, len } => {
                    let how = reduce.map_or("assigning".to_string(), |r| format!("combining by {}", r.name()));
                    format!("scatter of {len} elements along dim {dim}, {how} (indices checked when run)")
                }
                KernelShape::Search { right, len } => {
                    let side = if right { "right" } else { "left" };
                    format!("binary search of {len} values along the sorted last dim (side {side})")
                }
                KernelShape::MatMul { batch, m, k, n } => {
                    format!("matmul {batch} x [{m} x {k}] @ [{k} x {n}] with fused epilogue")
                }
            };
            let _ = writeln!(
                s,
                "kernel {ki}: {space}, {} stage{}, {} op{}: {}",
                k.stages.len(),
                if k.stages.len() == 1 { "" } else { "s" },
                k.num_ops(),
                if k.num_ops() == 1 { "" } else { "s" },
                k.ops.join(" ")
            );
            let mut seen = Vec::new();
            let mm = k.matmul.iter().flat_map(|m| [m.a, m.b]);
            for v in mm.chain(k.inputs.iter().map(|i| i.value)) {
                if !seen.contains(&v) {
                    seen.push(v);
                    let _ = writeln!(s, "  read  {}", vname(v));
                }
            }
            for o in &k.outputs {
                let _ = writeln!(s, "  write {}", vname(o.value));
            }
            for i in k.stages.iter().flat_map(|st| &st.full) {
                if let super::Instr::Gather { input, index, dim, .. } = *i {
                    let (t, x) = (k.inputs[input as usize].value, k.inputs[index as usize].value);
                    let _ = writeln!(
                        s,
                        "  gather v{t} along dim {dim} at indices v{x} (read in the kernel, checked when run)"
                    );
                }
            }
            let _ = writeln!(s, "  strategy {}", k.describe_strategy());
            let _ = writeln!(s, "  bytes read {}, written {}", human_bytes(r), human_bytes(w));
            if let Some(line) = note(ki) {
                let _ = writeln!(s, "  {line}");
            }
        }
        let outs: Vec<String> = self.outputs.iter().map(|&o| format!("v{o}")).collect();
        let _ = writeln!(
            s,
            "total: {} kernel{}, read {}, written {}, peak intermediate+output memory {}; outputs {}",
            self.kernels.len(),
            if self.kernels.len() == 1 { "" } else { "s" },
            human_bytes(tr),
            human_bytes(tw),
            human_bytes(self.peak_bytes()),
            outs.join(", ")
        );
        if self.recomputed > 0 {
            let _ = writeln!(
                s,
                "recomputed: {} shared value{} computed again in each kernel using {} instead of stored",
                self.recomputed,
                if self.recomputed == 1 { "" } else { "s" },
                if self.recomputed == 1 { "it" } else { "them" }
            );
        }
        s
    }
}
