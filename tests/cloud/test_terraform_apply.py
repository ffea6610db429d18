"""infra/ applied to the local cloud by the real Terraform and tencentcloud provider: apply, a
signed call, a second plan with no changes, a timer's log line in CLS, a rebuilt zip uploaded and
answering, destroy leaving nothing (autocallout.local_cloud.rehearsal, what make cloud-demo runs).

The provider is taken from where ``terraform init`` finds it without a network (an implicit local
mirror, or the mirror TF_CLI_CONFIG_FILE names); where there is none the test skips, naming where
it looked — CI has no provider and no registry access. Stopped by SIGTERM in the middle of an
apply, the rehearsal interrupts terraform, stops its cloud and leaves no files behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autocallout.local_cloud import LocalCloud
from autocallout.local_cloud.rehearsal import (
    Rehearsal,
    RehearsalFailed,
    find_provider,
    provider_locations,
)
from autocallout.runtimes import find_interpreter


def test_infra_applies_answers_plans_clean_and_destroys(tmp_path: Path) -> None:
    if shutil.which("terraform") is None:
        pytest.skip("SKIPPED LOUDLY: terraform is not installed (Terraform >= 1.10)")
    if find_provider() is None:
        looked = ", ".join(str(place) for place in provider_locations())
        pytest.skip(
            "SKIPPED LOUDLY: no registry.terraform.io/tencentcloudstack/tencentcloud provider"
            f" where terraform init looks without a network ({looked}); see docs/local-cloud.md"
        )
    if find_interpreter("Python3.12") is None:
        pytest.skip("SKIPPED LOUDLY: no CPython 3.12 to run the Python3.12 zip")
    lines: list[str] = []
    with LocalCloud() as cloud:
        rehearsal = Rehearsal(cloud, tmp_path, say=lines.append)
        try:
            steps = rehearsal.run()
        except RehearsalFailed as failure:
            pytest.fail(f"{failure}\n" + "\n".join(lines))
    print("\n".join(lines))
    assert [step.name for step in steps if step.ok] == [
        "terraform init",
        "build the zip (make package)",
        "terraform apply (default mode)",
        "signed call to the Function URL",
        "second plan: no changes",
        "apply with timer_cron; timer log line in CLS",
        "plan with the timer: no changes",
        "rebuilt zip uploaded by apply, and answers",
        "terraform destroy leaves nothing",
    ]
    assert cloud.backend.resources() == {}


def test_without_a_provider_the_demo_says_where_it_looked_in_one_line(tmp_path: Path) -> None:
    """A machine whose Terraform configuration names a mirror without the provider (and no
    registry): make cloud-demo stops at init, exit 2, one line on stderr."""
    import os
    import subprocess
    import sys

    if shutil.which("terraform") is None:
        pytest.skip("SKIPPED LOUDLY: terraform is not installed (Terraform >= 1.10)")
    mirror = tmp_path / "empty-mirror"
    mirror.mkdir()
    config = tmp_path / "terraform.rc"
    config.write_text(
        f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror}"\n  }}\n}}\n'
    )
    environment = {
        **os.environ,
        "HOME": str(tmp_path / "home"),
        "TF_CLI_CONFIG_FILE": str(config),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_DATA_DIRS": str(tmp_path / "data-dirs"),
    }
    environment.pop("TF_PLUGIN_CACHE_DIR", None)

    result = subprocess.run(
        [sys.executable, "-m", "autocallout.local_cloud.rehearsal"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
        check=False,
    )

    assert result.returncode == 2, result.stdout + result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("cloud-demo: no tencentcloud provider: terraform init found none in")
    assert str(mirror) in line
    assert "FAIL" in result.stdout
    assert "terraform init" in result.stdout


# A Terraform root with no provider to install (terraform_data is built in) whose apply waits on
# a process named by a marker, so that the rehearsal can be stopped in the middle of an apply.
_SLOW_ROOT = """
variable "package_manifest" { type = string }
variable "allowed_sdk_app_ids" { type = any }
variable "alarm_notice" { type = any }
variable "deletion_protection" { type = bool }
resource "terraform_data" "slow" {
  provisioner "local-exec" {
    command = "exec PYTHON -c 'import time; time.sleep(300)' MARKER"
  }
}
"""


def _processes_naming(text: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if entry.name.isdigit() and text in command:
            found.append(f"{entry.name}: {command[:200]}")
    return found


def test_a_rehearsal_stopped_mid_apply_stops_terraform_its_cloud_and_leaves_no_files(
    tmp_path: Path,
) -> None:
    if shutil.which("terraform") is None:
        pytest.skip("SKIPPED LOUDLY: terraform is not installed (Terraform >= 1.10)")
    marker = f"rehearsal-stop-{os.getpid()}-{tmp_path.name}"
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text(
        _SLOW_ROOT.replace("PYTHON", sys.executable).replace("MARKER", marker)
    )
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    rehearsal = subprocess.Popen(
        [sys.executable, "-m", "autocallout.local_cloud.rehearsal", "--infra", str(root)],
        env={**os.environ, "TMPDIR": str(scratch)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        while not _processes_naming(marker):  # the apply is under way
            assert rehearsal.poll() is None, rehearsal.communicate()[0]
            time.sleep(0.2)

        rehearsal.send_signal(signal.SIGTERM)
        output = rehearsal.communicate(timeout=120)[0]
    finally:
        if rehearsal.poll() is None:
            rehearsal.kill()

    assert rehearsal.returncode == 128 + signal.SIGTERM, output
    assert "cloud-demo: stopped by SIGTERM" in output
    assert _processes_naming(marker) == []
    assert _processes_naming(str(scratch)) == []
    assert list(scratch.iterdir()) == []
