"""Ingestion: read exports, map them onto the canonical tables, validate, quarantine, append."""
