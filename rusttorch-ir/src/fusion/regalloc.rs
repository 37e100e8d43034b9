//! Register allocation: a kernel's program is emitted with virtual registers, then mapped to
//! physical ones by a linear scan over execution order.

use crate::hash::HashMap;
use crate::plan::{Instr, Operand, ReduceInstr, Reg, Stage};
use smallvec::SmallVec;

/// Program under construction: virtual registers, later mapped to physical ones.
#[derive(Default)]
pub(super) struct Emitter {
    /// Instructions with virtual register numbers, tagged with their stage segment.
    code: Vec<(usize, Seg, Instr)>,
    reduces: Vec<(usize, ReduceInstr)>,
    next_full: Reg,
    next_row: Reg,
}

/// The program of a stage an instruction belongs to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Seg {
    /// The full-space program (runs per block).
    Full,
    /// The row-space program (runs after the stage's reductions).
    Row,
}

impl Emitter {
    /// A new full-space virtual register.
    pub(super) fn full(&mut self) -> Reg {
        self.next_full += 1;
        self.next_full - 1
    }
    /// A new row-space virtual register.
    pub(super) fn row(&mut self) -> Reg {
        self.next_row += 1;
        self.next_row - 1
    }
    /// Appends `i` to segment `seg` of stage `stage`.
    pub(super) fn push(&mut self, stage: usize, seg: Seg, i: Instr) {
        self.code.push((stage, seg, i));
    }
    /// Appends a reduction to stage `stage`.
    pub(super) fn reduce(&mut self, stage: usize, r: ReduceInstr) {
        self.reduces.push((stage, r));
    }

    /// Maps virtual registers to physical ones by linear scan over the execution order
    /// (stage by stage: full program, reductions, row program). A register read by a full
    /// program stays live to the end of that program's stage segment, because the program
    /// runs once per block.
    pub(super) fn allocate(self, stages: usize) -> (Vec<Stage>, usize, usize) {
        // Execution order of events.
        #[derive(Clone)]
        enum Ev {
            I(Seg, Instr),
            R(ReduceInstr),
        }
        // Bucketed by stage first: one pass over the code, whatever the number of stages.
        let mut full: Vec<Vec<Ev>> = vec![Vec::new(); stages];
        let mut reduce: Vec<Vec<Ev>> = vec![Vec::new(); stages];
        let mut row: Vec<Vec<Ev>> = vec![Vec::new(); stages];
        for (st, seg, i) in self.code {
            match seg {
                Seg::Full => full[st].push(Ev::I(seg, i)),
                Seg::Row => row[st].push(Ev::I(seg, i)),
            }
        }
        for (st, r) in self.reduces {
            reduce[st].push(Ev::R(r));
        }
        let mut evs: Vec<(usize, Ev)> = Vec::new();
        for (s, ((f, r), w)) in full.into_iter().zip(reduce).zip(row).enumerate() {
            evs.extend(f.into_iter().chain(r).chain(w).map(|ev| (s, ev)));
        }
        // Segment end: index of the last event of the same stage's full+reduce part.
        let mut part_end = vec![0usize; stages];
        for (idx, (s, ev)) in evs.iter().enumerate() {
            if matches!(ev, Ev::I(Seg::Full, _) | Ev::R(_)) {
                part_end[*s] = idx;
            }
        }
        let seg_end: Vec<usize> = evs
            .iter()
            .enumerate()
            .map(|(idx, (s, ev))| if matches!(ev, Ev::I(Seg::Full, _) | Ev::R(_)) { part_end[*s] } else { idx })
            .collect();
        // Last use of each (file, vreg).
        let mut last_full: HashMap<u32, usize> = HashMap::default();
        let mut last_row: HashMap<u32, usize> = HashMap::default();
        let mut note = |file_row: bool, r: Reg, at: usize| {
            let m = if file_row { &mut last_row } else { &mut last_full };
            let e = m.entry(r).or_insert(at);
            *e = (*e).max(at);
        };
        for (idx, (_, ev)) in evs.iter().enumerate() {
            match ev {
                Ev::R(r) => {
                    note(false, r.src, idx);
                    note(true, r.dst, idx);
                }
                Ev::I(seg, i) => {
                    let row_seg = *seg == Seg::Row;
                    for (is_row, r) in uses(i, row_seg) {
                        // Row registers read inside a full program live to the segment end.
                        let at = if is_row && !row_seg { seg_end[idx] } else { idx };
                        note(is_row, r, at);
                    }
                    if let Some((is_row, r)) = def(i, row_seg) {
                        note(is_row, r, idx);
                    }
                }
            }
        }
        let invert = |last: &HashMap<u32, usize>| {
            let mut m: HashMap<usize, Vec<u32>> = HashMap::default();
            for (&v, &at) in last {
                m.entry(at).or_default().push(v);
            }
            m
        };
        let (dies_full, dies_row) = (invert(&last_full), invert(&last_row));
        let mut files = [RegFile::default(), RegFile::default()];
        let mut map = [HashMap::<u32, Reg>::default(), HashMap::<u32, Reg>::default()];
        let mut out: Vec<Stage> = vec![Stage::default(); stages];
        for (idx, (s, ev)) in evs.into_iter().enumerate() {
            let phys = |map: &mut [HashMap<u32, Reg>; 2], files: &mut [RegFile; 2], is_row: bool, v: Reg| -> Reg {
                let f = usize::from(is_row);
                *map[f].entry(v).or_insert_with(|| files[f].alloc())
            };
            match ev {
                Ev::R(mut r) => {
                    r.src = phys(&mut map, &mut files, false, r.src);
                    r.dst = phys(&mut map, &mut files, true, r.dst);
                    out[s].reduces.push(r);
                }
                Ev::I(seg, mut i) => {
                    let row_seg = seg == Seg::Row;
                    // Sources first, then the destination (never aliasing a source).
                    rename(&mut i, row_seg, &mut |is_row, v, is_def| {
                        let _ = is_def;
                        phys(&mut map, &mut files, is_row, v)
                    });
                    match seg {
                        Seg::Full => out[s].full.push(i),
                        Seg::Row => out[s].row.push(i),
                    }
                }
            }
            // Free registers whose last use was this event.
            for (f, dying) in [(0usize, &dies_full), (1usize, &dies_row)] {
                for &v in dying.get(&idx).map(|v| v.as_slice()).unwrap_or(&[]) {
                    if let Some(p) = map[f].remove(&v) {
                        files[f].free.push(p);
                    }
                }
            }
        }
        (out, files[0].count as usize, files[1].count as usize)
    }
}

