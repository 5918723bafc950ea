"""LTS-C FHIR Adapter: One Care plan records to FHIR R4 care plans with LTS-C participation."""

__version__ = "0.1.0"
