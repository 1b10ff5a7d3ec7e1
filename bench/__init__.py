"""Benchmarks of the try-on platform: ratios measured in one run on one machine (`make bench`, bench/README.md)."""
