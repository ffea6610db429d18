"""A deploy rehearsed on the local cloud with the real Terraform and tencentcloud provider.

``python -m autocallout.local_cloud.rehearsal`` (``make cloud-demo``), and the end-to-end tests,
run these steps, each timed, each checked:

 1. ``terraform init`` on a copy of infra/ (the provider from the registry, or from wherever
    Terraform's own configuration says: an implicit local mirror, ``TF_CLI_CONFIG_FILE``);
 2. build the zip (``autocallout.package``, as ``make package``) into a scratch folder;
 3. ``apply`` in the default mode (Function URL with CAM, logs, index, alarms);
 4. a signed GET to the ``url`` output answers the task as the fake CCC holds it (its name set
    to a fresh value first), which the function asked for with its role's credentials; an
    unsigned one is 401;
 5. ``plan -detailed-exitcode``: no changes;
 6. ``apply`` with ``timer_cron``; the timer fires and its log line reaches the CLS topic;
 7. ``plan``: no changes;
 8. a rebuilt zip (changed code) is uploaded by the next ``apply`` and answers, with the header
    only the changed code adds;
 9. ``destroy``, and the local cloud holds nothing.

It stops at the first step that does not hold, and always destroys and stops its cloud.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal

# terraform and its provider are what this rehearses: fixed command lines, no shell.
import subprocess  # nosec B404
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from autocallout.fake_ccc import signature
from autocallout.local_cloud.models import LOCAL_CREDENTIALS, CloudBackend
from autocallout.local_cloud.responses import Params
from autocallout.local_cloud.responses import cls as cls_actions
from autocallout.local_cloud.server import LocalCloud

REPO = Path(__file__).resolve().parents[3]
PROVIDER = "registry.terraform.io/tencentcloudstack/tencentcloud"
TIMER_CRON = "*/2 * * * * * *"  # every other second: a rehearsal cannot wait five minutes
TASK = (1400000000, 3)  # in the fake CCC's bundled seed
TIMER_WAIT_SECONDS = 30.0
TERRAFORM_STOP_SECONDS = 60.0


class RehearsalFailed(Exception):
    """A step did not hold: its one-line reason."""


class ProviderMissing(RehearsalFailed):
    """Neither a local mirror nor the registry has the tencentcloud provider."""


class Stopped(BaseException):
    """SIGTERM or SIGHUP arrived: unwind like Ctrl-C, so that every cleanup runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@dataclass
class Step:
    name: str
    seconds: float = 0.0
    ok: bool = False
    detail: str = ""


