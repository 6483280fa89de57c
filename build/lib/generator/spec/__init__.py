"""Pydantic models of the platform spec and the loader that merges environments."""
