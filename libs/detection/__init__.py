"""The fraud-scoring core: features, rules FR-001..FR-005 and the ML blend.

Plain functions over ``(state, transaction)``, independent of Flink, so they
are unit-tested and benchmarked on their own; the Flink job is a thin wrapper.
"""
