"""``python -m api``: serve the API on the configured database (see api/serve.py)."""

from api.serve import main

main()
