"""Our FHIR package as data: the conformance resources we publish, serve and pack (.tgz)."""

from adapter.conformance.catalog import CONFORMANCE_TYPES, Catalog, load_catalog

__all__ = ["CONFORMANCE_TYPES", "Catalog", "load_catalog"]
