"""Versioned FHIR resource storage, history, search index and outbox (SQLite or PostgreSQL)."""
