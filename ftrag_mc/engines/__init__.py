"""Execution engines beyond the local thread pool (:mod:`ftrag_mc.simulate` runs blocks itself)."""
