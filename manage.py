#!/usr/bin/env python
import os
import sys


def main():
    # Production unless told otherwise: a forgotten setting must fail closed, never run a
    # deployment on development defaults. `make` targets name their settings.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fusionops.settings.production")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
