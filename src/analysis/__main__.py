"""``python -m analysis`` → :func:`analysis.cli.main`."""

import sys

from .cli import main

sys.exit(main())
