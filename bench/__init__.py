"""pipebench's harness: cases, runners, results, statistics, reports and the CLI.

Data flows one way: the matrix declares :class:`~bench.cases.Case` objects, workloads
prepare them, runners measure them, and the command line prints what they found.
"""

from bench.cases import Case, expand, select
from bench.matrix import SUITES, all_cases

__all__ = ["SUITES", "Case", "all_cases", "expand", "select"]
