"""Reports of runs: analysis, plots, the report pages, the run table and exports for other tools."""