@dataclass
class Rehearsal:
    cloud: LocalCloud
    workdir: Path
    infra: Path = REPO / "infra"
    say: Callable[[str], None] = field(default=lambda line: print(line, flush=True))
    steps: list[Step] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.config = self.workdir / "infra"
        self.terraform = shutil.which("terraform") or "terraform"
        self.manifest: Path | None = None
        self.timer = False

    # -- running terraform --------------------------------------------------------------------
    def _environment(self) -> dict[str, str]:
        environment = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith("TENCENTCLOUD_") and name.lower() not in ("https_proxy",)
        }
        environment.update(self.cloud.terraform_environment())
        environment["TF_IN_AUTOMATION"] = "1"
        environment["CHECKPOINT_DISABLE"] = "1"
        return environment

    def _variables(self) -> list[str]:
        if self.manifest is None:
            raise RehearsalFailed("no package built yet")
        arguments = ["-var", f"package_manifest={self.manifest}"]
        # What infra/ leaves to no default: the applications it may read, who hears of alarms
        # (Cloud Monitor takes UIDs, CLS UINs); and a rehearsal is disposable, so its log topic
        # is not protected from destroy.
        arguments += [
            "-var",
            f'allowed_sdk_app_ids=["{TASK[0]}"]',
            "-var",
            'alarm_notice={monitor_user_uids=["1000001"], cls_receiver_uins=["100000000001"]}',
            "-var",
            "deletion_protection=false",
        ]
        if self.timer:
            tasks = [{"sdk_app_id": str(TASK[0]), "task_id": TASK[1]}]
            arguments += [
                "-var",
                f"timer_cron={TIMER_CRON}",
                "-var",
                f"timer_tasks={json.dumps(tasks)}",
            ]
        return arguments

    def run_terraform(
        self, *arguments: str, allowed: tuple[int, ...] = (0,)
    ) -> subprocess.CompletedProcess[str]:
        command = [self.terraform, f"-chdir={self.config}", *arguments]
        # Its own session: a Ctrl-C reaches terraform once, from here, and a stop of the
        # rehearsal interrupts it as terraform asks to be (SIGINT: it stops its provider and
        # exits) instead of killing it and leaving the provider running.
        with subprocess.Popen(  # noqa: S603  # nosec B603
            command,
            env=self._environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        ) as process:
            try:
                stdout, stderr = process.communicate()
            except BaseException:
                process.send_signal(signal.SIGINT)
                try:
                    process.communicate(timeout=TERRAFORM_STOP_SECONDS)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.communicate()
                raise
        result = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
        if result.returncode not in allowed:
            raise RehearsalFailed(
                f"terraform {arguments[0]} exited {result.returncode}: {_last_error(result)}"
            )
        return result

    # -- the steps ------------------------------------------------------------------------------
    def step(self, name: str, action: Callable[[], str]) -> None:
        record = Step(name)
        self.steps.append(record)
        started = time.monotonic()
        try:
            record.detail = action()
            record.ok = True
        finally:
            record.seconds = time.monotonic() - started
            mark = "ok  " if record.ok else "FAIL"
            self.say(
                f"{mark} {record.seconds:7.1f} s  {name}"
                + (f": {record.detail}" if record.detail else "")
            )

    def build(self) -> str:
        self.manifest = build_package(self.workdir / "dist", REPO)
        return f"{json.loads(self.manifest.read_text())['zip']}"

    def init(self) -> str:
        shutil.copytree(
            self.infra,
            self.config,
            ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*", "*.tfvars"),
        )
        try:
            self.run_terraform("init", "-input=false", "-no-color")
        except RehearsalFailed as failure:
            where = provider_locations()
            raise ProviderMissing(
                f"no tencentcloud provider: terraform init found none in the registry or in"
                f" {', '.join(str(p) for p in where) or 'a local mirror'} ({failure})"
            ) from None
        return "provider " + provider_version(self.config)

    def apply(self) -> str:
        result = self.run_terraform(
            "apply", "-auto-approve", "-input=false", "-no-color", *self._variables()
        )
        summary = re.search(r"Apply complete! Resources: [^\n]*", result.stdout)
        return summary.group(0) if summary else "applied"

    def plan_no_changes(self) -> str:
        result = self.run_terraform(
            "plan",
            "-detailed-exitcode",
            "-input=false",
            "-no-color",
            *self._variables(),
            allowed=(0, 2),
        )
        if result.returncode == 2:
            changed = [
                line.strip()
                for line in result.stdout.splitlines()
                if re.match(r"\s+[~+-/] |\s+# ", line)
            ]
            raise RehearsalFailed("the second plan shows changes: " + " | ".join(changed[:12]))
        return "no changes"

    def url(self) -> str:
        result = self.run_terraform("output", "-raw", "url")
        return result.stdout.strip()

    def call(self, build: str | None = None) -> str:
        url = self.url()
        query = f"SdkAppId={TASK[0]}&TaskId={TASK[1]}&callee_limit=2"
        # The task's name is set to a fresh value in the fake CCC, so only an answer the function
        # got from this fake CCC, now, can carry it.
        ccc = self.cloud.ccc_server.backend
        name = f"rehearsal {secrets.token_hex(6)}"
        ccc.update_task(*TASK, Name=name)
        seen = len(ccc.calls)
        status, body, headers = signed_get(f"{url}?{query}")
        if status != 200:
            raise RehearsalFailed(f"the signed call answered {status}: {body[:300]!r}")
        task = json.loads(body)
        if (task.get("sdk_app_id"), task.get("task_id")) != TASK or "state" not in task:
            raise RehearsalFailed(f"the signed call answered no task {TASK}: {body[:300]!r}")
        if task.get("name") != name:
            raise RehearsalFailed(
                f"the signed call's task is not the fake CCC's (name {task.get('name')!r},"
                f" the fake CCC holds {name!r})"
            )
        asked = [
            call
            for call in ccc.calls[seen:]
            if call.action == "DescribeAutoCalloutTask"
            and call.error_code is None
            and call.secret_id is not None
            and self.cloud.plane.role_of(call.secret_id) is not None
        ]
        if not asked:
            raise RehearsalFailed(
                "the fake CCC answered no DescribeAutoCalloutTask signed with the function"
                " role's credentials during the signed call"
            )
        if build is not None and headers.get("x-rehearsal-build") != build:
            raise RehearsalFailed(
                f"the Function URL answered without the rebuilt code's X-Rehearsal-Build: {build}"
                f" (got {headers.get('x-rehearsal-build')!r}): the old code answered"
            )
        anonymous, _, _ = _get(f"{url}?{query}", {})
        if anonymous != 401:
            raise RehearsalFailed(f"an unsigned call answered {anonymous}, not 401")
        return f"{url} answered task {TASK[1]} ({task['state']}); unsigned: 401"

    def timer_log(self) -> str:
        self.timer = True
        self.apply()
        topic = self.run_terraform("output", "-raw", "log_topic_id").stdout.strip()
        started = self.cloud.backend.clock()
        deadline = time.monotonic() + TIMER_WAIT_SECONDS
        while time.monotonic() < deadline:
            line = timer_line(self.cloud.backend, topic, started)
            if line is not None:
                return f"CLS topic {topic}: {line[:160]}"
            time.sleep(0.5)
        raise RehearsalFailed(
            f"no timer log line reached CLS topic {topic} in {TIMER_WAIT_SECONDS:.0f} s"
        )

    def rebuild(self) -> str:
        build = secrets.token_hex(6)
        self.manifest = build_package(self.workdir / "dist-rebuilt", REPO, change=build)
        built = self.manifest.parent / json.loads(self.manifest.read_text())["zip"]
        self.apply()
        deployed = dict(self.cloud.backend.table("scf.code"))
        if list(deployed.values()) != [built.read_bytes()]:
            raise RehearsalFailed("the function's code is not the rebuilt zip")
        answered = self.call(build=build)
        return f"{built.name} deployed, answers with X-Rehearsal-Build: {build}; {answered}"

    def destroy(self) -> str:
        self.run_terraform(
            "destroy", "-auto-approve", "-input=false", "-no-color", *self._variables()
        )
        left = self.cloud.backend.resources()
        if left:
            raise RehearsalFailed(f"destroy left resources behind: {left}")
        return "the local cloud holds nothing"

    def run(self) -> list[Step]:
        applied = False
        try:
            self.step("terraform init", self.init)  # first: no provider, no waiting for a build
            self.step("build the zip (make package)", self.build)
            self.step("terraform apply (default mode)", self.apply)
            applied = True
            self.step("signed call to the Function URL", self.call)
            self.step("second plan: no changes", self.plan_no_changes)
            self.step("apply with timer_cron; timer log line in CLS", self.timer_log)
            self.step("plan with the timer: no changes", self.plan_no_changes)
            self.step("rebuilt zip uploaded by apply, and answers", self.rebuild)
            self.step("terraform destroy leaves nothing", self.destroy)
            applied = False
        finally:
            if applied:  # a step failed after the apply: do not leave the rehearsal's resources
                try:
                    self.run_terraform(
                        "destroy", "-auto-approve", "-input=false", "-no-color", *self._variables()
                    )
                except RehearsalFailed as failure:
                    self.say(f"cleanup: {failure}")
        return self.steps


