"""Plan-export intake: input formats, their JSON Schema, and readers that report bad rows.

    result = read_exports([Path("samples/plan-export.json")])
    result.exports   # [PlanExport(source, export, directory, members)], records as plain dicts
    result.errors    # [RecordError(file, location, field, message)]

See docs/input-contract.md for the three forms (JSON, NDJSON, CSV folder) and every check.
"""

from adapter.records.intake import READERS, format_of, read_exports
from adapter.records.model import PlanExport, ReadResult, RecordError

__all__ = ["READERS", "PlanExport", "ReadResult", "RecordError", "format_of", "read_exports"]
