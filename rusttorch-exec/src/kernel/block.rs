//! One program run over one block: its registers, range, tiling and where results end up.

use rusttorch_ir::plan::{ReduceInstr, Reg};
use smallvec::SmallVec;

/// Side of the square tiles an elementwise kernel walks when it reads a transposed input.
pub(super) const TILE: usize = 64;

/// One program run over one block.
pub(super) struct Block<'r, T> {
    /// Registers of the program's own file (`nregs * block` elements).
    pub(super) regs: &'r mut [T],
    /// Row registers read by `Expand` (full programs only).
    pub(super) rows: &'r [T],
    /// Register stride.
    pub(super) stride: usize,
    /// Elements in this block.
    pub(super) len: usize,
    /// Flat index of the block's first element in its space.
    pub(super) start: usize,
    /// Elements per row value when expanding (`len` when the block is one row's part).
    pub(super) expand_run: usize,
    /// Registers read after the program (reduction sources): their data pointers are left in
    /// `results`.
    pub(super) materialize: &'r [Reg],
    /// Where `materialize[i]` holds its values after the program (an input's memory when the
    /// register aliases it); entries past the 8th are copied into their registers instead.
    pub(super) results: [*const T; 8],
    /// The matrix product for this block (matmul kernels), `len` elements.
    pub(super) acc: *const T,
    /// A 2-d tile instead of a flat range: `(segment length, row stride)`; element `i` of the
    /// block is flat index `start + (i / seg) * row_stride + i % seg`.
    pub(super) tile: Option<(usize, usize)>,
    /// Per input, for tiled blocks: `Some(column stride)` when the input is stored transposed
    /// (unit stride down the tile's rows), so it is read a column at a time.
    pub(super) transposed: &'r [Option<isize>],
    /// For tiled blocks: flat index of the next tile this task runs minus `start` (0 when none);
    /// its inputs are prefetched while this tile is read.
    pub(super) next: isize,
    /// Write outputs with non-temporal stores (outputs far larger than the caches; the task
    /// ends with a store fence): full tile rows of tiled blocks, whole flat blocks.
    pub(super) stream: bool,
    /// The instruction (and output) that writes straight into the output (the plan's `direct_store`),
    /// settled by the caller once per program.
    pub(super) direct: Option<(usize, u16)>,
}

// `#[inline]` throughout: these run per block from the kernel shapes' files, which may land in
// other codegen units, where a plain call would not be inlined.
impl<'r, T> Block<'r, T> {
    /// A full-space block of `len` elements from flat index `start` (expanding row values over
    /// the whole block, no matmul tile, flat order); callers adjust the other fields.
    #[inline]
    pub(super) fn full(
        regs: &'r mut [T],
        rows: &'r [T],
        stride: usize,
        start: usize,
        len: usize,
        materialize: &'r [Reg],
    ) -> Self {
        Block {
            regs,
            rows,
            stride,
            len,
            start,
            expand_run: len,
            materialize,
            results: [std::ptr::null(); 8],
            acc: std::ptr::null(),
            tile: None,
            transposed: &[],
            next: 0,
            stream: false,
            direct: None,
        }
    }

    /// A row-space block of `len` row values from row `start`.
    #[inline]
    pub(super) fn row(regs: &'r mut [T], stride: usize, start: usize, len: usize) -> Self {
        Block { expand_run: 1, ..Block::full(regs, &[], stride, start, len, &[]) }
    }

    /// Where each reduction's source holds its values after `exec`.
    #[inline]
    pub(super) fn sources(&self, reduces: &[ReduceInstr]) -> SmallVec<[*const T; 8]> {
        reduces.iter().enumerate().map(|(i, red)| self.result(i, red.src)).collect()
    }

    /// Where reduction source `i` (register `r`) holds its values after `exec`.
    #[inline]
    pub(super) fn result(&self, i: usize, r: Reg) -> *const T {
        if i < 8 {
            self.results[i]
        } else {
            self.regs[r as usize * self.stride..].as_ptr()
        }
    }
}

/// The `len` values behind a [`Block::result`] pointer.
///
/// # Safety
/// `p` must come from the last `exec` on a block of at least `len` elements whose registers
/// (and inputs) have not been written since.
#[inline(always)]
pub(super) unsafe fn result<'a, T>(p: *const T, len: usize) -> &'a [T] {
    std::slice::from_raw_parts(p, len)
}
