#!/usr/bin/env sh
# Print the path of a working Python 3.12+ interpreter (pyenv shims may exist yet fail).
for candidate in "${PYTHON:-}" python3.13 python3.12 \
    "$(pyenv root 2>/dev/null)/versions/3.12.1/bin/python3.12" \
    "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3 /usr/bin/python3.12 python3; do
  [ -n "$candidate" ] || continue
  # 3.12 or later, with venv and ensurepip (Debian ships them as python3.12-venv).
  if "$candidate" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
    command -v "$candidate" 2>/dev/null || echo "$candidate"
    exit 0
  fi
done
echo "No Python 3.12+ found: install it, or set PYTHON=/path/to/python3.12" >&2
exit 1
