"""Errors that stop the service from starting, printed as one line naming the cause."""


class StartupError(Exception):
    pass
