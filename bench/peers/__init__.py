"""`make bench-peers`: the portal's audit and relay against what users would pick instead,
side by side in one run. The peers are installed in `.venv-peers` only
(bench/requirements-peers.txt)."""
