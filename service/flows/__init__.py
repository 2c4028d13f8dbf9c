"""Flows: declared, durable integrations that move changed items from one legacy system to others.

flows/<name>.toml --(definition)--> trigger (poll or notification) --> items, split and keyed by XPath
--> the ledger and the queue (huey) --> a worker maps each item (XSLT) and calls the target operations
through the gateway's engine, once per item version (the idempotency keys), in order per key.
"""
