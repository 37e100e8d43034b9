"""Smoke test: the package and its native extension import and agree on the version."""

import re

import rusttorch
from rusttorch import _rusttorch


def test_version_is_a_version_string() -> None:
    assert isinstance(rusttorch.__version__, str)
    assert re.match(r"^\d+\.\d+\.\d+", rusttorch.__version__), rusttorch.__version__


def test_version_comes_from_native_module() -> None:
    assert rusttorch.__version__ == _rusttorch.__version__
