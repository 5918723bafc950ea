"""Exchange with partner EHR and CBO FHIR servers: outbox delivery, inbound updates."""
