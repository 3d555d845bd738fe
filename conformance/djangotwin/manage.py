#!/usr/bin/env python3
"""The Django twin's manage.py: `python3 manage.py runserver --noreload 127.0.0.1:PORT`.

TWIN_MODE=view (default) or TWIN_MODE=site picks the page-cache entry point
(see twin/settings.py). Django comes from PYTHONPATH (conformance/getdjango.sh).
"""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "twin.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
