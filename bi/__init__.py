"""Apache Superset over the served marts: settings, bootstrap and launcher (`make bi`).

Runs in its own environment (bi/pyproject.toml, bi/.venv) because Superset's pins conflict with
the warehouse's; only `bi.settings` and `bi.assets_bundle` are plain stdlib + PyYAML, so the main
test suite can import them too.
"""
