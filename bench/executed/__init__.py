"""Change coverage: which functions each measured case executes, and which changed functions none does."""
