//! Ops, grouped by kind, and the one table of per-op facts.
//!
//! Adding an elementwise op means: a variant here, a row in its `info()` table, and its scalar
//! reference in [`UnaryOp::apply_f64`]/[`BinaryOp::apply_f64`]. Passes match on the kind
//! ([`Op::Unary`], [`Op::Binary`], ...), never on individual ops.

use crate::{DType, Element};
use smallvec::SmallVec;
use std::fmt;

/// The value of a constant: an exact `i64` for integers and bools, an `f64` for floats.
///
/// Integer constants are held exactly, never through an `f64`, so `int64_tensor // (2**60 + 1)`
/// divides by that value and not by the nearest double. [`Scalar::cast`] converts a value with
/// the one cast rule of [`crate::Tensor::cast`]; a constant node holds the value cast to its
/// dtype, so equal constants compare (and hash) equal and CSE is a hash lookup.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Scalar(Value);

/// Floats by their bits (so `Scalar` can be `Eq + Hash`), integers as they are.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Value {
    Float(u64),
    Int(i64),
}

impl Scalar {
    /// A float; `-0.0` and `0.0` stay distinct, all NaNs are made one NaN.
    pub fn new(v: f64) -> Scalar {
        Scalar(Value::Float(if v.is_nan() { f64::NAN.to_bits() } else { v.to_bits() }))
    }
    /// An integer, held exactly.
    pub fn int(v: i64) -> Scalar {
        Scalar(Value::Int(v))
    }
    /// The value as an `f64` (an integer beyond 2^53 rounds to the nearest double).
    pub fn get(self) -> f64 {
        match self.0 {
            Value::Float(b) => f64::from_bits(b),
            Value::Int(i) => i as f64,
        }
    }
    /// The value if it is an integer (or a bool), exactly.
    pub fn as_int(self) -> Option<i64> {
        match self.0 {
            Value::Float(_) => None,
            Value::Int(i) => Some(i),
        }
    }
    /// The value converted to `T` by the cast rule ([`Element::from_f64`] for floats,
    /// [`Element::from_i64`] for integers): what a kernel of element type `T` computes with.
    #[inline]
    pub fn to<T: Element>(self) -> T {
        match self.0 {
            Value::Float(b) => T::from_f64(f64::from_bits(b)),
            Value::Int(i) => T::from_i64(i),
        }
    }
    /// The value converted to `dtype` by the cast rule: float to int truncates and saturates
    /// (NaN is 0), int to a narrower int wraps, int to float rounds to nearest, anything to bool
    /// is `!= 0`. Floats stay floats and ints (and bools) ints.
    pub fn cast(self, dtype: DType) -> Scalar {
        match dtype {
            DType::F32 => Scalar::new(f64::from(self.to::<f32>())),
            DType::F64 => Scalar::new(self.to::<f64>()),
            DType::I32 => Scalar::int(i64::from(self.to::<i32>())),
            DType::I64 => Scalar::int(self.to::<i64>()),
            DType::Bool => Scalar::int(i64::from(self.to::<bool>())),
        }
    }
}

impl From<f64> for Scalar {
    fn from(v: f64) -> Scalar {
        Scalar::new(v)
    }
}
impl From<f32> for Scalar {
    fn from(v: f32) -> Scalar {
        Scalar::new(f64::from(v))
    }
}
impl From<i64> for Scalar {
    fn from(v: i64) -> Scalar {
        Scalar::int(v)
    }
}
impl From<i32> for Scalar {
    fn from(v: i32) -> Scalar {
        Scalar::int(i64::from(v))
    }
}
impl From<bool> for Scalar {
    fn from(v: bool) -> Scalar {
        Scalar::int(i64::from(v))
    }
}

impl fmt::Debug for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Value::Float(b) => write!(f, "{}", f64::from_bits(b)),
            Value::Int(i) => write!(f, "{i}"),
        }
    }
}

/// The approximation used by `gelu`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GeluApprox {
    /// `0.5 x (1 + erf(x / sqrt 2))`, the exact form.
    Erf,
    /// `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`.
    Tanh,
}

