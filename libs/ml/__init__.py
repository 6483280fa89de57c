"""The Isolation Forest as plain arrays: export, checksummed artifact, exact fast scoring."""
