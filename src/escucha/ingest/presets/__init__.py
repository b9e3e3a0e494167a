"""Bundled ingest mappings (YAML), loaded by name with ``escucha.ingest.load_preset``."""
