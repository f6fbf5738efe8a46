"""Settings for the test suite: the same as production but tasks run at commit and hashing is fast."""

from jingzhi.settings import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests assert messages by their English source text; tests/web/test_language.py checks the Chinese default.
LANGUAGE_CODE = "en"
# The suite's default cache is per process, as before issue 10: tests that never touch the database may still
# clear it. The rate-limit tests (tests/core/test_ratelimit.py, tests/web/test_public_doors.py) run against the
# database cache and against a real Redis explicitly.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Test fixtures write time-limit rules, calendar days and divisions straight into the tables, which no running site
# does (core/refcache.py relies on the services announcing changes): the suite reads them fresh, except the tests
# of the cache itself and of the statements per create (tests/core/test_refcache.py, tests/api/test_create_statements.py).
JINGZHI_REFCACHE = False

# The read-replica tests (tests/core/test_replicas.py) point this alias at a real streaming replica, or at a server
# that does not answer; until then it mirrors the test database, and nothing reads from it (no replica is configured).
DATABASES["replica_test"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
