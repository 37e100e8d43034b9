"""``python -m benchmarks.compare``: runs the W-suite comparison (see ``cli``)."""

import sys

from .cli import main

sys.exit(main())
