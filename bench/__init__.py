"""Reproducible benchmarks of the pack loader, with a synthetic pack generator."""
