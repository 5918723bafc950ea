"""The one canonical base of every URL the adapter defines (profiles, terminology, identifiers)."""

BASE = "https://ltsc-adapter.org/fhir"
FHIR_VERSION = "4.0.1"
PACKAGE_ID = "org.ltsc-adapter.fhir"
PACKAGE_VERSION = "0.1.0"


def profile_url(profile_id: str) -> str:
    return f"{BASE}/StructureDefinition/{profile_id}"


def extension_url(extension_id: str) -> str:
    return f"{BASE}/StructureDefinition/{extension_id}"


def code_system_url(code_system_id: str) -> str:
    return f"{BASE}/CodeSystem/{code_system_id}"


def value_set_url(value_set_id: str) -> str:
    return f"{BASE}/ValueSet/{value_set_id}"


def identifier_system(name: str) -> str:
    """Naming system for identifiers the adapter mints or carries (e.g. plan member ids)."""
    return f"{BASE}/NamingSystem/{name}"
