"""Counts: instructions and allocator calls per call under valgrind's callgrind, and its profile files."""
