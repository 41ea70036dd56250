"""API views, one module per resource; each registers its routes in api/urls.py."""

# Ids in paths: digits that fit a 64-bit key; anything else is a 404 before any query.
PK_PATTERN = r"[0-9]{1,18}"
