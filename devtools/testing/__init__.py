"""Real servers for tests and local runs: a KRaft Kafka broker and a PostgreSQL server."""
