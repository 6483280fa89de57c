"""Offline training of the fraud Isolation Forest (``python -m jobs.train``)."""