/// Elementwise ops of one operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `|x|`
    Abs,
    /// `e^x`
    Exp,
    /// natural log
    Log,
    /// `ln(1 + x)`, accurate for small `x`
    Log1p,
    /// `e^x - 1`, accurate for small `x`
    Expm1,
    /// square root
    Sqrt,
    /// `1/sqrt(x)`
    Rsqrt,
    /// `1/x`
    Recip,
    /// hyperbolic tangent
    Tanh,
    /// `1/(1+e^-x)`
    Sigmoid,
    /// `max(x, 0)`
    Relu,
    /// `x if x >= 0 else slope*x`
    LeakyRelu(Scalar),
    /// Gaussian error linear unit
    Gelu(GeluApprox),
    /// sine
    Sin,
    /// cosine
    Cos,
    /// `x*x` (what `x**2` lowers to)
    Square,
    /// `x` itself, written out contiguously (materialises a strided view).
    Copy,
    /// Largest integer `<= x`.
    Floor,
    /// Smallest integer `>= x`.
    Ceil,
    /// Integer part (rounds toward zero).
    Trunc,
    /// Nearest integer, ties to even (as NumPy and PyTorch round).
    Round,
    /// Logical not of a bool held as 0/1 (`~` on bools).
    LogicalNot,
    /// Bitwise not of an integer (`~` on ints).
    BitNot,
}

/// Facts about one op, kept in one place.
#[derive(Clone, Copy, Debug)]
pub struct OpInfo {
    /// Name as printed in plans and errors.
    pub name: &'static str,
    /// Rough cost per element in "simple flops" (add = 1); drives the recompute rule.
    pub cost: u32,
}

impl UnaryOp {
    /// The per-op facts.
    pub fn info(self) -> OpInfo {
        use UnaryOp::*;
        let (name, cost) = match self {
            Neg => ("neg", 1),
            Abs => ("abs", 1),
            Exp => ("exp", 8),
            Log => ("log", 8),
            Log1p => ("log1p", 10),
            Expm1 => ("expm1", 10),
            Sqrt => ("sqrt", 4),
            Rsqrt => ("rsqrt", 5),
            Recip => ("recip", 4),
            Tanh => ("tanh", 10),
            Sigmoid => ("sigmoid", 10),
            Relu => ("relu", 1),
            LeakyRelu(_) => ("leaky_relu", 2),
            Gelu(GeluApprox::Tanh) => ("gelu_tanh", 14),
            Gelu(GeluApprox::Erf) => ("gelu", 14),
            Sin => ("sin", 10),
            Cos => ("cos", 10),
            Square => ("square", 1),
            Copy => ("copy", 0),
            Floor => ("floor", 1),
            Ceil => ("ceil", 1),
            Trunc => ("trunc", 1),
            Round => ("round", 1),
            LogicalNot => ("logical_not", 1),
            BitNot => ("bitwise_not", 1),
        };
        OpInfo { name, cost }
    }

    /// Scalar reference implementation in f64 (the oracle for tests, and constant folding).
    pub fn apply_f64(self, x: f64) -> f64 {
        use UnaryOp::*;
        match self {
            Neg => -x,
            Abs => x.abs(),
            Exp => x.exp(),
            Log => x.ln(),
            Log1p => x.ln_1p(),
            Expm1 => x.exp_m1(),
            Sqrt => x.sqrt(),
            Rsqrt => 1.0 / x.sqrt(),
            Recip => 1.0 / x,
            Tanh => x.tanh(),
            Sigmoid => sigmoid_f64(x),
            Relu => {
                if x > 0.0 || x.is_nan() {
                    x
                } else {
                    0.0
                }
            }
            LeakyRelu(s) => {
                if x >= 0.0 || x.is_nan() {
                    x
                } else {
                    x * s.get()
                }
            }
            Gelu(GeluApprox::Tanh) => gelu_tanh_f64(x),
            Gelu(GeluApprox::Erf) => gelu_erf_f64(x),
            Sin => x.sin(),
            Cos => x.cos(),
            Square => x * x,
            Copy => x,
            Floor => x.floor(),
            Ceil => x.ceil(),
            Trunc => x.trunc(),
            Round => x.round_ties_even(),
            LogicalNot => f64::from(x == 0.0),
            BitNot => !(x as i64) as f64,
        }
    }
}

/// `erf` in f64 (the `libm` crate's port of FreeBSD's, under 1 ulp).
pub fn erf_f64(x: f64) -> f64 {
    libm::erf(x)
}

