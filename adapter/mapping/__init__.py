"""Declarative mapping of plan records to FHIR R4 transaction Bundles (specs in mappings/)."""

from adapter.mapping.engine import map_member, map_member_with_issues
from adapter.mapping.errors import MappingError, SpecError
from adapter.mapping.ids import full_url, resource_id
from adapter.mapping.pipeline import MappedMember, map_export, map_export_checked, sample_bundles

__all__ = [
    "MappedMember",
    "MappingError",
    "SpecError",
    "full_url",
    "map_export",
    "map_export_checked",
    "map_member",
    "map_member_with_issues",
    "resource_id",
    "sample_bundles",
]
