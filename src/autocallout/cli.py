"""``autocallout``: the function and its fake CCC on this machine; see ``autocallout --help``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn


class CommandError(Exception):
    """A problem with what the user asked for: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _fake_ccc(args: argparse.Namespace) -> int:
    from autocallout.fake_ccc import DEFAULT_CREDENTIALS, CccBackend, FakeCccServer, FakeCredentials

    if bool(args.secret_id) != bool(args.secret_key):
        raise CommandError("--secret-id and --secret-key go together")
    credentials = (
        FakeCredentials(args.secret_id, args.secret_key, args.token)
        if args.secret_id
        else FakeCredentials(
            DEFAULT_CREDENTIALS.secret_id,
            DEFAULT_CREDENTIALS.secret_key,
            args.token or DEFAULT_CREDENTIALS.token,
        )
    )
    try:
        backend = CccBackend.seeded(args.tasks, credentials=(credentials,))
    except FileNotFoundError:
        raise CommandError(f"no such tasks file: {args.tasks}") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise CommandError(f"cannot read tasks from {args.tasks}: {error}") from None
    try:
        server = FakeCccServer(
            backend, args.host, args.port, log=_log_line if args.verbose else None
        )
    except OSError as error:
        raise CommandError(f"cannot listen on {args.host}:{args.port}: {error.strerror}") from None
    lines = [
        f"fake CCC listening on {server.url} with {len(backend.tasks)} tasks (Ctrl-C stops it)",
        "point the function or the SDK at it with:",
        f"  export CCC_ENDPOINT={server.url}",
        f"  export TENCENTCLOUD_SECRET_ID={credentials.secret_id}",
        f"  export TENCENTCLOUD_SECRET_KEY={credentials.secret_key}",
    ]
    if credentials.token:
        lines.append(f"  export TENCENTCLOUD_SESSION_TOKEN={credentials.token}")
    lines.append(f"control API: {server.url}/_fake/{{health,calls,faults,tasks,reset}}")
    print("\n".join(lines), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def _log_line(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="autocallout",
        description="Run the auto-callout task function and a fake Tencent CCC on this machine.",
    )
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    fake = commands.add_parser(
        "fake-ccc",
        help="serve a fake CCC (DescribeAutoCalloutTask) on loopback",
        description="Serve the fake CCC over HTTP: signatures verified, faults injectable.",
    )
    fake.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    fake.add_argument("--port", type=int, default=9000, help="port (default 9000; 0 picks one)")
    fake.add_argument("--tasks", metavar="FILE", help="seed tasks JSON (default: bundled seed)")
    fake.add_argument("--secret-id", help="SecretId the fake accepts (default: the local one)")
    fake.add_argument("--secret-key", help="SecretKey for --secret-id")
    fake.add_argument("--token", help="session token: the credentials become temporary ones")
    fake.add_argument("-v", "--verbose", action="store_true", help="log each request to stderr")
    fake.set_defaults(run=_fake_ccc)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except CommandError as error:
        print(f"autocallout {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
