"""The benchmark harness: `scripts/bench` (see README, Performance)."""
