"""Routing data: the agency directory and the versioned rule set (YAML, shipped as package data)."""
