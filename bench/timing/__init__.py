"""Timing: pyperf values of each comparison group, its variants interleaved round by round in fresh worker processes."""
