"""The portal runs without `adminui/sandbox/`: only tests, `make run`'s demo and the sandbox
command use the fake PostHog, so a deployment could leave the folder out."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT, unconfigured_environment

# Runs in a fresh interpreter: block the sandbox package, start Django with no configuration
# (the settings' demo default), import every other adminui module, then run `manage.py check`.
WITHOUT_SANDBOX = """
import importlib, importlib.abc, os, sys
from pathlib import Path


class NoSandbox(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "adminui.sandbox" or name.startswith("adminui.sandbox."):
            raise ImportError(f"{name} is for tests and the demo only")
        return None


sys.meta_path.insert(0, NoSandbox())
os.environ["DJANGO_SETTINGS_MODULE"] = "adminui.settings"
import django

django.setup()
sandbox_only = {Path("adminui/sandbox"), Path("adminui/management/commands/sandbox.py")}
for path in sorted(Path("adminui").rglob("*.py")):
    if sandbox_only.isdisjoint({path, *path.parents}):
        importlib.import_module(".".join(path.with_suffix("").parts).removesuffix(".__init__"))
from django.core.management import execute_from_command_line

execute_from_command_line(["manage.py", "check"])
"""


def test_no_portal_module_imports_the_sandbox():
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_SANDBOX],
        cwd=ROOT,
        env=unconfigured_environment(),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
