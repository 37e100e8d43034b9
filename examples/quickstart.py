"""Quickstart placeholder: imports rusttorch and prints its version."""

import rusttorch

print(f"rusttorch {rusttorch.__version__}")
