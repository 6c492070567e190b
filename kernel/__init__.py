"""The kernel: what every other layer builds on and nothing of ours is below.

The database base and session helpers, the durable inbox (webhook bodies stored before they are
answered, and the processor that applies them), the outbox (side effects written with the
change that caused them, and the worker that delivers them), polling, and the HTTP helpers
every receiver shares. It imports no package of this project (`make lint` checks it).
"""
