"""What every HTTP receiver shares: body size limits, signature and secret checks that never
raise, and the one JSON error answer."""
