//! Printing values as PyTorch does (`tensor([[0.1234, 0.5678], ...])`): its print options,
//! its choice of fixed, integer-valued or scientific notation, its summarisation with `...`
//! and its line wrapping (`torch/_tensor_str.py`).

use crate::view::StridedView;
use crate::{DType, Error, Result, Scalar, Tensor};
use std::sync::{Mutex, PoisonError};

/// PyTorch's print options (`torch.set_printoptions`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrintOptions {
    /// Digits after the decimal point of floats.
    pub precision: usize,
    /// Tensors of more elements than this are summarised.
    pub threshold: usize,
    /// Items shown at each end of a summarised dim.
    pub edgeitems: usize,
    /// Characters per line before wrapping.
    pub linewidth: usize,
    /// Force (`Some(true)`) or forbid (`Some(false)`) scientific notation; `None` chooses.
    pub sci_mode: Option<bool>,
}

impl Default for PrintOptions {
    fn default() -> PrintOptions {
        PrintOptions { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sci_mode: None }
    }
}

static OPTIONS: Mutex<Option<PrintOptions>> = Mutex::new(None);

/// The process-wide print options.
pub fn print_options() -> PrintOptions {
    OPTIONS.lock().unwrap_or_else(PoisonError::into_inner).unwrap_or_default()
}

/// Replaces the process-wide print options.
pub fn set_print_options(options: PrintOptions) {
    *OPTIONS.lock().unwrap_or_else(PoisonError::into_inner) = Some(options);
}

/// How every element of one tensor is written (PyTorch's `_Formatter`).
struct Formatter {
    dtype: DType,
    int_mode: bool,
    sci_mode: bool,
    width: usize,
    precision: usize,
}

/// Python's `f"{v:.{p}e}"`: a signed exponent of at least two digits (`1.0000e+08`).
fn sci(v: f64, p: usize) -> String {
    if !v.is_finite() {
        return nonfinite(v);
    }
    let s = format!("{v:.p$e}");
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let (sign, digits) = exp.strip_prefix('-').map_or(("+", exp), |d| ("-", d));
    format!("{mantissa}e{sign}{digits:0>2}")
}

fn nonfinite(v: f64) -> String {
    if v.is_nan() {
        "nan".into()
    } else if v > 0.0 {
        "inf".into()
    } else {
        "-inf".into()
    }
}

fn fixed(v: f64, p: usize) -> String {
    if v.is_finite() {
        format!("{v:.p$}")
    } else {
        nonfinite(v)
    }
}

impl Formatter {
    fn new(dtype: DType, values: &[Scalar], opts: &PrintOptions) -> Formatter {
        let p = opts.precision;
        let mut f = Formatter { dtype, int_mode: true, sci_mode: false, width: 1, precision: p };
        if !dtype.is_float() {
            f.width = values.iter().map(|&v| f.plain(v).len()).max().unwrap_or(1).max(1);
            return f;
        }
        let finite: Vec<f64> = values.iter().map(|v| v.get()).filter(|v| v.is_finite() && *v != 0.0).collect();
        if !finite.is_empty() {
            let min = finite.iter().fold(f64::INFINITY, |a, v| a.min(v.abs()));
            let max = finite.iter().fold(0.0f64, |a, v| a.max(v.abs()));
            f.int_mode = finite.iter().all(|v| v.ceil() == *v);
            let wide = max / min > 1000.0 || max > 1.0e8;
            f.sci_mode = if f.int_mode { wide } else { wide || min < 1.0e-4 };
            f.width = finite
                .iter()
                .map(|&v| match (f.sci_mode, f.int_mode) {
                    (true, _) => sci(v, p).len(),
                    (false, true) => fixed(v, 0).len() + 1,
                    (false, false) => fixed(v, p).len(),
                })
                .max()
                .unwrap_or(1)
                .max(1);
        }
        if let Some(s) = opts.sci_mode {
            f.sci_mode = s;
        }
        f
    }

    /// The value without padding.
    fn plain(&self, v: Scalar) -> String {
        match self.dtype {
            DType::Bool => if v.get() != 0.0 { "True" } else { "False" }.into(),
            DType::U64 => v.as_int().map_or_else(|| v.get().to_string(), |i| (i as u64).to_string()),
            d if d.is_int() => v.as_int().map_or_else(|| v.get().to_string(), |i| i.to_string()),
            _ => {
                let x = v.get();
                if self.sci_mode {
                    sci(x, self.precision)
                } else if self.int_mode {
                    let s = fixed(x, 0);
                    if x.is_finite() {
                        s + "."
                    } else {
                        s
                    }
                } else {
                    fixed(x, self.precision)
                }
            }
        }
    }

    fn format(&self, v: Scalar) -> String {
        format!("{:>w$}", self.plain(v), w = self.width)
    }
}

