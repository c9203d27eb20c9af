"""Proof before figures: every variant's output equal to its reference's on the very input that is measured."""
