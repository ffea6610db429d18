#!/usr/bin/env python3
"""Can Terraform get the tencentcloud provider for infra/ on this machine? One command:

    python3 infra/check_provider.py            # or: --dir infra/environments/example

It shows where Terraform looks (the CLI configuration and its provider_installation, the local
directories it searches by itself, the plugin cache), which versions of
tencentcloudstack/tencentcloud are there, then runs the real `terraform init -backend=false` on
a scratch copy of the directory (its .terraform.lock.hcl included) and says whether it worked,
from where, and whether the installed build matches the lock file. When it does not work it
prints the next step for each way a team gets the provider: the public registry, Tencent's own
mirror (a network_mirror), or a copy for machines without network access.

Exit status: 0 the provider installs; 1 it does not (or does not match the lock); 2 no terraform.
Standard library only, so it runs before any virtualenv exists.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PROVIDER = "registry.terraform.io/tencentcloudstack/tencentcloud"
TENCENT_MIRROR = "https://mirrors.tencent.com/terraform/"
# Tencent Cloud's "Init 加速" (Init acceleration) FAQ: the network_mirror above.
TENCENT_MIRROR_DOC = "https://cloud.tencent.com/document/product/1653/82912"
HERE = Path(__file__).resolve().parent


def _platform() -> str:
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(
        machine, machine
    )
    return f"{platform.system().lower()}_{arch}"


def cli_config_file() -> tuple[Path | None, str]:
    """The CLI configuration Terraform reads, and how it was chosen."""
    named = os.environ.get("TF_CLI_CONFIG_FILE")
    if named:
        return Path(named), "TF_CLI_CONFIG_FILE"
    if os.name == "nt":
        default = Path(os.environ.get("APPDATA", "")) / "terraform.rc"
    else:
        default = Path.home() / ".terraformrc"
    return default, "the default location"


def read_cli_config(path: Path | None) -> dict[str, list[str]]:
    """network_mirror urls, filesystem_mirror paths, direct blocks and plugin_cache_dir."""
    found: dict[str, list[str]] = {"network": [], "filesystem": [], "direct": [], "cache": []}
    if path is None or not path.is_file():
        return found
    text = re.sub(r"(?m)^\s*(#|//).*$", "", path.read_text(encoding="utf-8", errors="replace"))
    found["network"] = re.findall(r'network_mirror\s*\{[^}]*?url\s*=\s*"([^"]+)"', text, re.S)
    found["filesystem"] = re.findall(
        r'filesystem_mirror\s*\{[^}]*?path\s*=\s*"([^"]+)"', text, re.S
    )
    found["direct"] = ["direct"] * len(re.findall(r"\bdirect\s*\{", text))
    found["cache"] = re.findall(r'plugin_cache_dir\s*=\s*"([^"]+)"', text)
    if "provider_installation" not in text:
        found["network"] = found["filesystem"] = found["direct"] = []
    return found


def implicit_mirrors() -> list[Path]:
    """The directories Terraform searches by itself when the CLI configuration names none."""
    home = Path.home()
    if os.name == "nt":
        return [Path(os.environ.get("APPDATA", "")) / "terraform.d" / "plugins"]
    data_home = Path(os.environ.get("XDG_DATA_HOME", home / ".local" / "share"))
    dirs = [home / ".terraform.d" / "plugins", data_home / "terraform" / "plugins"]
    dirs += [
        Path(d) / "terraform" / "plugins"
        for d in os.environ.get("XDG_DATA_DIRS", "/usr/local/share:/usr/share").split(":")
        if d
    ]
    return dirs


def versions_in(mirror: Path, target: str) -> list[str]:
    """Versions of the provider in a filesystem mirror or plugin cache, for this platform
    (unpacked directories, or the zips `terraform providers mirror` writes)."""
    base = mirror / PROVIDER
    found: set[str] = set()
    if base.is_dir():
        for version in base.iterdir():
            if (version / target).is_dir() and any((version / target).glob("terraform-provider-*")):
                found.add(version.name)
        for archive in base.glob(f"terraform-provider-tencentcloud_*_{target}.zip"):
            found.add(archive.name.split("_")[1])
    return sorted(found)


def lock_summary(directory: Path) -> str:
    lock = directory / ".terraform.lock.hcl"
    if not lock.is_file():
        return "no .terraform.lock.hcl: init will write one recording what it installs"
    text = lock.read_text(encoding="utf-8")
    block = re.search(r'provider "' + re.escape(PROVIDER) + r'" \{(.*?)\n\}', text, re.S)
    if not block:
        return ".terraform.lock.hcl does not mention tencentcloud"
    version = re.search(r'version\s*=\s*"([^"]+)"', block[1])
    hashes = re.findall(r'"(h1|zh):[^"]+"', block[1])
    kinds = ", ".join(f"{hashes.count(k)} {k}:" for k in ("h1", "zh") if k in hashes)
    return (
        f".terraform.lock.hcl pins {version[1] if version else '?'} with {kinds or 'no'} hashes"
        + (
            " (h1: only — one build's hash; a registry or mirror download has others: see"
            ' infra/README.md, "Getting the provider")'
            if hashes and "zh" not in hashes
            else ""
        )
    )


def _copy_configuration(source: Path, destination: Path, scratch: Path) -> None:
    """Only what init reads: Terraform files, the lock file and the module directories, never
    state, .terraform, tests or the scratch directory itself."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = set()
        for name in names:
            path = Path(folder) / name
            if path.is_dir():
                if name in {".terraform", "tests", "__pycache__"} or path == scratch:
                    skipped.add(name)
            elif not name.endswith((".tf", ".tf.json", ".terraform.lock.hcl")):
                skipped.add(name)
        return skipped

    shutil.copytree(source, destination, ignore=ignore)


