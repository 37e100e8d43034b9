//! What a serialized graph's payload holds (nodes, outputs, leaf buffer specs), and how the
//! types that have no derived encoding are stored: dtypes and the op table's ops by name.
//!
//! The other op types derive their encoding (by variant position, see [`crate::Op`]). Dtypes
//! and table ops are stored by name so that new dtypes and new table rows, wherever they are
//! inserted, leave the encoding of the existing ones unchanged.

use crate::op::{GeluApprox, Scalar};
use crate::shape::Dims;
use crate::{BinaryOp, DType, Op, UnaryOp};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use smallvec::SmallVec;

/// The payload of a serialized graph, after the header.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Payload {
    /// Nodes in post-order: every operand comes before its users.
    pub nodes: Vec<NodeRecord>,
    /// Positions of the serialized tensors in `nodes`.
    pub outputs: Vec<u32>,
    /// The buffers that travel beside the blob, in order: what each must hold.
    pub leaves: Vec<LeafSpec>,
}

/// One node: its shape, dtype and note, and either its op and operands or its buffer.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct NodeRecord {
    /// The dims.
    pub shape: Dims,
    /// The element type.
    pub dtype: DType,
    /// The note `explain()` prints for it ([`crate::Tensor::note`]).
    pub note: Option<String>,
    /// What it is.
    pub body: Body,
}

/// What a node is.
#[derive(Debug, Serialize, Deserialize)]
pub(super) enum Body {
    /// An evaluated tensor (data, or a result already computed): leaf buffer number `.0`.
    Leaf(u32),
    /// A lazy node: `op` over the nodes at positions `operands` (all before it).
    Lazy {
        /// What it computes.
        op: Op,
        /// Positions of its operands.
        operands: SmallVec<[u32; 2]>,
    },
}

/// What one leaf buffer holds: `len` elements of `dtype`, contiguous, native byte order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeafSpec {
    /// The element type.
    pub dtype: DType,
    /// Number of elements.
    pub len: u64,
}

impl LeafSpec {
    /// Number of bytes the buffer must hold (`None` when that overflows).
    pub fn byte_len(&self) -> Option<usize> {
        usize::try_from(self.len).ok()?.checked_mul(self.dtype.size_of())
    }
}

impl Serialize for DType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for DType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<DType, D::Error> {
        let name = <&str>::deserialize(d)?;
        DType::from_name(name).ok_or_else(|| D::Error::custom(format!("unknown dtype '{name}'")))
    }
}

/// The parameter of a table op with one ([`UnaryOp::LeakyRelu`]'s slope, [`UnaryOp::Gelu`]'s
/// approximation). A row with a parameter of a new type needs a variant here and an
/// [`AsParam`] impl, or the table's encoding does not compile.
#[derive(Serialize, Deserialize)]
enum Param {
    /// The row has no parameter.
    None,
    /// A constant.
    Scalar(Scalar),
    /// A GELU approximation.
    Gelu(GeluApprox),
}

/// The parameter types of table rows.
trait AsParam: Sized {
    fn to_param(self) -> Param;
    fn from_param(p: Param) -> Option<Self>;
}

impl AsParam for Scalar {
    fn to_param(self) -> Param {
        Param::Scalar(self)
    }
    fn from_param(p: Param) -> Option<Self> {
        match p {
            Param::Scalar(s) => Some(s),
            _ => None,
        }
    }
}

impl AsParam for GeluApprox {
    fn to_param(self) -> Param {
        Param::Gelu(self)
    }
    fn from_param(p: Param) -> Option<Self> {
        match p {
            Param::Gelu(a) => Some(a),
            _ => None,
        }
    }
}

macro_rules! param_of {
    () => {
        Param::None
    };
    ($p:ident) => {
        AsParam::to_param($p)
    };
}

/// From the op table's rows: a unary op to its name and parameter, and back.
macro_rules! unary_names {
    ($($(#[$doc:meta])* $v:ident $(($p:ident : $pty:ty))?, $name:ident, $cost:literal, $rule:ident, $f:expr, grad $d:expr;)*) => {
        fn unary_to_record(op: UnaryOp) -> (&'static str, Param) {
            match op {
                $(UnaryOp::$v $(($p))? => (stringify!($name), param_of!($($p)?)),)*
            }
        }

        fn unary_from_record(name: &str, param: Param) -> Option<UnaryOp> {
            match (name, param) {
                $((stringify!($name), _param) => Some(UnaryOp::$v $((<$pty as AsParam>::from_param(_param)?))?),)*
                _ => None,
            }
        }
    };
}
crate::for_each_unary_op!(unary_names);

impl Serialize for UnaryOp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        unary_to_record(*self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for UnaryOp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<UnaryOp, D::Error> {
        let (name, param) = <(&str, Param)>::deserialize(d)?;
        unary_from_record(name, param).ok_or_else(|| D::Error::custom(format!("unknown unary op '{name}'")))
    }
}

impl Serialize for BinaryOp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.info().name)
    }
}

impl<'de> Deserialize<'de> for BinaryOp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<BinaryOp, D::Error> {
        let name = <&str>::deserialize(d)?;
        BinaryOp::ALL
            .iter()
            .copied()
            .find(|b| b.info().name == name)
            .ok_or_else(|| D::Error::custom(format!("unknown binary op '{name}'")))
    }
}
