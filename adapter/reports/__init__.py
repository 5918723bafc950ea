"""LTS-C offers and uptake reporting (REPORT)."""
