"""``python -m api`` (or ``city-api``): serve the API on the configured database (api/serve.py)."""

from api.serve import main

if __name__ == "__main__":
    main()
