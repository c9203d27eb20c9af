"""Runs over commits: series and their steps, and bisecting the commit that moved a figure."""
