#!/usr/bin/env python3
"""Runs the W-suite comparison (``--suite ops``: the per-op rows), the package ``compare/`` beside
this file (``--help``)."""

import sys

# This script's directory is sys.path[0], and a package wins over a module of the same name.
from compare.cli import main

if __name__ == "__main__":
    sys.exit(main())
