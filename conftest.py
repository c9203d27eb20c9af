"""Repository-wide pytest configuration: load pipebench's pytest plugin."""

pytest_plugins = ["bench.pytest_plugin"]
