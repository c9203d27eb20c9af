"""Entry point of ``python -m pipebench_pipeline``."""

import sys

from .cli import main

sys.exit(main())
