"""Shared fixtures: networks and the persona set (coordinator, navigator, expert, outsider)."""