/// Exact GELU in f64, `x Φ(x)` with `2Φ(x) = erfc(-x/√2)`: `1 + erf(x/√2)` would cancel for
/// negative `x`, `erfc` keeps full relative accuracy.
pub fn gelu_erf_f64(x: f64) -> f64 {
    0.5 * x * libm::erfc(-x * std::f64::consts::FRAC_1_SQRT_2)
}

/// The constant of the tanh form of GELU, `sqrt(2/pi)`.
pub const GELU_TANH_C: f64 = 0.797_884_560_802_865_4;

/// Tanh-approximated GELU in f64, `0.5 x (1 + tanh(u))` with `u = sqrt(2/pi) (x + 0.044715 x^3)`,
/// computed as the equal `x sigmoid(2u)`: no cancellation for negative `x`, and `-0.0` and the
/// saturated ends (`-1e6` gives `-0.0`, `+inf` gives `+inf`) come out exactly.
pub fn gelu_tanh_f64(x: f64) -> f64 {
    x * sigmoid_f64(2.0 * GELU_TANH_C * (x + 0.044715 * x * x * x))
}

/// `1 / (1 + e^-x)` in f64 from `e = e^-|x|` (never overflows): `e / (1 + e)` below 0 keeps the
/// tiny results that `1 / (1 + e^-x)` turns into `1/inf = 0`.
pub fn sigmoid_f64(x: f64) -> f64 {
    let e = (-x.abs()).exp();
    let r = 1.0 / (1.0 + e);
    if x >= 0.0 {
        r
    } else {
        e * r
    }
}

/// Elementwise ops of two operands (broadcasting).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `a + b`
    Add,
    /// `a - b`
    Sub,
    /// `a * b`
    Mul,
    /// `a / b`
    Div,
    /// `a ** b`
    Pow,
    /// elementwise max (NaN propagates)
    Maximum,
    /// elementwise min (NaN propagates)
    Minimum,
    /// `floor(a / b)` with Python's signs (integer `x // 0` is 0, as NumPy).
    FloorDiv,
    /// `a - floor(a / b) * b`: the remainder takes the divisor's sign, as Python's `%`
    /// (integer `x % 0` is 0, as NumPy).
    Rem,
    /// `a < b` (bool result)
    Lt,
    /// `a <= b` (bool result)
    Le,
    /// `a > b` (bool result)
    Gt,
    /// `a >= b` (bool result)
    Ge,
    /// `a == b` (bool result)
    Eq,
    /// `a != b` (bool result)
    Ne,
    /// Bitwise and on ints, logical and on bools.
    And,
    /// Bitwise or on ints, logical or on bools.
    Or,
    /// Bitwise xor on ints, logical xor on bools.
    Xor,
}

impl BinaryOp {
    /// The per-op facts.
    pub fn info(self) -> OpInfo {
        use BinaryOp::*;
        let (name, cost) = match self {
            Add => ("add", 1),
            Sub => ("sub", 1),
            Mul => ("mul", 1),
            Div => ("div", 4),
            Pow => ("pow", 16),
            Maximum => ("maximum", 1),
            Minimum => ("minimum", 1),
            FloorDiv => ("floor_divide", 6),
            Rem => ("remainder", 6),
            Lt => ("lt", 1),
            Le => ("le", 1),
            Gt => ("gt", 1),
            Ge => ("ge", 1),
            Eq => ("eq", 1),
            Ne => ("ne", 1),
            And => ("and", 1),
            Or => ("or", 1),
            Xor => ("xor", 1),
        };
        OpInfo { name, cost }
    }

    /// Whether `a op b == b op a`.
    pub fn is_commutative(self) -> bool {
        use BinaryOp::*;
        matches!(self, Add | Mul | Maximum | Minimum | Eq | Ne | And | Or | Xor)
    }

    /// Whether the result is a bool (a comparison).
    pub fn is_comparison(self) -> bool {
        use BinaryOp::*;
        matches!(self, Lt | Le | Gt | Ge | Eq | Ne)
    }

    /// Whether the op is bitwise/logical (ints and bools only).
    pub fn is_bitwise(self) -> bool {
        matches!(self, BinaryOp::And | BinaryOp::Or | BinaryOp::Xor)
    }

