#!/usr/bin/env python
"""Django's command-line utility for adminui."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adminui.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        # A configuration mistake (settings, the environments file): its message says what to
        # fix, so print just that instead of a traceback through Django's start-up.
        sys.exit(f"adminui is not configured correctly: {error}")
