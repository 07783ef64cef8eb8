"""Benchmarks: `make bench` runs `python -m bench`. Figures are ratios measured in one run."""
