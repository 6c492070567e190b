"""One module per screen; `common` holds what every screen shares."""
