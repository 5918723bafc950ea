"""StructureDefinition-driven FHIR R4 validation with local terminology and FHIRPath invariants."""
