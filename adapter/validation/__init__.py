"""StructureDefinition-driven FHIR R4 validation with local terminology and FHIRPath invariants."""

from adapter.validation.validator import Validator, default_validator

__all__ = ["Validator", "default_validator"]
