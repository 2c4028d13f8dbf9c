"""The integration tester's toolkit: validate, inspect, transform, check and mock, without a server."""
