"""Evaluation: datasets, metrics and reports written to outputs/."""
