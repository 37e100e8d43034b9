"""The public API: every name is documented, exported, and described in the type stubs."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import rusttorch as rt
from rusttorch import _rusttorch

STUB = Path(rt.__file__).with_name("_rusttorch.pyi")


def _stub_names() -> tuple[set[str], set[str]]:
    tree = ast.parse(STUB.read_text())
    top: set[str] = set()
    methods: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            top.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            top.add(node.target.id)
        if isinstance(node, ast.ClassDef):
            methods |= {
                f"{node.name}.{n.name}" for n in node.body if isinstance(n, ast.FunctionDef)
            }
    return top, methods


def test_every_native_name_is_exported_and_stubbed() -> None:
    native = {n for n in dir(_rusttorch) if not n.startswith("_")}
    assert native <= set(rt.__all__)
    top, _ = _stub_names()
    assert native <= top, native - top


def test_every_public_function_and_method_has_a_docstring() -> None:
    _, stub_methods = _stub_names()
    for name in rt.__all__:
        obj = getattr(rt, name)
        if callable(obj) and not name.startswith("_"):
            assert inspect.getdoc(obj), f"rusttorch.{name} has no docstring"
    for cls in (rt.Tensor, rt.dtype):
        for name, member in vars(cls).items():
            if name.startswith("_") or member is None:
                continue
            assert inspect.getdoc(member), f"{cls.__name__}.{name} has no docstring"
            assert f"{cls.__name__}.{name}" in stub_methods, (
                f"{cls.__name__}.{name} missing from the stubs"
            )


def test_functions_mirror_methods() -> None:
    for name in [
        "exp",
        "log",
        "sqrt",
        "rsqrt",
        "tanh",
        "sigmoid",
        "relu",
        "sin",
        "cos",
        "leaky_relu",
        "gelu",
        "softmax",
        "log_softmax",
        "sum",
        "mean",
        "max",
        "min",
        "maximum",
        "minimum",
    ]:
        assert callable(getattr(rt, name))
        assert callable(getattr(rt.Tensor, name))
