"""Entry point of ``python -m bench`` (the same as ``pipebench``)."""

import sys

from bench.cli import main

sys.exit(main())