# -- helpers --------------------------------------------------------------------------------------


def build_package(out: Path, repo: Path, change: str | None = None) -> Path:
    """``make package`` into ``out``; with ``change``, from a copy whose index.py was edited so
    that every answer carries the header ``X-Rehearsal-Build: <change>``."""
    from autocallout import package

    source = repo
    if change is not None:
        source = out.parent / "edited-source"
        shutil.copytree(repo / "functions", source / "functions", dirs_exist_ok=True)
        index = source / "functions" / package.FUNCTION / "index.py"
        index.write_text(index.read_text() + _REBUILT_HANDLER.replace("BUILD", change))
    out.mkdir(parents=True, exist_ok=True)
    built = package.build(out=out, repo=source, say=lambda line: None)
    return built.manifest_path


# Appended to index.py by a rebuild: the handler SCF calls now marks its answers.
_REBUILT_HANDLER = """
# rebuilt by the local cloud rehearsal
_rehearsed_handler = main_handler


def main_handler(event, context):
    answer = _rehearsed_handler(event, context)
    if isinstance(answer, dict):
        answer["headers"] = {**(answer.get("headers") or {}), "X-Rehearsal-Build": "BUILD"}
    return answer
"""


def timer_line(backend: CloudBackend, topic: str, since: float) -> str | None:
    """A log line of a timer run in ``topic`` since ``since``, found with CLS's SearchLog."""
    found = cls_actions.search_log(
        backend,
        Params(
            {
                "TopicId": topic,
                "From": int(since * 1000),
                "To": int(time.time() * 1000) + 1000,
                "Query": f'trigger:"timer" AND task_id:{TASK[1]}',
                "Limit": 1,
            }
        ),
    )
    results = found["Results"]
    return str(results[0]["RawLog"]) if results else None


