"""The gateway's HTTP edge: SOAP 1.1, SOAP 1.2 and JSON in, canonical answers or faults out."""

from .app import Gateway, create_app

__all__ = ["Gateway", "create_app"]
