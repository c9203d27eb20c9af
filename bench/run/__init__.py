"""``pipebench run``'s engine: the instruments in turn into one run directory, and shards of a run."""
