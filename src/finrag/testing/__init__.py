"""Deterministic test doubles that are real implementations, and launchers for real servers."""
