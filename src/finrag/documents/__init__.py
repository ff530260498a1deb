"""Parsing reports into the document model and chunking them into evidence."""