#[derive(Default)]
struct RegFile {
    count: Reg,
    free: Vec<Reg>,
}

impl RegFile {
    fn alloc(&mut self) -> Reg {
        if let Some(r) = self.free.pop() {
            r
        } else {
            self.count += 1;
            self.count - 1
        }
    }
}

/// Registers an instruction reads: `(is_row_file, reg)`.
fn uses(i: &Instr, row_seg: bool) -> SmallVec<[(bool, Reg); 2]> {
    let mut u = SmallVec::new();
    let mut op = |o: &Operand| {
        if let Operand::Reg(r) = o {
            u.push((row_seg, *r));
        }
    };
    match i {
        Instr::Expand { src, .. } => return smallvec::smallvec![(true, *src)],
        Instr::Unary { src, .. } => op(src),
        Instr::Binary { a, b, .. } => {
            op(a);
            op(b);
        }
        Instr::Select { cond, a, b, .. } => {
            op(cond);
            op(a);
            op(b);
        }
        Instr::Store { src, .. } => op(src),
        Instr::Load { .. } | Instr::Arange { .. } | Instr::Acc { .. } | Instr::Gather { .. } => {}
    }
    u
}

/// The register an instruction writes.
fn def(i: &Instr, row_seg: bool) -> Option<(bool, Reg)> {
    match i {
        Instr::Load { dst, .. }
        | Instr::Gather { dst, .. }
        | Instr::Acc { dst }
        | Instr::Expand { dst, .. }
        | Instr::Arange { dst, .. }
        | Instr::Unary { dst, .. }
        | Instr::Binary { dst, .. }
        | Instr::Select { dst, .. } => Some((row_seg, *dst)),
        Instr::Store { .. } => None,
    }
}

/// Renames registers: sources first, then the destination.
fn rename(i: &mut Instr, row_seg: bool, f: &mut dyn FnMut(bool, Reg, bool) -> Reg) {
    let op = |o: &mut Operand, f: &mut dyn FnMut(bool, Reg, bool) -> Reg| {
        if let Operand::Reg(r) = o {
            *r = f(row_seg, *r, false);
        }
    };
    match i {
        Instr::Load { dst, .. } | Instr::Gather { dst, .. } | Instr::Arange { dst, .. } | Instr::Acc { dst } => {
            *dst = f(row_seg, *dst, true)
        }
        Instr::Expand { dst, src } => {
            *src = f(true, *src, false);
            *dst = f(row_seg, *dst, true);
        }
        Instr::Unary { dst, src, .. } => {
            op(src, f);
            *dst = f(row_seg, *dst, true);
        }
        Instr::Binary { dst, a, b, .. } => {
            op(a, f);
            op(b, f);
            *dst = f(row_seg, *dst, true);
        }
        Instr::Select { dst, cond, a, b } => {
            op(cond, f);
            op(a, f);
            op(b, f);
            *dst = f(row_seg, *dst, true);
        }
        Instr::Store { src, .. } => op(src, f),
    }
}