    /// Scalar reference implementation in f64.
    pub fn apply_f64(self, a: f64, b: f64) -> f64 {
        use BinaryOp::*;
        match self {
            Add => a + b,
            Sub => a - b,
            Mul => a * b,
            Div => a / b,
            Pow => a.powf(b),
            Maximum => {
                if a.is_nan() || b.is_nan() {
                    f64::NAN
                } else {
                    a.max(b)
                }
            }
            Minimum => {
                if a.is_nan() || b.is_nan() {
                    f64::NAN
                } else {
                    a.min(b)
                }
            }
            FloorDiv => py_divmod(a, b).0,
            Rem => py_divmod(a, b).1,
            Lt => f64::from(a < b),
            Le => f64::from(a <= b),
            Gt => f64::from(a > b),
            Ge => f64::from(a >= b),
            Eq => f64::from(a == b),
            Ne => f64::from(a != b),
            And => ((a as i64) & (b as i64)) as f64,
            Or => ((a as i64) | (b as i64)) as f64,
            Xor => ((a as i64) ^ (b as i64)) as f64,
        }
    }
}

/// Python's float `divmod` (NumPy's `npy_divmod`): the quotient is floored, the remainder takes
/// the divisor's sign; `b == 0` gives `(a / b, NaN)`.
pub fn py_divmod(a: f64, b: f64) -> (f64, f64) {
    if b == 0.0 {
        return (a / b, f64::NAN);
    }
    let mut m = a % b;
    let mut div = (a - m) / b;
    if m != 0.0 {
        if (b < 0.0) != (m < 0.0) {
            m += b;
            div -= 1.0;
        }
    } else {
        m = 0.0f64.copysign(b);
    }
    let q = if div != 0.0 {
        let f = div.floor();
        if div - f > 0.5 {
            f + 1.0
        } else {
            f
        }
    } else {
        0.0f64.copysign(a / b)
    };
    (q, m)
}

/// Reductions. `mean` is lowered to `sum * (1/n)` when it is built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReduceOp {
    /// Sum (identity 0).
    Sum,
    /// Maximum (no identity: reducing an empty dim is an error); NaN propagates.
    Max,
    /// Minimum (no identity); NaN propagates.
    Min,
}

impl ReduceOp {
    /// Name as printed.
    pub fn name(self) -> &'static str {
        match self {
            ReduceOp::Sum => "sum",
            ReduceOp::Max => "max",
            ReduceOp::Min => "min",
        }
    }
    /// The identity used to start an accumulation.
    pub fn identity(self) -> f64 {
        match self {
            ReduceOp::Sum => 0.0,
            ReduceOp::Max => f64::NEG_INFINITY,
            ReduceOp::Min => f64::INFINITY,
        }
    }
    /// Combines two partial results (NaN-propagating for max/min).
    pub fn combine_f64(self, a: f64, b: f64) -> f64 {
        match self {
            ReduceOp::Sum => a + b,
            ReduceOp::Max => BinaryOp::Maximum.apply_f64(a, b),
            ReduceOp::Min => BinaryOp::Minimum.apply_f64(a, b),
        }
    }
}

/// Index-of-extreme reductions (`argmax`, `argmin`): the first index of the largest (smallest)
/// value along one dim, as int64; a NaN counts as the extreme (its first index wins).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArgOp {
    /// First index of the maximum.
    Max,
    /// First index of the minimum.
    Min,
}

/// Leaves of the graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SourceOp {
    /// An external buffer (or a placeholder bound at run time); the index is its input slot.
    Input(usize),
    /// Every element equal to one value (a scalar constant is the 0-d case).
    Full(Scalar),
    /// `start + step * i` along a 1-d shape.
    Arange {
        /// First value.
        start: Scalar,
        /// Increment.
        step: Scalar,
    },
}

