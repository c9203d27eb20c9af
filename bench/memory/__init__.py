"""Memory: memray's peak bytes per case, each in a fresh worker process, and the pytest-memray guards."""
