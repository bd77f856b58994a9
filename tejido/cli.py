"""The `tejido` command: every management command of the platform under one name."""

import os
import sys


def main(argv: list[str] | None = None) -> int | None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "tejido"
    execute_from_command_line(args)
    return 0


if __name__ == "__main__":
    main()
