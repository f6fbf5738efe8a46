"""A JSON field that keeps PostgreSQL bulk inserts off Django 5.2's UNNEST path.

Django 5.2 sends `bulk_create` on PostgreSQL as `SELECT * FROM UNNEST(%s::jsonb[], …)`. With client-side binding
(the default) psycopg then quotes every JSON document as an array element with a regular expression per character
class — measured at 5.7 of 8 s for 6,000 match rows with their traces (benchmarks/matching.py). A field that has
`get_placeholder` makes Django use the plain multi-row VALUES insert instead (compiler.assemble_as_sql), whose JSON
parameters psycopg passes as they are.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class TraceField(models.JSONField):
    def get_placeholder(self, value: Any, compiler: Any, connection: Any) -> str:
        return "%s"
