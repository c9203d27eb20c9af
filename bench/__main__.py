"""Entry point of ``python -m pipebench`` (the same as ``pipebench``)."""

import sys

from pipebench.cli import main

sys.exit(main())
