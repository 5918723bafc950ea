"""Whatever bytes arrive, reading ends in records and RecordErrors, never an exception."""

from __future__ import annotations

import tempfile
from pathlib import Path

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapter.records import read_exports
from adapter.records.generator import generate_export
from adapter.records.writers import write_export

_DOCUMENT = generate_export(3, seed=8)
_JSON = orjson.dumps(_DOCUMENT)

_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


def _damaged(data: bytes, cut: int, noise: bytes) -> bytes:
    position = cut % (len(data) + 1)
    return data[:position] + noise + data[position + len(noise) :]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(0, len(_JSON)), noise=st.binary(max_size=12), suffix=st.sampled_from(
    ["json", "ndjson"]
))  # fmt: skip
def test_damaged_json_and_ndjson_give_errors(cut, noise, suffix):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export.{suffix}"
        write_export(_DOCUMENT, path, suffix)
        path.write_bytes(_damaged(path.read_bytes(), cut, noise))
        result = read_exports([path])
    assert result.members_read >= result.members_rejected >= 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(0, 5000), noise=st.binary(max_size=12), file=st.sampled_from(
    ["members.csv", "offers.csv", "export.csv", "ltsc_staff.csv", "service_recommendations.csv"]
))  # fmt: skip
def test_damaged_csv_files_give_errors(cut, noise, file):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export"
        write_export(_DOCUMENT, path, "csv")
        target = path / file
        target.write_bytes(_damaged(target.read_bytes(), cut, noise))
        result = read_exports([path])
    assert result.members_read >= result.members_rejected >= 0


@settings(max_examples=60, deadline=None)
@given(member=_json_values)
def test_any_json_value_as_a_member_is_an_error_not_a_crash(member):
    document = {**_DOCUMENT, "members": [member]}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.json"
        path.write_bytes(orjson.dumps(document))
        result = read_exports([path])
    assert result.members_read == 1
    assert result.members_rejected == (1 if result.errors else 0)
