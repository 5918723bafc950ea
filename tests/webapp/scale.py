"""A plan of thousands of generated members in a database, built in seconds, for the web app's
scale test and benchmark (bench/bench_webapp.py).

The members come from the project's generator (`ltsc-adapter generate`). Mapping and storing
each of them through the member service takes about a fifth of a second per member, minutes
for thousands, so only the first `templates` members go through it. Every other generated
member takes the stored resources of one of those (member `i` copies template `i % templates`)
with its own identity written in: member id, MassHealth id, name, birth date and phone; their
plan record is the template's with the same identity. The resources are the ones the member
service would write for such a record, inserted in bulk with their search index rows. A write
through the app on any member (a new offer) goes through the member service as usual.
"""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import insert, select

from adapter import clock
from adapter.config import Settings
from adapter.records.generator import generate_export
from adapter.services import MemberService
from adapter.store import open_store
from adapter.store.generation import bump
from adapter.store.index import index_rows
from adapter.store.schema import current, member_records, search_index, versions

Record = dict[str, Any]
# Shared by every member (the directory) or only an audit trail: not copied per member.
NOT_COPIED = frozenset({"Organization", "Practitioner", "PractitionerRole", "Provenance"})
INSERT_CHUNK = 2000


@dataclass(frozen=True)
class ScaleWorld:
    path: Path
    members: int
    export: Record  # the generated export (every member's record as generated)
    seconds: float


def build_scale_database(
    path: Path, *, members: int = 5000, templates: int = 24, seed: int = 23
) -> ScaleWorld:
    """A SQLite database at `path` with `members` generated members (see the module doc)."""
    started = time.perf_counter()
    export = generate_export(members, seed)
    # The templates' Bundles are mapped as any member's; checking them against the profiles
    # is the member service tests' job and would double the time this takes.
    settings = Settings(database_url=f"sqlite:///{path}", validation_mode="off")
    store = open_store(settings.database_url)
    try:
        service = MemberService(store, settings)
        head = {**export, "members": export["members"][:templates]}
        report = service.ingest(head)
        assert report.members_stored == templates, report.issues[:3]
        plan_id = export["export"]["plan"]["plan_id"]
        with store.reading() as conn:
            stored = {m["member"]["member_id"]: _template(conn, m) for m in head["members"]}
        with store.writing() as writer, _index_built_after(writer.conn):
            for chunk in _chunks(_copies(export, templates, stored, plan_id), INSERT_CHUNK):
                _insert(writer.conn, chunk)
            bump(writer.conn)
        store.refresh_statistics()
    finally:
        store.close()
    return ScaleWorld(path, members, export, time.perf_counter() - started)


@contextmanager
def _index_built_after(conn: Any) -> Iterator[None]:
    """Rows go in faster without the search index's indexes; they are built once at the end."""
    indexes = list(search_index.indexes)
    for found in indexes:
        found.drop(conn)
    yield
    for found in indexes:
        found.create(conn)


@dataclass
class Template:
    """A template member's resources and index rows, cut where the member's identity shows."""

    pattern: re.Pattern[str]
    resources: list[tuple[str, list[str], int, list[str]]]  # type, id parts, version, content
    index: list[dict[str, Any]]  # search index rows of the non-Patient resources, cut


def _template(conn: Any, record: Record) -> Template:
    member = record["member"]
    olds = sorted(set(_identity_values(member)), key=len, reverse=True)
    alternatives = "|".join(re.escape(o) for o in olds)
    pattern = re.compile(rf"(?<![0-9A-Za-z])({alternatives})(?![0-9])")
    token = re.compile(rf"(?<![0-9a-z]){member['member_id'].lower()}(?![0-9])")
    rows = conn.execute(
        select(current.c.res_type, current.c.res_id, current.c.version, current.c.content)
        .where(current.c.res_type.not_in(NOT_COPIED))
        .where(current.c.deleted.is_(False))
    ).all()
    mine = [r for r in rows if token.search(r.res_id)]
    resources = [
        (r.res_type, pattern.split(r.res_id), r.version, pattern.split(r.content)) for r in mine
    ]
    keys = {(r.res_type, r.res_id) for r in mine if r.res_type != "Patient"}
    index = [
        {k: (pattern.split(v) if isinstance(v, str) and k != "system" else v) for k, v in row}
        for row in (
            dict(r._mapping).items()
            for r in conn.execute(select(search_index))
            if (r.res_type, r.res_id) in keys
        )
    ]
    return Template(pattern, resources, index)


