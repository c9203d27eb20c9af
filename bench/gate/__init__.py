"""The regression gate: what it reads, its options, its verdicts and how they are printed."""
