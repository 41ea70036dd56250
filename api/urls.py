"""API routes (/api/v1/…); the endpoints arrive with the client API."""

urlpatterns: list = []
