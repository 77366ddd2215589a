"""Exceptions in one place.

`UserError` carries a message in Chinese for the analyst and ends a command with exit code 2
before anything is written.
"""

from __future__ import annotations


class YonggongError(Exception):
    """Base class of the package's own errors."""


class UserError(YonggongError):
    """Bad command input (unknown city, impossible date, missing table): exit code 2."""

    exit_code = 2

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class RunFailed(YonggongError):
    """The notebook failed; previous outputs are untouched and the failed notebook is kept."""

    exit_code = 1


class RunLocked(YonggongError):
    """Another run of the same city-day holds the lock."""

    exit_code = 3