def signed_get(
    url: str, credentials: Any = LOCAL_CREDENTIALS, clock: Callable[[], float] = time.time
) -> tuple[int, bytes, Mapping[str, str]]:
    """GET ``url`` signed TC3-HMAC-SHA256 in the scope ``scf`` (a Function URL with CAM)."""
    parts = urlsplit(url)
    timestamp = int(clock())
    date = signature.credential_date(timestamp)
    headers = {"Content-Type": "application/json", "Host": parts.netloc}
    signed = ("content-type", "host")
    canonical = signature.canonical_request(
        "GET", parts.path or "/", parts.query, headers, signed, b""
    )
    to_sign = signature.string_to_sign(
        timestamp, date, "scf", signature.sha256_hex(canonical.encode())
    )
    headers["Authorization"] = (
        f"{signature.ALGORITHM} Credential={credentials.secret_id}/{date}/scf/tc3_request, "
        f"SignedHeaders={';'.join(signed)}, "
        f"Signature={signature.signature(credentials.secret_key, date, 'scf', to_sign)}"
    )
    headers["X-TC-Timestamp"] = str(timestamp)
    return _get(url, headers)


def _get(url: str, headers: Mapping[str, str]) -> tuple[int, bytes, Mapping[str, str]]:
    request = urllib.request.Request(url, headers=dict(headers), method="GET")  # noqa: S310
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        # the Function URL the local cloud reports: http on loopback
        with opener.open(request, timeout=30) as answer:  # nosec B310
            return int(answer.status), bytes(answer.read()), _lowered(answer.headers.items())
    except urllib.error.HTTPError as error:
        return int(error.code), bytes(error.read()), _lowered(error.headers.items())


def _lowered(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers}


def _last_error(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line.strip(" │╷╵") for line in (result.stderr + result.stdout).splitlines()]
    errors = [line for line in lines if line.startswith("Error")]
    picked = errors or [line for line in lines if line][-3:]
    return " / ".join(picked[:3])[:600]


def _cli_configuration() -> str:
    config = os.environ.get("TF_CLI_CONFIG_FILE") or str(Path.home() / ".terraformrc")
    try:
        return Path(config).read_text(encoding="utf-8")
    except OSError:
        return ""


