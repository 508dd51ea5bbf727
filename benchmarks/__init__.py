"""Platform benchmarks: `python3 -m uv run python -m benchmarks.run` (see run.py)."""
