"""`ltsc-adapter migrate`: bring the database schema to the latest revision, or report where it is.

    schema_status(engine)   # SchemaStatus(current=("0007",), heads=("0007",)); .at_head

Deployments run it once before the services start (docker/compose.yaml's `migrate` service);
`--check` only reports and exits 1 when the database is behind or ahead of this code.
"""

from __future__ import annotations

import argparse
import functools
import sys
from dataclasses import dataclass

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from adapter.config import settings_from_env
from adapter.errors import ConfigurationError
from adapter.store.database import alembic_config, create_store_engine, upgrade_schema


@dataclass(frozen=True)
class SchemaStatus:
    current: tuple[str, ...]
    heads: tuple[str, ...]

    @property
    def at_head(self) -> bool:
        return set(self.current) == set(self.heads)

    def describe(self) -> str:
        current = ", ".join(self.current) or "none (empty database)"
        needed = ", ".join(self.heads)
        return f"schema revision {current}; this version of the adapter needs {needed}"


@functools.cache
def code_heads() -> tuple[str, ...]:
    """The latest revisions the migrations of this code lead to."""
    return tuple(sorted(ScriptDirectory.from_config(alembic_config()).get_heads()))


def schema_status(engine: Engine) -> SchemaStatus:
    """The database's revisions next to the code's; raises SQLAlchemyError if unreachable."""
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    return SchemaStatus(tuple(sorted(current)), code_heads())


def run_migrate(args: argparse.Namespace) -> int:
    """Reads args.check; the database comes from ADAPTER_DATABASE_URL."""
    settings = settings_from_env()
    engine = create_store_engine(settings.database_url)
    try:
        if not args.check:
            upgrade_schema(engine)
        status = schema_status(engine)
    except CommandError as exc:  # e.g. the database is at a revision this code does not know
        raise ConfigurationError(f"cannot migrate the database: {exc}") from None
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise ConfigurationError(f"cannot reach the database: {reason}") from None
    finally:
        engine.dispose()
    sys.stdout.write(("" if status.at_head else "not at head: ") + status.describe() + "\n")
    return 0 if status.at_head else 1
