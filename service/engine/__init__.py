"""The pipeline between the gateway's edge and the legacy systems."""

from .engine import Engine

__all__ = ["Engine"]