/// Operations on a node's inputs, grouped by kind.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// A leaf.
    Source(SourceOp),
    /// Elementwise, one operand.
    Unary(UnaryOp),
    /// Elementwise, two operands broadcast to a common shape.
    Binary(BinaryOp),
    /// Elementwise `cond ? a : b` over operands `(cond, a, b)` broadcast to a common shape.
    Where,
    /// `argmax`/`argmin` along `dim` (int64 result).
    ArgReduce {
        /// Which extreme.
        op: ArgOp,
        /// The reduced dim.
        dim: usize,
        /// Whether it stays as size 1.
        keepdim: bool,
    },
    /// Reduction over a contiguous run of dims `axes` (sorted); `keepdim` keeps them as size 1.
    Reduce {
        /// What to reduce with.
        op: ReduceOp,
        /// Reduced dims: a non-empty, sorted run of consecutive dims.
        axes: SmallVec<[usize; 4]>,
        /// Whether reduced dims stay as size-1 dims.
        keepdim: bool,
    },
    /// Same elements in the same order under another shape.
    Reshape,
    /// Elementwise conversion to another dtype (`as` semantics: float to int saturates, NaN
    /// becomes 0).
    Cast(DType),
    /// Batched matrix product `[.., m, k] @ [.., k, n] -> [.., m, n]` (batch dims broadcast).
    MatMul,
    /// Concatenation of `parts` operands along `dim` (their other dims are equal).
    Concat {
        /// The joined dim.
        dim: usize,
        /// Number of operands.
        parts: usize,
    },
    /// View with dims reordered: output dim `i` is input dim `perm[i]`.
    Permute(SmallVec<[usize; 6]>),
    /// View broadcasting size-1 (or missing leading) dims to the node's shape.
    Expand,
    /// View of every `step`-th element of `dim` from `start` (a negative step walks backwards).
    Slice {
        /// The sliced dim.
        dim: usize,
        /// First index taken.
        start: usize,
        /// Step between taken indices (non-zero).
        step: isize,
    },
}

impl Op {
    /// Name as printed in plans.
    pub fn name(&self) -> String {
        match self {
            Op::Source(SourceOp::Input(i)) => format!("input{i}"),
            Op::Source(SourceOp::Full(v)) => format!("full({v})"),
            Op::Source(SourceOp::Arange { start, step }) => format!("arange({start}, step={step})"),
            Op::Unary(UnaryOp::LeakyRelu(s)) => format!("leaky_relu({s})"),
            Op::Unary(u) => u.info().name.to_string(),
            Op::Binary(b) => b.info().name.to_string(),
            Op::Where => "where".to_string(),
            Op::ArgReduce { op, dim, keepdim } => {
                let n = if *op == ArgOp::Max { "argmax" } else { "argmin" };
                format!("{n}[{dim}]{}", if *keepdim { " keepdim" } else { "" })
            }
            Op::Reduce { op, axes, keepdim } => {
                let ax: Vec<String> = axes.iter().map(|a| a.to_string()).collect();
                format!("{}[{}]{}", op.name(), ax.join(","), if *keepdim { " keepdim" } else { "" })
            }
            Op::Reshape => "reshape".to_string(),
            Op::Cast(d) => format!("cast({d})"),
            Op::MatMul => "matmul".to_string(),
            Op::Permute(p) => format!("permute{:?}", p.as_slice()),
            Op::Expand => "expand".to_string(),
            Op::Concat { dim, parts } => format!("cat(dim={dim}, {parts} parts)"),
            Op::Slice { dim, start, step } => format!("slice(dim={dim}, start={start}, step={step})"),
        }
    }

    /// Rough cost per element; sources and reshapes are free.
    pub fn cost(&self) -> u32 {
        match self {
            Op::Unary(u) => u.info().cost,
            Op::Binary(b) => b.info().cost,
            Op::Reduce { .. } | Op::Cast(_) | Op::Where | Op::ArgReduce { .. } => 1,
            Op::MatMul => 1000,
            Op::Concat { .. } => 1,
            Op::Source(_) | Op::Reshape | Op::Permute(_) | Op::Expand | Op::Slice { .. } => 0,
        }
    }

    /// Whether the op is computed per element (unary, binary or `where`).
    pub fn is_elementwise(&self) -> bool {
        matches!(self, Op::Unary(_) | Op::Binary(_) | Op::Where)
    }

    /// Whether the op only reinterprets its operand's elements (a view: no computation).
    pub fn is_movement(&self) -> bool {
        matches!(self, Op::Reshape | Op::Permute(_) | Op::Expand | Op::Slice { .. })
    }

    /// Number of operands.
    pub fn arity(&self) -> usize {
        match self {
            Op::Source(_) => 0,
            Op::Unary(_) | Op::Reduce { .. } | Op::Reshape | Op::Cast(_) | Op::ArgReduce { .. } => 1,
            Op::Permute(_) | Op::Expand | Op::Slice { .. } => 1,
            Op::Binary(_) | Op::MatMul => 2,
            Op::Where => 3,
            Op::Concat { parts, .. } => *parts,
        }
    }
}
