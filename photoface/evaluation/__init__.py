"""Measuring photoface: data set readers and metrics shared by tests, benchmarks and training."""
