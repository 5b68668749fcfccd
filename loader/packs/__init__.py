"""Packs on disk, checked without a database.

discover -> read -> schema -> normalise -> semantics, run by :mod:`loader.packs.pipeline`.
"""
