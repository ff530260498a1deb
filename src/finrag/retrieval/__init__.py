"""Hybrid retrieval: BM25 + vector search fused by reciprocal rank fusion (see fusion.py)."""
