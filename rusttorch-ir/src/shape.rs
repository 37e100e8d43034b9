//! Shapes and strides. The rules that infer shapes (broadcasting, dim normalisation, each op's
//! output shape) are in [`crate::infer`].

use smallvec::SmallVec;
use std::fmt;

/// Dims stored inline up to this rank.
pub type Dims = SmallVec<[usize; 6]>;

/// The shape of a tensor: sizes of its dims, row-major (last dim contiguous).
#[derive(Eq, Default, PartialOrd, Ord)]
pub struct Shape(pub Dims);

impl PartialEq for Shape {
    fn eq(&self, other: &Shape) -> bool {
        // An inline loop: the derived slice comparison calls memcmp, which costs more than a
        // few dims (plan-cache hits compare every node's shape).
        self.0.len() == other.0.len() && self.0.iter().zip(other.0.iter()).all(|(a, b)| a == b)
    }
}

impl std::hash::Hash for Shape {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // As the derived impl: equal dims hash alike.
        self.0.hash(state)
    }
}

impl Clone for Shape {
    fn clone(&self) -> Shape {
        // A slice copy (SmallVec's derived clone goes through a generic, element-wise extend:
        // several times the instructions, and shapes are cloned on every op built).
        Shape(Dims::from_slice(&self.0))
    }
}

impl Shape {
    /// The 0-d shape of a scalar.
    pub fn scalar() -> Shape {
        Shape(Dims::new())
    }

    /// Number of dims.
    pub fn ndim(&self) -> usize {
        self.0.len()
    }

    /// The sizes of the dims.
    pub fn dims(&self) -> &[usize] {
        &self.0
    }

    /// Number of elements (1 for a 0-d shape).
    pub fn numel(&self) -> usize {
        self.0.iter().product()
    }

    /// Row-major contiguous strides, in elements.
    pub fn strides(&self) -> Dims {
        let mut s: Dims = smallvec::smallvec![0; self.ndim()];
        let mut acc = 1;
        for i in (0..self.ndim()).rev() {
            s[i] = acc;
            acc *= self.0[i];
        }
        s
    }

    /// Strides for reading a tensor of this shape as if broadcast to `target`: right-aligned,
    /// 0 where this shape has size 1 (or is missing) and `target` does not.
    pub fn broadcast_strides(&self, target: &Shape) -> Dims {
        let own = self.strides();
        let off = target.ndim() - self.ndim();
        let mut out: Dims = smallvec::smallvec![0; target.ndim()];
        for i in 0..self.ndim() {
            if self.0[i] != 1 || target.0[i + off] == 1 {
                out[i + off] = own[i];
            }
        }
        out
    }
}

impl From<&[usize]> for Shape {
    fn from(d: &[usize]) -> Shape {
        Shape(Dims::from_slice(d))
    }
}
impl<const N: usize> From<[usize; N]> for Shape {
    fn from(d: [usize; N]) -> Shape {
        Shape(Dims::from_slice(&d))
    }
}
impl From<Vec<usize>> for Shape {
    fn from(d: Vec<usize>) -> Shape {
        Shape(Dims::from_vec(d))
    }
}
impl From<usize> for Shape {
    fn from(d: usize) -> Shape {
        Shape(smallvec::smallvec![d])
    }
}
impl From<&Shape> for Shape {
    fn from(s: &Shape) -> Shape {
        s.clone()
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{d}")?;
        }
        f.write_str("]")
    }
}

impl fmt::Debug for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcast_strides_zero_out_expanded_dims() {
        let bias = Shape::from([3]);
        assert_eq!(bias.broadcast_strides(&Shape::from([2, 3])).as_slice(), &[0, 1]);
        let col = Shape::from([2, 1]);
        assert_eq!(col.broadcast_strides(&Shape::from([2, 3])).as_slice(), &[1, 0]);
    }
}
