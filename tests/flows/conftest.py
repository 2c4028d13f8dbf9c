from tests.redisserver import redis_url

__all__ = ["redis_url"]
