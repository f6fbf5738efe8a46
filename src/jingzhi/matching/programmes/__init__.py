"""Divisions to programmes (上级项目, issue 15): the same condition language as policies, over the yearly figures of
county-level divisions; the match of every county against every programme, with its trace; and the application
effort (包保) tracked to the result. ADR 028, docs/matching.md "Divisions to programmes"."""
