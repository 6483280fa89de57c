"""The PyFlink jobs: transaction-processor, fraud-detector, realtime-aggregator."""
