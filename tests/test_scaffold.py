"""``organet plugins new``: the skeleton it writes is a plugin whose own test passes."""

from __future__ import annotations

import os
import subprocess
import sys

from click.testing import CliRunner

from organet.cli import main
from organet.i18n_tools import Package, catalogue_problems, template_problems


def _pretend_installed(project, name):
    """Register the plugin's entry point as `pip install -e` would, without a slow install."""
    dist_info = project / f"organet_{name}-0.1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: organet-{name}\nVersion: 0.1.0\n")
    (dist_info / "entry_points.txt").write_text(f"[organet]\n{name} = organet_{name}\n")


def test_new_plugin_passes_its_own_test(tmp_path):
    project = tmp_path / "organet-room-signs"
    result = CliRunner().invoke(main, ["plugins", "new", "room_signs", "--folder", str(project)])
    assert result.exit_code == 0, result.output
    assert (project / "organet_room_signs" / "migrations" / "versions").is_dir()
    _pretend_installed(project, "room_signs")
    environment = {**os.environ, "PYTHONPATH": str(project)}
    environment.pop("PYTEST_XDIST_WORKER", None)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "tests"], cwd=project,
                         env=environment, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 passed" in run.stdout


def test_new_plugin_has_complete_dutch_catalogue(tmp_path):
    project = tmp_path / "p"
    CliRunner().invoke(main, ["plugins", "new", "kiosk", "--folder", str(project), "--title", "Kiosk"])
    package = Package("kiosk", project / "organet_kiosk")
    assert catalogue_problems(package) == []
    assert template_problems(package) == []


def test_new_refuses_bad_names_and_full_folders(tmp_path):
    bad = CliRunner().invoke(main, ["plugins", "new", "Room-Signs", "--folder", str(tmp_path / "x")])
    assert bad.exit_code != 0 and "lower case letters" in bad.output
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    full = CliRunner().invoke(main, ["plugins", "new", "kiosk", "--folder", str(tmp_path / "full")])
    assert full.exit_code != 0 and "not empty" in full.output
