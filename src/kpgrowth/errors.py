"""One exception tree for kpgrowth.

Every error kpgrowth raises on purpose derives from :class:`KpgrowthError`.
Errors caused by bad input also derive from :class:`ValueError`, so callers
that only know the standard library can still catch them.

The CLI turns any :class:`KpgrowthError` into a one-line message and exit
status 2; the REST API turns it into ``application/problem+json``.

Examples
--------
>>> from kpgrowth.errors import InputError, KpgrowthError
>>> err = InputError("amount must be >= 0", file="orders.csv", line=3,
...                  column="amount", value="-5", hint="use status=refunded for refunds")
>>> isinstance(err, ValueError) and isinstance(err, KpgrowthError)
True
>>> print(err)
orders.csv:3: column 'amount' value '-5': amount must be >= 0 (use status=refunded for refunds)
"""

from __future__ import annotations

from typing import Any


class KpgrowthError(Exception):
    """Root of every error kpgrowth raises on purpose.

    Parameters
    ----------
    message : str
        What is wrong, in one sentence.
    hint : str, optional
        How to fix it.
    """

    #: stable machine-readable type, used by the REST API's problem+json
    type: str = "kpgrowth-error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message + (f" ({self.hint})" if self.hint else "")

    def to_dict(self) -> dict[str, Any]:
        """Return the error as a JSON-ready dict (for the API and logs)."""
        return {"type": self.type, "detail": str(self), "hint": self.hint}


class InputError(KpgrowthError, ValueError):
    """Bad input: says what is wrong and where (file, line, column, value).

    Parameters
    ----------
    message : str
        What is wrong.
    file, line, column, value : optional
        Where it is wrong. ``line`` is 1-based as an editor shows it.
    hint : str, optional
        How to fix it.
    """

    type = "invalid-input"

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: str | None = None,
        value: Any = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.file = file
        self.line = line
        self.column = column
        self.value = value

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line is not None else "") + ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        if self.column is not None:
            where += f"column {self.column!r}"
            if self.value is not None:
                where += f" value {_short(self.value)!r}"
            where += ": "
        return where + super().__str__()

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        d.update(file=self.file, line=self.line, column=self.column,
                 value=None if self.value is None else _short(self.value))
        return d


class FileFormatError(InputError):
    """A whole file cannot be read: encoding, emptiness, binary junk, truncation."""

    type = "invalid-file"


class MissingColumnsError(InputError):
    """Required columns are absent from an input file or batch."""

    type = "missing-columns"


class MappingError(InputError):
    """A YAML mapping for a foreign export is malformed."""

    type = "invalid-mapping"


class SchemaError(InputError):
    """A table or column name is not part of the canonical data model."""

    type = "unknown-schema"


class NotFoundError(InputError):
    """What the input names (a user, a community, a product) is not in the workspace (HTTP 404)."""

    type = "not-found"


class ConfigError(InputError):
    """A workspace setting is missing or has a bad value."""

    type = "invalid-config"


class WorkspaceError(KpgrowthError):
    """A workspace folder is missing, not a workspace, or already exists."""

    type = "workspace"


class StoreError(KpgrowthError):
    """The storage backend failed; the message names the backend and the operation."""

    type = "store"


class MissingDependencyError(KpgrowthError, ImportError):
    """An optional dependency is not installed; the message has the install command."""

    type = "missing-dependency"


class NotFittedError(KpgrowthError, AttributeError):
    """A model was used before ``fit``."""

    type = "not-fitted"


def _short(value: Any, limit: int = 80) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
