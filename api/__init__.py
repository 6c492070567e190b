"""The JSON API under /api, for integrations and scripts, behind a bearer token."""
