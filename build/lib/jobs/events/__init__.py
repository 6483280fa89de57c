"""Synthetic card-transaction stream with labelled fraud patterns (``python -m jobs.events``)."""
