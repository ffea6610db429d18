"""``autocallout cloud``: the local cloud on a port until Ctrl-C (autocallout.cli registers it)."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import Any

DEFAULT_PORT = 4566  # LocalStack's, so that habits carry over


def register(commands: Any) -> None:
    cloud = commands.add_parser(
        "cloud",
        help="serve a local Tencent Cloud (SCF, CAM, CLS, Monitor, Tag, SSM) for Terraform",
        description="Serve the local cloud: the control-plane APIs infra/ uses, functions run "
        "from their zip, Function URLs, timers, logs in CLS, and a fake CCC behind them. It "
        "prints the environment that points Terraform's tencentcloud provider at it.",
    )
    cloud.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    cloud.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0 picks)"
    )
    cloud.add_argument(
        "--state",
        metavar="FILE",
        help="keep the cloud's state in FILE: read at start if it exists, written at exit",
    )
    cloud.add_argument(
        "--env-file",
        metavar="FILE",
        help="write the provider's environment to FILE as NAME=value lines",
    )
    cloud.add_argument("--tasks", metavar="FILE", help="seed tasks for the fake CCC (JSON list)")
    cloud.add_argument("-v", "--verbose", action="store_true", help="log each request to stderr")
    cloud.set_defaults(run=run)


def _port(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535, got {text!r}")
    return int(text)


def _fail(message: str) -> int:
    print(f"autocallout cloud: error: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    from autocallout.fake_ccc import CccBackend
    from autocallout.local_cloud.server import CONTROL_PREFIX, LocalCloud

    try:
        ccc = CccBackend.seeded(args.tasks)
    except FileNotFoundError:
        return _fail(f"no such tasks file: {args.tasks}")
    except (ValueError, UnicodeDecodeError) as error:
        return _fail(f"cannot read tasks from {args.tasks}: {error}")
    log = (lambda line: print(line, file=sys.stderr, flush=True)) if args.verbose else None
    try:
        cloud = LocalCloud(host=args.host, port=args.port, ccc=ccc, state_file=args.state, log=log)
    except OSError as error:
        return _fail(f"cannot listen on {args.host}:{args.port}: {error.strerror}")
    except (ValueError, json.JSONDecodeError) as error:
        return _fail(f"cannot read the state file {args.state}: {error}")
    environment = cloud.terraform_environment()
    if args.env_file:
        lines = "".join(f"{name}={value}\n" for name, value in environment.items())
        try:
            Path(args.env_file).write_text(lines, encoding="utf-8")
        except OSError as error:
            cloud.stop()
            return _fail(f"cannot write {args.env_file}: {error.strerror}")
    print(f"local cloud on {cloud.url} (Ctrl-C stops it); fake CCC on {cloud.ccc_server.url}")
    print("functions reach CCC through the local cloud, which checks their role's CAM policies")
    print("point Terraform (or an SDK) at it:")
    for name, value in environment.items():
        print(f"  export {name}={shlex.quote(value)}")
    print(f"control API: {cloud.url}{CONTROL_PREFIX}{{health,resources,logs?topic=ID,calls}}")
    sys.stdout.flush()
    try:
        cloud.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        cloud.stop()
    return 0
