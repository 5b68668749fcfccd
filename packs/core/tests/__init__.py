"""Tests of the core pack (a package so that ``python -m unittest`` discovers them)."""
