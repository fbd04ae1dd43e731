"""The JSON API: /api/v1 routes, their schemas and errors."""
