"""StreamFlow workloads: domain models, event generator, migrations, streaming jobs."""
