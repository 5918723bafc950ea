"""A stand-alone FHIR Bulk Data client, run as its own process by the end-to-end tests."""
