"""Wire and state models shared by every workload (generator, Flink jobs, training)."""
