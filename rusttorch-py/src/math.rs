//! The elementwise math library's functions and `Tensor` methods that the op table's rows do
//! not generate: binary ops (`atan2`, `hypot`, `fmod`, `copysign`, `nextafter`, `logaddexp`,
//! `xlogy`, `lerp`, `isclose`, `allclose`, `equal`, `clip`) and unary ops with parameters
//! (`hardtanh`, `elu`, `celu`, `nan_to_num`, `round(decimals)`). Each delegates to
//! `rusttorch_ir::Tensor`.

use crate::args::{operand, TensorArg};
use crate::errors::{type_err, type_name};
use crate::handle::{build, PyTensor};
use crate::numpy::tensor_from_data;
use crate::tensor::{clamp_bound, to_numpy};
use pyo3::prelude::*;
use rusttorch_ir::tensor::Operand;
use rusttorch_ir::Tensor;

/// `obj` as an operand of `op` (a tensor, an array or a scalar; a `TypeError` otherwise).
fn operand_of(obj: &Bound<'_, PyAny>, op: &str) -> PyResult<Operand> {
    operand(obj, op)?.ok_or_else(|| type_err(format!("{op}: unsupported operand type '{}'", type_name(obj))))
}

/// `other` as a tensor next to `t` (a scalar takes `t`'s dtype unless its kind is higher, as
/// PyTorch's weak scalars).
fn other_of(t: &Tensor, other: &Bound<'_, PyAny>, op: &str) -> PyResult<Tensor> {
    Ok(operand_of(other, op)?.into_tensor(t))
}

/// The two operands of a binary function, either of which may be a tensor, an array or a
/// scalar.
fn pair(a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>, op: &str) -> PyResult<(Tensor, Tensor)> {
    if let Ok(t) = a.cast::<PyTensor>() {
        let t = t.get().tensor();
        let o = other_of(&t, b, op)?;
        Ok((t, o))
    } else if let Ok(t) = b.cast::<PyTensor>() {
        let t = t.get().tensor();
        Ok((other_of(&t, a, op)?, t))
    } else {
        let t = tensor_from_data(a, None)?;
        let o = other_of(&t, b, op)?;
        Ok((t, o))
    }
}

/// The value of a 0-d bool tensor, evaluated (`allclose`, `equal`).
fn truth(py: Python<'_>, t: PyTensor) -> PyResult<bool> {
    to_numpy(py, &t.tensor())?.call_method0("item")?.extract()
}

