"""Shared behaviour of Fazhi's commands: errors in Chinese on stderr, no Python class names."""
import sys

from django.core.management.base import CommandError


class ChineseErrorsMixin:
    """On the command line, print a CommandError as "错误：…" (Django would prefix the class name)."""

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except CommandError as exc:
            if not getattr(self, "_called_from_command_line", False) or options.get("traceback"):
                raise
            self.stderr.write(f"错误：{exc}")
            sys.exit(exc.returncode)
