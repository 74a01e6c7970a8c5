"""Errors that name where a problem is, so a user can open the file and see it."""

from __future__ import annotations


class IngestError(Exception):
    """Base class for ingestion problems."""


class CatalogError(IngestError):
    """The catalog file is invalid (unknown key, missing field, duplicate id, ...)."""


class FileFormatError(IngestError):
    """A whole payload cannot be used: missing column, wrong format, truncated JSON.

    Carries the origin (file path or URL), 1-based line and the column so messages point at
    the exact spot. The asset that reads this payload fails; previously loaded rows stay.
    """

    def __init__(
        self, origin: str, message: str, line: int | None = None, column: str | None = None
    ) -> None:
        self.origin = origin
        self.line = line
        self.column = column
        self.detail = message
        where = origin
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {message}")


class LandingMissingError(IngestError):
    """The landing folder or one of its files does not exist."""


class FetchError(IngestError):
    """A live source could not be fetched after all retries."""


class WarehouseBusyError(IngestError):
    """The private warehouse file could not be opened for writing in time.

    Raised by ``ingest.warehouse.writer`` after ``WRITER_WAIT_SECONDS`` when another writer or a
    foreign reader (a BI tool, a DuckDB shell) holds the file. This is a lock problem, never a data
    problem: callers report it as such.
    """
