"""Operating Fanfare: Prometheus metrics and structured logs."""
