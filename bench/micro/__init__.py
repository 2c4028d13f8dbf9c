"""Micro-benchmarks: one stage or one function at a time, in one process."""
