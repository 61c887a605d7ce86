"""Errors a user can cause, carrying the one Chinese sentence they are shown."""

from __future__ import annotations


class LedgerkitError(Exception):
    """Anything a user can cause and fix: shown as its message, never a traceback."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnreadableError(LedgerkitError):
    """The file cannot be read as a ledger (exit 2)."""


class ConfigError(LedgerkitError):
    """ledgerkit.toml has an unknown key, a wrong type or bad TOML (exit 2)."""


class MailError(LedgerkitError):
    """The mail server refused the connection or the login (exit 2)."""


class OutputError(LedgerkitError):
    """An output folder or file cannot be written: the ledger is fine, the place is not (exit 2)."""
