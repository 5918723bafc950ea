"""Declarative mapping of plan records to FHIR R4 transaction Bundles (specs in mappings/)."""
