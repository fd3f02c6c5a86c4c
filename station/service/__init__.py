"""The local service: FastAPI app, roles, the reading pipeline, live events, pages."""
