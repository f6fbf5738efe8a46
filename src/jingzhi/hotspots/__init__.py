"""Hotspots (未诉先办): groups of messages about the same problem at the same place, found as they arrive."""
