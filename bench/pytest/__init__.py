"""The pytest integration: the plugin (gate and options) and the pytest-benchmark suites."""