def scratch_init(terraform: str, directory: Path) -> subprocess.CompletedProcess[str]:
    """`terraform init -backend=false` on a copy, so that nothing in the repository changes. A
    root inside infra/ is copied with all of infra/, so that ../modules resolves as at home."""
    with tempfile.TemporaryDirectory(prefix="check-provider-") as name:
        scratch = Path(name)
        try:
            relative = directory.relative_to(HERE)
            _copy_configuration(HERE, scratch / "infra", scratch)
            workdir = scratch / "infra" / relative
        except ValueError:
            workdir = scratch / "root"
            _copy_configuration(directory, workdir, scratch)
        env = {**os.environ, "TF_IN_AUTOMATION": "1", "TF_INPUT": "0"}
        return subprocess.run(  # noqa: S603 - terraform from PATH, fixed arguments
            [terraform, f"-chdir={workdir}", "init", "-backend=false", "-no-color"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
            timeout=600,
        )


def next_steps(target: str, directory: Path) -> str:
    rel = os.path.relpath(directory, Path.cwd())
    return f"""
Next step — pick the way your machine can reach the provider:
  1. The public registry (needs registry.terraform.io and the GitHub release downloads):
       terraform -chdir={rel} init
  2. Tencent's mirror, for networks where the registry is slow or blocked
     ({TENCENT_MIRROR_DOC}): put this in ~/.terraformrc
     (or in a file named by TF_CLI_CONFIG_FILE), then run step 1's command:
       provider_installation {{
         network_mirror {{
           url     = "{TENCENT_MIRROR}"
           include = ["registry.terraform.io/tencentcloudstack/*"]
         }}
         direct {{
           exclude = ["registry.terraform.io/tencentcloudstack/*"]
         }}
       }}
  3. No network on this machine: on one that has it, run
       terraform -chdir={rel} providers mirror -platform={target} /tmp/tf-mirror
     copy /tmp/tf-mirror here, and either copy its contents into ~/.terraform.d/plugins/
     (searched without any configuration) or name it in ~/.terraformrc:
       provider_installation {{
         filesystem_mirror {{
           path    = "/path/to/tf-mirror"
           include = ["registry.terraform.io/tencentcloudstack/*"]
         }}
       }}
     A shared plugin cache (plugin_cache_dir, or TF_PLUGIN_CACHE_DIR) only keeps what init
     downloaded once: it is filled by steps 1-3, not a source of its own.
Then run this check again."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--dir", type=Path, default=HERE, help="the Terraform root to check (default: infra/)"
    )
    args = parser.parse_args(argv)
    directory: Path = args.dir.resolve()
    target = _platform()
    say = print
    if not any(directory.glob("*.tf")):
        say(f"{directory} holds no .tf file: give the Terraform root to check with --dir.")
        return 2

    terraform = shutil.which("terraform")
    if terraform is None:
        say(
            "terraform is not on PATH: install Terraform >= 1.10 first"
            " (https://developer.hashicorp.com/terraform/install)."
        )
        return 2

    say(f"Checking how Terraform gets {PROVIDER} for {directory} ({target}).")
    config, why = cli_config_file()
    settings = read_cli_config(config)
    exists = config is not None and config.is_file()
    say(f"- CLI configuration ({why}): {config}{'' if exists else ' (no such file)'}")
    methods = (
        [f"network_mirror {u}" for u in settings["network"]]
        + [f"filesystem_mirror {p}" for p in settings["filesystem"]]
        + settings["direct"]
    )
    if methods:
        say("  provider_installation: " + "; ".join(methods))
    else:
        say("  no provider_installation: the registry, after the local directories below")
    cache = os.environ.get("TF_PLUGIN_CACHE_DIR") or next(iter(settings["cache"]), None)
    places: list[tuple[str, Path]] = []
    if not methods:
        places += [("searched without configuration", d) for d in implicit_mirrors()]
    places += [("filesystem_mirror", Path(os.path.expanduser(p))) for p in settings["filesystem"]]
    if cache:
        places.append(("plugin cache", Path(os.path.expanduser(cache))))
    for label, place in places:
        versions = versions_in(place, target)
        if versions or label != "searched without configuration" or place.exists():
            say(f"- {label}: {place}: " + (", ".join(versions) if versions else "no tencentcloud"))
    say(f"- {lock_summary(directory)}")

    say("- running `terraform init -backend=false` on a scratch copy ...")
    result = scratch_init(terraform, directory)
    output = result.stdout + result.stderr
    if result.returncode == 0:
        installed = re.search(r"- Installed tencentcloudstack/tencentcloud v([\d.]+)[^\n]*", output)
        reused = re.search(
            r"- Using previously-installed tencentcloudstack/tencentcloud v([\d.]+)", output
        )
        line = installed[0] if installed else (reused[0] if reused else "installed")
        say(f"OK: {line.lstrip('- ')}")
        if "unauthenticated" in output:
            say(
                "  (unauthenticated: a local build or mirror without signatures; its hash is"
                " what the lock records)"
            )
        return 0

    detail = " ".join(
        line.strip("│╵╷ ").strip() for line in output.splitlines() if line.strip("│╵╷ ").strip()
    )
    detail = detail[detail.find("Error:") :] if "Error:" in detail else detail
    if "checksums previously recorded in the dependency lock file" in detail:
        say(
            "NOT OK: the provider this machine installs is another build than the one "
            ".terraform.lock.hcl records (the committed lock holds the hash of the build the "
            "project was tested with). If you trust this one, record its hashes:\n"
            f"  rm {directory / '.terraform.lock.hcl'}\n"
            f"  terraform -chdir={os.path.relpath(directory)} providers lock "
            "-platform=linux_amd64 -platform=darwin_arm64 -platform=windows_amd64\n"
            f"  (add -net-mirror={TENCENT_MIRROR} or -fs-mirror=DIR to take them from a mirror)"
        )
        return 1
    say(f"NOT OK: terraform init could not install {PROVIDER}:")
    say("  " + (detail[:600] or "(no output)"))
    say(next_steps(target, directory))
    return 1


if __name__ == "__main__":
    sys.exit(main())
