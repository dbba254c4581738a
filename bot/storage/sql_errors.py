"""SQL failures as StorageError, in one sentence a person can act on, for every SQL store."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import exc
from sqlalchemy.engine import Engine

from bot.errors import StorageError

__all__ = ["safe_url", "sql_errors"]


def safe_url(engine: Engine) -> str:
    """The engine's URL without its password: fit for an error message or a log line."""
    return engine.url.render_as_string(hide_password=True)


@contextlib.contextmanager
def sql_errors(what: str, doing: str) -> Iterator[None]:
    """`with sql_errors("The feedback database (...)", "saving feedback"):` raises any
    SQLAlchemy error inside as StorageError("... failed while saving feedback: reason")."""
    try:
        yield
    except exc.SQLAlchemyError as err:
        # The class name, or the driver's first line for a connection problem: never the
        # statement or its parameters, which may quote answers.
        reason = type(err).__name__
        orig = getattr(err, "orig", None)
        if isinstance(err, exc.OperationalError | exc.InterfaceError) and orig is not None:
            reason = (str(orig).strip().splitlines() or [reason])[0]
        msg = f"{what} failed while {doing}: {reason}"
        raise StorageError(msg) from None
