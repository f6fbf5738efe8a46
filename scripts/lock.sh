#!/usr/bin/env bash
# Regenerates the lock files from pyproject.toml's ranges: a deliberate, reviewed commit
# ("scheduled dependency update"), never something a fresh machine does by itself.
#   requirements/main.txt — the application (production installs and `jingzhi demo`)
#   requirements/test.txt — the application plus the `test` extra, at the same versions
# Both carry sha256 hashes, so `pip install --require-hashes` refuses anything else.
# Needs uv (`python3 -m pip install uv`); pass --upgrade to move every pin to the newest allowed.
set -euo pipefail
cd "$(dirname "$0")/.."
common=(--universal --python-version 3.11 --generate-hashes --quiet)
uv pip compile pyproject.toml "${common[@]}" "$@" -o requirements/main.txt
# The test lock is constrained by the main one: the suite tests exactly what production runs.
uv pip compile pyproject.toml --extra test -c requirements/main.txt "${common[@]}" "$@" -o requirements/test.txt
echo "locked: $(grep -c '==' requirements/main.txt) packages (main), $(grep -c '==' requirements/test.txt) (test)"