def provider_locations() -> list[Path]:
    """Where Terraform itself looks for providers on this machine, besides the registry: the
    implied local mirrors unless the CLI configuration has a ``provider_installation`` block
    (then only the mirrors it names), and the plugin caches."""
    text = _cli_configuration()
    named = [
        Path(match.group(1))
        for match in re.finditer(r'filesystem_mirror\s*\{[^}]*?path\s*=\s*"([^"]+)"', text, re.S)
    ]
    named += [Path(m.group(1)) for m in re.finditer(r'plugin_cache_dir\s*=\s*"([^"]+)"', text)]
    if os.environ.get("TF_PLUGIN_CACHE_DIR"):
        named.append(Path(os.environ["TF_PLUGIN_CACHE_DIR"]))
    if re.search(r"^\s*provider_installation\s*\{", text, re.M):
        return named  # explicit installation methods: Terraform builds no implied mirrors
    data_dirs = os.environ.get("XDG_DATA_DIRS", "/usr/local/share:/usr/share").split(":")
    data_home = os.environ.get("XDG_DATA_HOME", str(Path.home() / ".local" / "share"))
    return [
        Path.home() / ".terraform.d" / "plugins",
        Path(data_home) / "terraform" / "plugins",
        *(Path(d) / "terraform" / "plugins" for d in data_dirs if d),
        *named,
    ]


def find_provider() -> Path | None:
    """The tencentcloud provider binary in a place ``terraform init`` looks without a network."""
    for place in provider_locations():
        for binary in sorted(
            (place / PROVIDER).glob("*/linux_amd64/terraform-provider-tencentcloud*")
        ):
            if binary.is_file() and os.access(binary, os.X_OK):
                return binary
    return None


def provider_version(config: Path) -> str:
    lock = config / ".terraform.lock.hcl"
    match = re.search(
        r'provider "registry.terraform.io/tencentcloudstack/tencentcloud" \{\s*'
        r'version\s*=\s*"([^"]+)"',
        lock.read_text() if lock.exists() else "",
    )
    return match.group(1) if match else "(version unknown)"


def _stop(signum: int, frame: object) -> None:
    raise Stopped(signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autocallout.local_cloud.rehearsal",
        description="Rehearse the deploy of infra/ on the local cloud with the real Terraform.",
    )
    parser.add_argument("--infra", type=Path, default=REPO / "infra", help="the Terraform root")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args(argv)
    if shutil.which("terraform") is None:
        print("cloud-demo: terraform is not installed (Terraform >= 1.10)", file=sys.stderr)
        return 2
    scratch = Path(tempfile.mkdtemp(prefix="cloud-demo-"))
    previous = {signum: signal.signal(signum, _stop) for signum in (signal.SIGTERM, signal.SIGHUP)}
    try:
        with LocalCloud() as cloud:
            print(f"local cloud on {cloud.url} (fake CCC on {cloud.ccc_server.url})", flush=True)
            rehearsal = Rehearsal(cloud, scratch, infra=args.infra)
            try:
                rehearsal.run()
            except ProviderMissing as missing:
                print(f"cloud-demo: {missing}", file=sys.stderr)
                return 2
            except RehearsalFailed as failure:
                print(f"cloud-demo: FAILED: {failure}", file=sys.stderr)
                return 1
            total = sum(step.seconds for step in rehearsal.steps)
            print(f"every step held ({total:.0f} s); the local cloud is empty", flush=True)
            return 0
    except (Stopped, KeyboardInterrupt) as stop:
        signum = stop.signum if isinstance(stop, Stopped) else signal.SIGINT
        print(
            f"cloud-demo: stopped by {signal.Signals(signum).name}: terraform interrupted,"
            " the local cloud and its functions stopped",
            file=sys.stderr,
        )
        return 128 + signum
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if args.keep:
            print(f"scratch kept in {scratch}", file=sys.stderr)
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
