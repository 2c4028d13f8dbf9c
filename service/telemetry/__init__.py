"""What the gateway tells operators: the trace of each request, its log line and its metrics."""
