"""Errors the domain raises, each with a machine code and one sentence for a person.

Adapters translate these to HTTP answers, chat alerts or log lines; the message is meant to be
shown as it is.
"""

from __future__ import annotations


class OrderError(Exception):
    code = "order_error"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(OrderError):
    code = "not_found"


class InvalidInput(OrderError):
    code = "invalid_input"


class StaleVersion(OrderError):
    code = "stale_version"


class ActionNotAllowed(OrderError):
    code = "action_not_allowed"


class OrderIncomplete(OrderError):
    code = "order_incomplete"


class OutOfStock(OrderError):
    code = "out_of_stock"
