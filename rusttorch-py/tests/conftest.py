"""Fixtures shared by the test modules (helpers live in helpers.py)."""

import pytest


@pytest.fixture(params=["float32", "float64"])
def dtype(request: pytest.FixtureRequest) -> str:
    """Both supported dtypes, by name."""
    return str(request.param)
