"""Profiles: where a case spends its time (pyinstrument) and its C-level view (callgrind)."""
