"""Where a count moved: two runs' callgrind profiles set side by side, function by function."""
