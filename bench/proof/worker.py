"""A proof worker: one comparison group built as it is measured, each variant's output against the reference's.

Run by :mod:`pipebench.proof.runner` as ``python -m pipebench.proof.worker SIZE OUTPUT REFERENCE [CASE...]``;
writes to OUTPUT a JSON object of each differing case's first difference (empty when all agree).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

from pipebench.matrix import all_cases, prepare
from pipebench.proof.equality import differences


def main(argv: Sequence[str]) -> int:
    """Prove the group named by ARGV; write the differences to ARGV[1]."""
    size, output, *case_ids = argv
    by_id = {case.id: case for case in all_cases(size)}
    reference, *variants = (prepare(by_id[case_id]) for case_id in case_ids)
    Path(output).write_text(json.dumps(differences(reference, variants)), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
