"""The FHIR R4 REST facade (Flask application factory and routes)."""
