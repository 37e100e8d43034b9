"""Every row of the op table (``rusttorch-ir/src/op/table.rs``) reaches Python whole: a function,
a ``Tensor`` method, a stub for each, a NumPy reference test in ``test_ops.py``; and the composite
rows agree with NumPy at the edge values (infinities, NaN, signed zeros, subnormals, extremes)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import rusttorch as rt
import test_ops
from helpers import assert_close

NAMES = rt._rusttorch._unary_op_names()
# `copy` is internal (Python has `contiguous()`).
BOUND = [n for n in NAMES if n != "copy"]
STUB = (Path(rt.__file__).parent / "_rusttorch.pyi").read_text()


def test_table_is_not_empty() -> None:
    assert {"exp", "neg", "silu", "mish"} <= set(NAMES)
    assert len(NAMES) == len(set(NAMES)), "a name appears twice in the op table"


@pytest.mark.parametrize("name", BOUND)
def test_every_op_has_function_method_and_stubs(name: str) -> None:
    assert callable(getattr(rt, name, None)), f"rusttorch.{name} is missing"
    assert name in rt.__all__, f"{name} is missing from rusttorch.__all__"
    assert callable(getattr(rt.Tensor, name, None)), f"Tensor.{name} is missing"
    assert re.search(rf"^    def {name}\(self\b", STUB, re.M), f"no stub for Tensor.{name}"
    assert re.search(rf"^def {name}\(input\b", STUB, re.M), f"no stub for rusttorch.{name}"


@pytest.mark.parametrize("name", BOUND)
def test_every_op_has_a_numpy_reference_test(name: str) -> None:
    assert name in test_ops.UNARY or name in _REFERENCE_ELSEWHERE, (
        f"{name}: add a row to test_ops.UNARY (the float64 NumPy reference)"
    )
    if name in test_ops.UNARY:
        assert name in test_ops.FUNCTIONAL, f"{name}: add it to test_ops.FUNCTIONAL"


# Ops tested against NumPy in their own files (bool results, rounding, int-only ops).
_REFERENCE_ELSEWHERE = {
    "logical_not": "test_dtypes.py",
    "bitwise_not": "test_dtypes.py",
    "isnan": "test_numerics.py",
    "isinf": "test_numerics.py",
    "isfinite": "test_numerics.py",
    "floor": "test_int_exact.py",
    "ceil": "test_int_exact.py",
    "trunc": "test_int_exact.py",
    "round": "test_int_exact.py",
    "silu": "test_composites.py",
    "expm1": "test_numerics.py",
    "log1p": "test_numerics.py",
    # The math library, against NumPy/SciPy in ulp (and round(decimals=) there too).
    **dict.fromkeys(
        [
            "log2",
            "log10",
            "exp2",
            "erf",
            "erfc",
            "erfinv",
            "atan",
            "asin",
            "acos",
            "tan",
            "sinh",
            "cosh",
            "asinh",
            "acosh",
            "atanh",
            "sign",
            "sgn",
            "signbit",
            "frac",
            "selu",
        ],
        "test_math_ops.py",
    ),
}

EDGES = [
    -np.inf,
    -1e30,
    -100.0,
    -20.0,
    -3.0,
    -1.0,
    -1e-40,
    -0.0,
    0.0,
    1e-40,
    0.5,
    3.0,
    20.0,
    100.0,
    1e30,
    np.inf,
    np.nan,
]

COMPOSITES = ["softsign", "relu6", "hardsigmoid", "hardswish", "logsigmoid", "mish"]


@pytest.mark.parametrize("fuse", [True, False], ids=["fused", "eager"])
@pytest.mark.parametrize("name", COMPOSITES)
def test_composite_edge_values(name: str, dtype: str, fuse: bool) -> None:
    _, ref, _, transcendental = test_ops.UNARY[name]
    x = np.array(EDGES, dtype=dtype)
    with np.errstate(all="ignore"):
        want = ref(x.astype(np.float64))
    got = getattr(rt, name)(rt.tensor(x)).eval(fuse=fuse).numpy()
    assert got.dtype == x.dtype
    assert_close(got, want.astype(dtype).astype(np.float64), dtype, transcendental)
    # Zeros computed from nonzero inputs carry NumPy's sign (of 0 * x, 0 / x...); a clamp of a
    # signed zero input may return either zero, in NumPy as in PyTorch.
    zeros = (want == 0) & (x != 0)
    np.testing.assert_array_equal(np.signbit(got[zeros]), np.signbit(want[zeros]))


@pytest.mark.parametrize("name", ["softsign", "hardsigmoid", "hardswish", "logsigmoid", "mish"])
def test_float_valued_composites_take_ints_and_refuse_bools(name: str) -> None:
    got = getattr(rt, name)(rt.tensor([-2, 0, 5]))
    assert got.dtype == rt.float32
    _, ref, _, transcendental = test_ops.UNARY[name]
    assert_close(got.numpy(), ref(np.array([-2.0, 0.0, 5.0])), "float32", transcendental)
    with pytest.raises(TypeError, match=rf"^{name} is not supported for dtype bool"):
        getattr(rt, name)(rt.tensor([True, False]))


def test_relu6_keeps_ints() -> None:
    got = rt.relu6(rt.tensor([-7, 3, 9]))
    assert got.dtype == rt.int64
    assert got.tolist() == [0, 3, 6]
    with pytest.raises(TypeError, match=r"^relu6 is not supported for dtype bool"):
        rt.relu6(rt.tensor([True]))


def test_composite_fuses_into_one_kernel() -> None:
    x = rt.tensor(np.linspace(-5, 5, 64, dtype=np.float32))
    plan = rt.explain(rt.hardswish(x) * 2.0 + 1.0)
    assert plan.count("kernel ") == 1, plan