def _identity_values(member: Record) -> list[str]:
    """The member's identity as it shows in their resources, in a fixed order."""
    return [
        member["member_id"],
        member["member_id"].lower(),
        member["masshealth_id"],
        _full_name(member),
        member["birth_date"],
        *_phones(member)[:1],
    ]


def _join(parts: list[str], mapping: dict[str, str]) -> str:
    # re.split with one group: odd positions are the matched identity values
    return "".join(mapping.get(p, p) if i % 2 else p for i, p in enumerate(parts))


def _copies(
    export: Record, templates: int, stored: dict[str, Template], plan_id: str
) -> Iterator[tuple[str, Any]]:
    """("member", ...), ("resource", ...) and ("index", ...) items for every copy."""
    heads = export["members"][:templates]
    for index, generated in enumerate(export["members"][templates:], start=templates):
        template = heads[index % templates]
        record = copy.deepcopy(template)
        record["member"].update(generated_identity(generated["member"]))
        mapping = dict(
            zip(_identity_values(template["member"]), _identity_values(record["member"]),
                strict=False)
        )  # fmt: skip
        yield "member", (plan_id, record)
        cut = stored[template["member"]["member_id"]]
        for resource_type, id_parts, version, content in cut.resources:
            resource_id, text = _join(id_parts, mapping), _join(content, mapping)
            if resource_type == "Patient":
                patient = orjson.loads(text)
                patient["name"][0].update(record["member"]["name"])
                text = orjson.dumps(patient).decode()
                yield "index", index_rows("Patient", resource_id, patient)
            yield "resource", (resource_type, resource_id, version, text)
        yield (
            "index",
            [
                {k: (_join(v, mapping) if isinstance(v, list) else v) for k, v in row.items()}
                for row in cut.index
            ],
        )


def generated_identity(member: Record) -> Record:
    keep = ("member_id", "masshealth_id", "name", "birth_date", "telecom")
    return {k: copy.deepcopy(member[k]) for k in keep if k in member}


def _full_name(member: Record) -> str:
    return " ".join([*member["name"]["given"], member["name"]["family"]])


def _phones(member: Record) -> list[str]:
    return [t["value"] for t in member.get("telecom") or [] if t.get("system") == "phone"]


def _chunks(items: Iterator[tuple[str, Any]], size: int) -> Iterator[list[tuple[str, Any]]]:
    chunk: list[tuple[str, Any]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _insert(conn: Any, chunk: list[tuple[str, Any]]) -> None:
    now = clock.utcnow_naive()
    rows = [
        {
            "res_type": t,
            "res_id": i,
            "version": v,
            "last_updated": now,
            "deleted": False,
            "content": text,
        }
        for kind, (t, i, v, text) in ((k, v) for k, v in chunk if k == "resource")
    ]
    if rows:
        conn.execute(insert(current), rows)
        conn.execute(insert(versions), rows)
    index = [row for kind, rows_ in chunk if kind == "index" for row in rows_]
    if index:
        conn.execute(insert(search_index), index)
    records = [
        {
            "member_id": record["member"]["member_id"],
            "plan_id": plan_id,
            "masshealth_id": record["member"].get("masshealth_id"),
            "revision": 1,
            "record": record,
            "updated_at": now,
        }
        for kind, (plan_id, record) in ((k, v) for k, v in chunk if k == "member")
    ]
    if records:
        conn.execute(insert(member_records), records)
