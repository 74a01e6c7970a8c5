"""Benchmarks: `make bench` (reports in bench/results/, never timed assertions in tests)."""
