"""The REST API (FastAPI): routes call library functions and render their Results."""
