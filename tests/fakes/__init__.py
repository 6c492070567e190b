"""Local stand-ins for the services chotdon talks to, speaking their wire formats on loopback."""
