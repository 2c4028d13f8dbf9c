"""A real redis-server for the Redis plumbing (tests/redisserver.py)."""

from tests.redisserver import redis_url

__all__ = ["redis_url"]
