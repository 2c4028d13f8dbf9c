"""A real redis-server for the Redis nonce store (tests/redisserver.py); SQLite needs nothing."""

from tests.redisserver import redis_url

__all__ = ["redis_url"]
