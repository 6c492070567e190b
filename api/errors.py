"""Refusals the API itself decides (bad JSON, bad fields, a carrier the shop has not set up).

They are raised from parsing helpers deep in a handler and turned into the contract's
`{"error", "message"}` body by `api.auth.api_guard`. Domain refusals stay
`orders.errors.OrderError` and are answered by the app-wide error middleware.
"""

from __future__ import annotations


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **details: object) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details


def invalid(message: str, **details: object) -> ApiError:
    return ApiError(422, "invalid_input", message, **details)
