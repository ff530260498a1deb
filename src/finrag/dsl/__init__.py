"""The FinRAG arithmetic DSL v2."""
