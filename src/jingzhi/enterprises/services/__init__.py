"""Writes of enterprise service, by sub-domain: registry, needs, visits, task forces."""
