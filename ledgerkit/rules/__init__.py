"""Rules: the registry of finding codes, marks on rows, and validation of the measures table."""
