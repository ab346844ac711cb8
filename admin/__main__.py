"""``python -m admin`` (or ``city-admin``): onboarding and user administration (admin/cli.py)."""

import sys


def main() -> int:
    from admin.cli import main as cli

    return cli()


if __name__ == "__main__":
    sys.exit(main())
