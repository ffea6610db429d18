"""``autocallout``: the function and its fake CCC on this machine; see ``autocallout --help``."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn


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


def _read_event(source: str) -> Any:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandError(f"no such event file: {source}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"cannot read {source}: {error}") from None
    try:
        return json.loads(text)
    except ValueError as error:
        raise CommandError(f"{source} is not JSON: {error}") from None


def _use_fake(args: argparse.Namespace) -> bool:
    from autocallout.local_invoke import has_credentials

    if args.live:
        if not has_credentials():
            raise CommandError(
                "--live needs credentials: set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY"
            )
        return False
    return bool(args.fake) or not has_credentials()


@contextlib.contextmanager
def _function_target(args: argparse.Namespace, in_process: bool) -> Iterator[str]:
    """Wire the function to the fake (in process or on loopback) or leave it on real CCC."""
    from autocallout.local_invoke import fake_environment, seeded_backend

    if getattr(args, "ccc_endpoint", None):
        import os

        os.environ["CCC_ENDPOINT"] = args.ccc_endpoint
        yield f"CCC at {args.ccc_endpoint}"
        return
    if not _use_fake(args):
        yield "real CCC, with the credentials in the environment"
        return
    try:
        backend = seeded_backend(args.tasks)
    except FileNotFoundError:
        raise CommandError(f"no such tasks file: {args.tasks}") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise CommandError(f"cannot read tasks from {args.tasks}: {error}") from None
    if in_process:
        from autocallout.fake_ccc import mock_ccc

        with fake_environment(), mock_ccc(backend):
            yield "the fake CCC (in process)"
        return
    from autocallout.fake_ccc import FakeCccServer

    server = FakeCccServer(backend)
    with server as url, fake_environment(endpoint=url):
        yield f"the fake CCC at {url}"


def _invoke(args: argparse.Namespace) -> int:
    from autocallout.local_invoke import status_of

    event = _read_event(args.event)
    with _function_target(args, in_process=True):
        from callout_task.handler import main_handler

        # The function logs to stdout, as in SCF; here stdout is for the answer.
        with contextlib.redirect_stdout(sys.stderr):
            answer = main_handler(event, {"time_limit_in_ms": args.time_limit_ms})
    print(json.dumps(answer, ensure_ascii=False, indent=2))
    return 0 if 200 <= status_of(answer) < 300 else 1


def _serve(args: argparse.Namespace) -> int:
    from autocallout.local_server import LocalFunctionServer

    with _function_target(args, in_process=False) as target:
        from callout_task.handler import main_handler

        try:
            server = LocalFunctionServer(
                (args.host, args.port), args.shape, main_handler, args.time_limit_ms
            )
        except OSError as error:
            raise CommandError(
                f"cannot listen on {args.host}:{args.port}: {error.strerror}"
            ) from None
        print(f"function ({args.shape} events) on {server.url}, calling {target}", flush=True)
        print(f"try: curl '{server.url}/?SdkAppId=1400000000&TaskId=3'  (Ctrl-C stops)", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
    return 0


def _events(args: argparse.Namespace) -> int:
    from autocallout.sample_events import make_event, task_parameters

    if args.shape != "timer" and len(args.task_id) > 1:
        raise CommandError("several --task-id values make sense only for a timer event")
    tasks = [
        task_parameters(
            args.sdk_app_id, task_id, args.include_callees, args.callee_offset, args.callee_limit
        )
        for task_id in args.task_id
    ]
    event = make_event(args.shape, tasks, args.method, args.base64)
    print(json.dumps(event, ensure_ascii=False, indent=2))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from autocallout.demo import run_demo

    events_dir = Path(args.events)
    if not events_dir.is_dir():
        raise CommandError(f"no such events folder: {events_dir} (run from the repository root)")
    return run_demo(events_dir, args.show)


def _positive(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return int(text)


def _count(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return int(text)


def _add_target_options(command: argparse.ArgumentParser, with_endpoint: bool) -> None:
    where = command.add_mutually_exclusive_group()
    where.add_argument(
        "--fake",
        action="store_true",
        help="use the fake CCC (the default when no credentials are set)",
    )
    where.add_argument(
        "--live",
        action="store_true",
        help="use real CCC with TENCENTCLOUD_SECRET_ID/_KEY from the environment",
    )
    if with_endpoint:
        where.add_argument(
            "--ccc-endpoint",
            metavar="URL",
            help="call the CCC at URL (e.g. a running autocallout fake-ccc)",
        )
    command.add_argument("--tasks", metavar="FILE", help="seed tasks for the fake (JSON list)")
    command.add_argument(
        "--time-limit-ms",
        type=_positive,
        default=3000,
        metavar="MS",
        help="the invocation's time limit, as SCF's context gives it (3000)",
    )


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
    fake.add_argument("--port", type=_count, default=9000, help="port (default 9000; 0 picks one)")
    fake.add_argument("--tasks", metavar="FILE", help="seed tasks JSON (default: bundled seed)")
    fake.add_argument("--secret-id", help="SecretId the fake accepts (default: the local one)")
    fake.add_argument("--secret-key", help="SecretKey for --secret-id")
    fake.add_argument("--token", help="session token: the credentials become temporary ones")
    fake.add_argument("-v", "--verbose", action="store_true", help="log each request to stderr")
    fake.set_defaults(run=_fake_ccc)

    invoke = commands.add_parser(
        "invoke",
        help="run the function once on an event file and print its answer",
        description="Run main_handler in this process on EVENT and print its answer as JSON. "
        "Exit code 0 for a 2xx answer, 1 otherwise.",
    )
    invoke.add_argument("event", metavar="EVENT.json", help="the event; - reads standard input")
    _add_target_options(invoke, with_endpoint=False)
    invoke.set_defaults(run=_invoke)

    serve = commands.add_parser(
        "serve",
        help="serve the function on a local HTTP endpoint",
        description="Turn each HTTP request into the SCF event of --shape, run main_handler, "
        "and answer with its response.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=_count, default=8080, help="port (default 8080; 0 picks one)")
    serve.add_argument(
        "--shape",
        choices=("function-url", "apigw"),
        default="function-url",
        help="which front door's events to make (default function-url)",
    )
    _add_target_options(serve, with_endpoint=True)
    serve.set_defaults(run=_serve)

    events = commands.add_parser(
        "events",
        help="print a realistic event for a task",
        description="Print an SCF event of the given shape, ready for `autocallout invoke -`.",
    )
    events.add_argument("shape", choices=("apigw", "function-url", "timer", "direct"))
    events.add_argument("--sdk-app-id", type=_positive, required=True, metavar="ID")
    events.add_argument(
        "--task-id",
        type=_positive,
        required=True,
        action="append",
        metavar="ID",
        help="the task (repeat it for a timer polling several)",
    )
    events.add_argument(
        "--method",
        choices=("GET", "POST"),
        default="GET",
        help="HTTP shapes: query string (GET) or JSON body (POST)",
    )
    events.add_argument("--base64", action="store_true", help="HTTP POST: Base64-encode the body")
    events.add_argument("--include-callees", action=argparse.BooleanOptionalAction, default=None)
    events.add_argument("--callee-offset", type=_count, metavar="N")
    events.add_argument("--callee-limit", type=_positive, metavar="N")
    events.set_defaults(run=_events)

    demo = commands.add_parser(
        "demo",
        help="run every sample event on the fake and summarise",
        description="Invoke the function on every file of events/ against the fake CCC, print a "
        "summary table and one full answer.",
    )
    demo.add_argument("--events", default="events", metavar="DIR", help="folder of events")
    demo.add_argument(
        "--show",
        default="function-url-post-task.json",
        metavar="FILE",
        help="the event whose full answer is printed",
    )
    demo.set_defaults(run=_demo)
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