/// Reads the elements of an evaluated tensor and writes them out.
struct Printer<'a> {
    view: &'a StridedView,
    dims: &'a [usize],
    opts: PrintOptions,
    summarize: bool,
}

impl Printer<'_> {
    /// The indices kept along a dim of size `n` (all, or the edge items).
    fn kept(&self, n: usize) -> (Vec<usize>, bool) {
        let e = self.opts.edgeitems;
        if self.summarize && n > 2 * e {
            ((0..e).chain(n - e..n).collect(), true)
        } else {
            ((0..n).collect(), false)
        }
    }

    /// Every element shown (what the formatter measures), in order.
    fn shown(&self, prefix: &mut Vec<usize>, out: &mut Vec<Scalar>) {
        if prefix.len() == self.dims.len() {
            out.push(self.view.element(prefix));
            return;
        }
        for i in self.kept(self.dims[prefix.len()]).0 {
            prefix.push(i);
            self.shown(prefix, out);
            prefix.pop();
        }
    }

    fn write(&self, prefix: &mut Vec<usize>, indent: usize, f: &Formatter) -> String {
        let dim = prefix.len();
        let n = self.dims[dim];
        let (kept, cut) = self.kept(n);
        let e = self.opts.edgeitems;
        if dim + 1 == self.dims.len() {
            let mut data: Vec<String> = Vec::new();
            if self.summarize && e == 0 && cut {
                data.push("...".into());
            } else {
                for (k, &i) in kept.iter().enumerate() {
                    if cut && k == e {
                        data.push(" ...".into());
                    }
                    prefix.push(i);
                    data.push(f.format(self.view.element(prefix)));
                    prefix.pop();
                }
            }
            let per_line = (self.opts.linewidth.saturating_sub(indent) / (f.width + 2)).max(1);
            let lines: Vec<String> = data.chunks(per_line).map(|c| c.join(", ")).collect();
            return format!("[{}]", lines.join(&format!(",\n{}", " ".repeat(indent + 1))));
        }
        let mut slices = Vec::new();
        for (k, &i) in kept.iter().enumerate() {
            if cut && k == e {
                slices.push("...".to_string());
            }
            prefix.push(i);
            slices.push(self.write(prefix, indent + 1, f));
            prefix.pop();
        }
        let rest = self.dims.len() - dim;
        format!("[{}]", slices.join(&format!(",{}{}", "\n".repeat(rest - 1), " ".repeat(indent + 1))))
    }
}

/// Whether PyTorch prints the dtype of a tensor of `dtype` (all but its defaults float32,
/// int64 and bool).
fn shows_dtype(dtype: DType) -> bool {
    !matches!(dtype, DType::F32 | DType::I64 | DType::Bool)
}

impl Tensor {
    /// The tensor's values as PyTorch prints them (`tensor([1., 2.], dtype=rusttorch.float64)`),
    /// with `options`. The tensor must be evaluated (or a view of an evaluated tensor): an
    /// [`Error::BadArgument`] otherwise.
    pub fn format_values(&self, options: &PrintOptions) -> Result<String> {
        let view = self.strided_view().ok_or_else(|| Error::BadArgument {
            op: "print",
            reason: "evaluate the tensor before printing it".into(),
        })?;
        let prefix = "tensor(";
        let mut suffixes = Vec::new();
        let body = if self.numel() == 0 {
            if self.ndim() != 1 {
                let dims: Vec<String> = self.dims().iter().map(|d| d.to_string()).collect();
                let tuple = if dims.len() == 1 { format!("({},)", dims[0]) } else { format!("({})", dims.join(", ")) };
                suffixes.push(format!("size={tuple}"));
            }
            if self.dtype() != DType::F32 {
                suffixes.push(format!("dtype=rusttorch.{}", self.dtype().name()));
            }
            "[]".to_string()
        } else {
            if shows_dtype(self.dtype()) {
                suffixes.push(format!("dtype=rusttorch.{}", self.dtype().name()));
            }
            let printer =
                Printer { view: &view, dims: self.dims(), opts: *options, summarize: self.numel() > options.threshold };
            let mut shown = Vec::new();
            printer.shown(&mut Vec::new(), &mut shown);
            let f = Formatter::new(self.dtype(), &shown, options);
            if self.ndim() == 0 {
                f.format(view.element(&[]))
            } else {
                printer.write(&mut Vec::new(), prefix.len(), &f)
            }
        };
        let mut out = format!("{prefix}{body}");
        // As PyTorch: with no newline `rfind` is -1 there, so the first line counts two extra.
        let mut last = (out.len() as isize - out.rfind('\n').map_or(-1, |i| i as isize) + 1) as usize;
        for s in suffixes {
            if last + s.len() + 2 > options.linewidth {
                out += &format!(",\n{}{s}", " ".repeat(prefix.len()));
                last = prefix.len() + s.len();
            } else {
                out += &format!(", {s}");
                last += s.len() + 2;
            }
        }
        Ok(out + ")")
    }
}
