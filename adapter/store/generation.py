"""A counter that moves with every committed write to the types that decide compartments.

Readers that cache something derived from those types (who may see which member) compare the
counter they computed it at with the committed one: a write by any process, committed before a
request starts, is seen by that request. The counter row is bumped inside the write's own
transaction, so it moves exactly when the write becomes visible.
"""

from __future__ import annotations

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from adapter.store.schema import generations

# Writes to these types can change who belongs to which compartment.
MEMBERSHIP_TYPES = frozenset({"Patient", "CareTeam", "Consent", "PractitionerRole"})
MEMBERSHIP = "membership"


def bump(conn: Connection, name: str = MEMBERSHIP) -> None:
    """Move the counter forward, in the caller's transaction."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(generations).values(name=name, value=1)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=["name"], set_={"value": generations.c.value + 1}
        )
    )


def read(conn: Connection, name: str = MEMBERSHIP) -> int:
    """The committed value (0 before the first write)."""
    found = conn.execute(select(generations.c.value).where(generations.c.name == name)).first()
    return int(found.value) if found is not None else 0