/// The binary ops of two operands: a function `rusttorch.<name>(input, other)` and a method
/// `Tensor.<name>(other)` each, delegating to `Tensor::<name>`.
macro_rules! binary_math {
    ($($(#[$doc:meta])* $name:ident;)*) => {
        $(
            $(#[$doc])*
            #[pyfunction]
            pub fn $name(input: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
                let (a, b) = pair(input, other, stringify!($name))?;
                build(|| a.$name(&b))
            }
        )*

        #[pymethods]
        impl PyTensor {
            $(
                $(#[$doc])*
                fn $name(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
                    let t = self.tensor();
                    let o = other_of(&t, other, stringify!($name))?;
                    build(|| t.$name(&o))
                }
            )*
        }

        /// Adds the binary math functions to the module.
        fn register_binary(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $(m.add_function(wrap_pyfunction!($name, m)?)?;)*
            Ok(())
        }
    };
}

binary_math! {
    /// ``atan(input / other)`` in the quadrant of the point ``(other, input)``.
    atan2;
    /// NumPy's name for ``atan2``.
    arctan2;
    /// ``sqrt(input**2 + other**2)`` without intermediate overflow or underflow.
    hypot;
    /// C's ``fmod``: the remainder of truncated division, with the dividend's sign.
    fmod;
    /// ``|input|`` with the sign bit of ``other`` (``-0.0`` counts as negative).
    copysign;
    /// The next representable value after ``input`` toward ``other`` (float tensors only).
    nextafter;
    /// ``log(exp(input) + exp(other))`` without overflow.
    logaddexp;
    /// ``log2(2**input + 2**other)`` without overflow.
    logaddexp2;
    /// ``input * log(other)``, and 0 where ``input == 0`` unless ``other`` is NaN.
    xlogy;
}

/// ``input + weight * (end - input)`` (``weight`` a scalar or a tensor), exact at
/// ``weight == 1``.
#[pyfunction]
pub fn lerp(input: &Bound<'_, PyAny>, end: &Bound<'_, PyAny>, weight: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
    let x = TensorArg::of("lerp", "input", input)?;
    let end = other_of(&x, end, "lerp")?;
    let w = operand_of(weight, "lerp")?;
    build(|| x.lerp(&end, w))
}

/// Whether ``|input - other| <= atol + rtol * |other|`` elementwise (bool).
#[pyfunction]
#[pyo3(signature = (input, other, rtol = 1e-05, atol = 1e-08, equal_nan = false))]
pub fn isclose(
    input: &Bound<'_, PyAny>,
    other: &Bound<'_, PyAny>,
    rtol: f64,
    atol: f64,
    equal_nan: bool,
) -> PyResult<PyTensor> {
    let x = TensorArg::of("isclose", "input", input)?;
    let o = other_of(&x, other, "isclose")?;
    build(|| x.isclose(&o, rtol, atol, equal_nan))
}

/// Whether every element of ``input`` is close to ``other`` (``isclose``), as a Python bool.
#[pyfunction]
#[pyo3(signature = (input, other, rtol = 1e-05, atol = 1e-08, equal_nan = false))]
pub fn allclose(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    other: &Bound<'_, PyAny>,
    rtol: f64,
    atol: f64,
    equal_nan: bool,
) -> PyResult<bool> {
    let x = TensorArg::of("allclose", "input", input)?;
    let o = other_of(&x, other, "allclose")?;
    truth(py, build(|| x.allclose(&o, rtol, atol, equal_nan))?)
}

/// Whether ``input`` and ``other`` have the same shape and equal elements, as a Python bool.
#[pyfunction]
pub fn equal(py: Python<'_>, input: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
    let x = TensorArg::of("equal", "input", input)?;
    let other = TensorArg::of("equal", "other", other)?;
    truth(py, build(|| x.equal(&other))?)
}

/// NumPy's name for ``clamp``.
#[pyfunction]
#[pyo3(signature = (input, min = None, max = None))]
pub fn clip(
    input: &Bound<'_, PyAny>,
    min: Option<&Bound<'_, PyAny>>,
    max: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    let x = TensorArg::of("clip", "input", input)?;
    let (lo, hi) = (clamp_bound(min)?, clamp_bound(max)?);
    build(|| x.clip(lo, hi))
}

/// ``input`` clamped to ``[min_val, max_val]``.
#[pyfunction]
#[pyo3(signature = (input, min_val = -1.0, max_val = 1.0))]
pub fn hardtanh(input: &Bound<'_, PyAny>, min_val: f64, max_val: f64) -> PyResult<PyTensor> {
    let x = TensorArg::of("hardtanh", "input", input)?;
    build(|| x.hardtanh(min_val, max_val))
}

/// ELU: ``input`` where ``input > 0``, else ``alpha * (exp(input) - 1)``.
#[pyfunction]
#[pyo3(signature = (input, alpha = 1.0))]
pub fn elu(input: &Bound<'_, PyAny>, alpha: f64) -> PyResult<PyTensor> {
    let x = TensorArg::of("elu", "input", input)?;
    build(|| x.elu(alpha))
}

/// CELU: ``input`` where ``input > 0``, else ``alpha * (exp(input / alpha) - 1)``.
#[pyfunction]
#[pyo3(signature = (input, alpha = 1.0))]
pub fn celu(input: &Bound<'_, PyAny>, alpha: f64) -> PyResult<PyTensor> {
    let x = TensorArg::of("celu", "input", input)?;
    build(|| x.celu(alpha))
}

/// NaN, ``+inf`` and ``-inf`` replaced by ``nan``, ``posinf`` and ``neginf`` (by default the
/// dtype's largest and lowest finite values).
#[pyfunction]
#[pyo3(signature = (input, nan = 0.0, posinf = None, neginf = None))]
pub fn nan_to_num(input: &Bound<'_, PyAny>, nan: f64, posinf: Option<f64>, neginf: Option<f64>) -> PyResult<PyTensor> {
    let x = TensorArg::of("nan_to_num", "input", input)?;
    build(|| x.nan_to_num(nan, posinf, neginf))
}

/// Rounds half to even, at ``decimals`` decimal digits.
#[pyfunction]
#[pyo3(signature = (input, decimals = 0))]
pub fn round(input: &Bound<'_, PyAny>, decimals: i64) -> PyResult<PyTensor> {
    let x = TensorArg::of("round", "input", input)?;
    build(|| x.round_decimals(decimals))
}

#[pymethods]
impl PyTensor {
    /// ``self + weight * (end - self)`` (``weight`` a scalar or a tensor).
    fn lerp(&self, end: &Bound<'_, PyAny>, weight: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let t = self.tensor();
        let end = other_of(&t, end, "lerp")?;
        let w = operand_of(weight, "lerp")?;
        build(|| t.lerp(&end, w))
    }
    /// Whether ``|self - other| <= atol + rtol * |other|`` elementwise (bool).
    #[pyo3(signature = (other, rtol = 1e-05, atol = 1e-08, equal_nan = false))]
    fn isclose(&self, other: &Bound<'_, PyAny>, rtol: f64, atol: f64, equal_nan: bool) -> PyResult<PyTensor> {
        let t = self.tensor();
        let o = other_of(&t, other, "isclose")?;
        build(|| t.isclose(&o, rtol, atol, equal_nan))
    }
    /// Whether every element is close to ``other`` (``isclose``), as a Python bool.
    #[pyo3(signature = (other, rtol = 1e-05, atol = 1e-08, equal_nan = false))]
    fn allclose(
        &self,
        py: Python<'_>,
        other: &Bound<'_, PyAny>,
        rtol: f64,
        atol: f64,
        equal_nan: bool,
    ) -> PyResult<bool> {
        let t = self.tensor();
        let o = other_of(&t, other, "allclose")?;
        truth(py, build(|| t.allclose(&o, rtol, atol, equal_nan))?)
    }
    /// Whether ``other`` has this shape and equal elements, as a Python bool.
    fn equal(&self, py: Python<'_>, other: TensorArg) -> PyResult<bool> {
        let t = self.tensor();
        truth(py, build(|| t.equal(&other.0))?)
    }
    /// NumPy's name for ``clamp``.
    #[pyo3(signature = (min = None, max = None))]
    fn clip(&self, min: Option<&Bound<'_, PyAny>>, max: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
        let (lo, hi) = (clamp_bound(min)?, clamp_bound(max)?);
        build(|| self.tensor().clip(lo, hi))
    }
    /// ``self`` clamped to ``[min_val, max_val]``.
    #[pyo3(signature = (min_val = -1.0, max_val = 1.0))]
    fn hardtanh(&self, min_val: f64, max_val: f64) -> PyResult<PyTensor> {
        build(|| self.tensor().hardtanh(min_val, max_val))
    }
    /// ELU: ``self`` where ``self > 0``, else ``alpha * (exp(self) - 1)``.
    #[pyo3(signature = (alpha = 1.0))]
    fn elu(&self, alpha: f64) -> PyResult<PyTensor> {
        build(|| self.tensor().elu(alpha))
    }
    /// CELU: ``self`` where ``self > 0``, else ``alpha * (exp(self / alpha) - 1)``.
    #[pyo3(signature = (alpha = 1.0))]
    fn celu(&self, alpha: f64) -> PyResult<PyTensor> {
        build(|| self.tensor().celu(alpha))
    }
    /// NaN, ``+inf`` and ``-inf`` replaced by ``nan``, ``posinf`` and ``neginf``.
    #[pyo3(signature = (nan = 0.0, posinf = None, neginf = None))]
    fn nan_to_num(&self, nan: f64, posinf: Option<f64>, neginf: Option<f64>) -> PyResult<PyTensor> {
        build(|| self.tensor().nan_to_num(nan, posinf, neginf))
    }
    /// Rounds half to even, at ``decimals`` decimal digits.
    #[pyo3(signature = (decimals = 0))]
    fn round(&self, decimals: i64) -> PyResult<PyTensor> {
        build(|| self.tensor().round_decimals(decimals))
    }
}

/// Adds the math library's functions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    register_binary(m)?;
    for f in [
        wrap_pyfunction!(lerp, m)?,
        wrap_pyfunction!(isclose, m)?,
        wrap_pyfunction!(allclose, m)?,
        wrap_pyfunction!(equal, m)?,
        wrap_pyfunction!(clip, m)?,
        wrap_pyfunction!(hardtanh, m)?,
        wrap_pyfunction!(elu, m)?,
        wrap_pyfunction!(celu, m)?,
        wrap_pyfunction!(nan_to_num, m)?,
        wrap_pyfunction!(round, m)?,
    ] {
        m.add_function(f)?;
    }
    Ok(())
}
