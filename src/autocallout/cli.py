"""``autocallout``: the function and its fake CCC on this machine; see ``autocallout --help``."""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from autocallout.packaged_runtime import PackagedFunction


class CommandError(Exception):
    """A problem with what the user asked for: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _fake_ccc(args: argparse.Namespace) -> int:
    from autocallout import env_file
    from autocallout.fake_ccc import DEFAULT_CREDENTIALS, FakeCccServer, FakeCredentials
    from autocallout.local_invoke import seeded_backend
    from autocallout.local_target import seed_summary

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
    backend = _seeded(seeded_backend, args.tasks)
    backend.credentials.clear()
    backend.add_credentials(credentials)
    try:
        server = FakeCccServer(
            backend, args.host, args.port, log=_log_line if args.verbose else None
        )
    except OSError as error:
        raise _cannot_listen(args, error) from None
    settings = {
        "CCC_ENDPOINT": server.url,
        "TENCENTCLOUD_SECRET_ID": credentials.secret_id,
        "TENCENTCLOUD_SECRET_KEY": credentials.secret_key,
    }
    if credentials.token:
        settings["TENCENTCLOUD_SESSION_TOKEN"] = credentials.token
    if args.env_file:
        text = env_file.render(settings, f"autocallout fake-ccc on {server.url}")
        try:
            Path(args.env_file).write_text(text, encoding="utf-8")
        except OSError as error:
            server.stop()
            raise CommandError(f"cannot write {args.env_file}: {error.strerror}") from None
    if args.env_file:
        use = f"--env-file {args.env_file}"
    elif credentials == DEFAULT_CREDENTIALS:
        use = f"--ccc-endpoint {server.url}"
    else:  # its own credentials: only an env file carries them to the function
        use = "--env-file FILE (start me with --env-file FILE to write it)"
    lines = [
        f"fake CCC listening on {server.url} (Ctrl-C stops it)",
        f"tasks: {seed_summary(backend.tasks)}",
        f"use it: autocallout serve {use}   (or autocallout invoke EVENT.json {use})",
        "or point the SDK at it:",
        *(f"  export {name}={value}" for name, value in settings.items()),
        f"control API: {server.url}/_fake/{{health,calls,faults,tasks,reset}}",
    ]
    print("\n".join(lines), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def _cannot_listen(args: argparse.Namespace, error: OSError) -> CommandError:
    hint = ""
    if error.errno == errno.EADDRINUSE:
        hint = " (another server has it: choose another port with --port, 0 for any free one)"
    return CommandError(f"cannot listen on {args.host}:{args.port}: {error.strerror}{hint}")


def _seeded(make: Callable[[str | None], Any], tasks: str | None) -> Any:
    """The fake's backend from ``--tasks`` (or the bundled seed), or the one-line reason why not."""
    try:
        return make(tasks)
    except FileNotFoundError:
        raise CommandError(f"no such tasks file: {tasks}") from None
    except UnicodeDecodeError:
        raise CommandError(f"cannot read tasks from {tasks}: not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise CommandError(
            f"cannot read tasks from {tasks}: not JSON (line {error.lineno}, column "
            f"{error.colno}: {error.msg})"
        ) from None
    except ValueError as error:
        raise CommandError(f"cannot read tasks from {tasks}: {error}") from None


def _source_name(source: str) -> str:
    return "standard input" if source == "-" else source


def _read_event(source: str) -> Any:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandError(f"no such event file: {source}") from None
    except UnicodeDecodeError:
        raise CommandError(f"cannot read {_source_name(source)}: not UTF-8 text") from None
    except OSError as error:
        raise CommandError(f"cannot read {_source_name(source)}: {error.strerror}") from None
    try:
        return json.loads(text)
    except ValueError as error:
        raise CommandError(f"{_source_name(source)} is not JSON: {error}") from None
    except RecursionError:
        raise CommandError(f"{_source_name(source)} is not JSON: nested too deeply") from None


def _configuration(args: argparse.Namespace) -> dict[str, str]:
    """The --env-file's settings, checked as the function checks its environment; then the
    environment the function inherits from this shell, checked the same way."""
    from callout_task.config import ConfigurationError, load_settings

    from autocallout import env_file

    values: dict[str, str] = {}
    if args.env_file:
        try:
            values = env_file.read(args.env_file)
            load_settings(values)
        except (ValueError, ConfigurationError) as error:
            raise CommandError(f"--env-file {args.env_file}: {error}") from None
    _check_environment(args, values)
    return values


def _check_environment(args: argparse.Namespace, overrides: Mapping[str, str]) -> None:
    """A misspelled variable in the shell (the allowlist silently not applied) or a value the
    function would refuse at its first request (a 500 then) is one line now."""
    import difflib

    from callout_task.config import (
        ENVIRONMENT_VARIABLES,
        VARIABLE_PREFIXES,
        ConfigurationError,
        load_settings,
        unknown_variables,
    )

    inherited_names = sorted(n for n in os.environ if n not in overrides)
    unknown = unknown_variables({n: v for n, v in os.environ.items() if n not in overrides})
    if unknown:
        raise CommandError(
            f"your environment sets {'; '.join(unknown)}: the function does not read "
            f"{'it' if len(unknown) == 1 else 'them'} (correct the name, or unset it)"
        )
    # A typo in the prefix itself (ALOWED_SDK_APP_IDS) escapes the check above. The shell holds
    # other programs' variables too, so a very near miss there is a note, not a refusal.
    for name in inherited_names:
        if name in ENVIRONMENT_VARIABLES or name.upper().startswith(VARIABLE_PREFIXES):
            continue
        near = difflib.get_close_matches(name.upper(), ENVIRONMENT_VARIABLES, n=1, cutoff=0.9)
        if near:
            _say(
                args,
                f"note: your environment sets {name}, which the function does not read "
                f"(did you mean {near[0]}?)",
            )
    # The CCC endpoint is the command's to choose (the options, the env file, --live).
    inherited = {n: v for n, v in os.environ.items() if n != "CCC_ENDPOINT"}
    try:
        load_settings({**inherited, **overrides})
    except ConfigurationError as error:
        raise CommandError(f"your environment: {error}") from None


@contextlib.contextmanager
def _function_target(args: argparse.Namespace, in_process: bool) -> Iterator[str]:
    """Wire the function to the CCC the options choose, say which on stderr, yield it short."""
    from autocallout import local_target
    from autocallout.local_invoke import fake_environment, patched_environ, seeded_backend

    if args.fake and args.ccc_endpoint:
        raise CommandError("--fake and --ccc-endpoint contradict each other: choose one")
    configuration = _configuration(args)
    try:
        target = local_target.choose(
            live=args.live,
            fake=args.fake,
            endpoint=args.ccc_endpoint,
            env_file=configuration,
            environ=os.environ,
        )
    except ValueError as error:
        raise CommandError(str(error)) from None
    if args.tasks and (target.live or target.endpoint is not None):
        raise CommandError(
            "--tasks seeds the fake this command starts: none with --live or an endpoint"
        )
    note = local_target.unused_credentials_note(target, os.environ)
    with patched_environ(configuration):
        if target.live:
            with patched_environ({"CCC_ENDPOINT": target.endpoint}):
                _say(args, f"calling {local_target.describe(target)}")
                yield f"real CCC at {target.endpoint}"
            return
        if target.endpoint is not None:
            _check_listening(args, target.endpoint)
            with fake_environment(target.credentials, endpoint=target.endpoint):
                _say(args, f"calling {local_target.describe(target)}{note}")
                yield f"CCC at {target.endpoint}"
            return
        backend = _seeded(seeded_backend, args.tasks)
        role_arn = configuration.get("CCC_ROLE_ARN", "").strip()
        if role_arn:  # the deployed configuration assumes a role: the fake's STS knows it
            backend.roles.add(role_arn)
        seed = local_target.seed_summary(backend.tasks)
        if args.tasks:
            seed += f" (from {args.tasks})"
        if in_process:
            from autocallout.fake_ccc import mock_ccc

            with fake_environment(), mock_ccc(backend):
                _say(args, f"calling {local_target.describe(target, seed=seed)}{note}")
                yield "the fake CCC (in process)"
            return
        from autocallout.fake_ccc import FakeCccServer

        server = FakeCccServer(backend)
        with server as url, fake_environment(endpoint=url):
            _say(args, f"calling {local_target.describe(target, url, seed)}{note}")
            yield f"the fake CCC at {url}"


def _check_listening(args: argparse.Namespace, endpoint: str) -> None:
    """A CCC endpoint on this machine that refuses connections is most likely a fake that is not
    running: ``invoke`` stops there, ``serve`` says so and starts (the fake may come up later)."""
    import socket
    from urllib.parse import urlsplit

    url = urlsplit(endpoint)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        socket.create_connection((url.hostname or "127.0.0.1", port), timeout=2).close()
    except ConnectionRefusedError:
        problem = f"nothing listens at {endpoint}: is the fake running? (autocallout fake-ccc"
        problem += f" --port {port})" if url.port else ")"
        if args.command == "invoke":
            raise CommandError(problem) from None
        _say(args, f"warning: {problem}; until it is, lookups are answered 502")
    except OSError:
        pass  # slow or unreachable in another way: the function's own answer says it


def _say(args: argparse.Namespace, line: str) -> None:
    print(f"autocallout {args.command}: {line}", file=sys.stderr, flush=True)


def _packaged(args: argparse.Namespace) -> PackagedFunction | None:
    """The built zip to run (--package), checked before anything starts; None: the source tree."""
    if args.package is None:
        if args.runtime is not None:
            raise CommandError("--runtime goes with --package")
        return None
    from autocallout.packaged_runtime import PackagedFunction, PackageRunError

    try:
        return PackagedFunction(args.package, args.runtime)
    except PackageRunError as error:
        raise CommandError(str(error)) from None


@contextlib.contextmanager
def _handler(
    args: argparse.Namespace, packaged: PackagedFunction | None
) -> Iterator[Callable[[Any, Any], Any]]:
    """main_handler from the source tree, or an instance of the built zip run as SCF does."""
    if packaged is None:
        from callout_task.handler import main_handler

        yield main_handler
        return
    from autocallout.packaged_runtime import PackageRunError

    try:
        with packaged as function:
            _say(args, f"running {function.description()}")
            yield function.invoke
    except PackageRunError as error:
        raise CommandError(str(error)) from None


def _invoke(args: argparse.Namespace) -> int:
    from autocallout.local_invoke import status_of

    event = _read_event(args.event)
    packaged = _packaged(args)
    # The function logs to stdout, as in SCF; here stdout is for the answer.
    with (
        _function_target(args, in_process=packaged is None),
        _handler(args, packaged) as main_handler,
        contextlib.redirect_stdout(sys.stderr),
    ):
        answer = main_handler(event, {"time_limit_in_ms": args.time_limit_ms})
    print(json.dumps(answer, ensure_ascii=False, indent=2))
    return 0 if 200 <= status_of(answer) < 300 else 1


def _serve(args: argparse.Namespace) -> int:
    from autocallout.front_door_auth import door_for, key_lines, try_lines
    from autocallout.local_server import LocalFunctionServer

    # The pairings the cloud has: CAM on the Function URL, an API key on the legacy gateway.
    if args.auth == "api-key" and args.shape != "apigw":
        raise CommandError(
            "--auth api-key is the legacy API Gateway's key check: add --shape apigw (a Function "
            "URL checks CAM signatures: --auth cam)"
        )
    if args.auth == "cam" and args.shape == "apigw":
        raise CommandError(
            "--auth cam is the Function URL's CAM check: the legacy API Gateway (--shape apigw) "
            "checks an API key (--auth api-key)"
        )

    # The port is taken first, so that a busy one fails before anything starts; the handler
    # comes later, once the CCC is chosen (with --package, the zip's instance needs its
    # environment), so requests go through this one-slot forwarder.
    packaged = _packaged(args)
    handlers: list[Callable[[Any, Any], Any]] = []

    def forward(event: Any, context: Any) -> Any:
        return handlers[0](event, context)

    door = door_for(args.auth)
    try:
        server = LocalFunctionServer(
            (args.host, args.port),
            args.shape,
            forward,
            args.time_limit_ms,
            door=door,
        )
    except OSError as error:
        raise _cannot_listen(args, error) from None
    try:
        with (
            _function_target(args, in_process=False) as target,
            _handler(args, packaged) as main_handler,
        ):
            handlers.append(main_handler)
            print(f"function ({args.shape} events) on {server.url}, calling {target}", flush=True)
            print("\n".join([*key_lines(door), *try_lines(door, server.url)]), flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                server.serve_forever()
    finally:
        server.server_close()
    return 0


def _events(args: argparse.Namespace) -> int:
    from autocallout.sample_events import make_event, task_parameters

    http = args.shape in ("apigw", "function-url")
    if args.shape != "timer" and len(args.task_id) > 1:
        raise CommandError("several --task-id values make sense only for a timer event")
    if not http and (args.method or args.base64):
        option = "--method" if args.method else "--base64"
        raise CommandError(
            f"{option} applies to HTTP events (apigw, function-url), not {args.shape}"
        )
    method = args.method or "GET"
    if args.base64 and method != "POST":
        raise CommandError("--base64 encodes a request body: add --method POST")
    tasks = [
        task_parameters(
            args.sdk_app_id, task_id, args.include_callees, args.callee_offset, args.callee_limit
        )
        for task_id in args.task_id
    ]
    event = make_event(args.shape, tasks, method, args.base64)
    print(json.dumps(event, ensure_ascii=False, indent=2))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from autocallout.demo import run_demo
    from autocallout.local_invoke import seeded_backend
    from autocallout.local_target import seed_summary

    events_dir = Path(args.events)
    if not events_dir.is_dir():
        raise CommandError(f"no such events folder: {events_dir} (run from the repository root)")
    if not (events_dir / args.show).is_file():
        raise CommandError(f"--show {args.show}: no such event in {events_dir}")
    _check_environment(args, {})
    backend = seeded_backend(None)
    _say(args, f"calling the fake CCC in process, seeded with {seed_summary(backend.tasks)}")
    try:
        return run_demo(events_dir, args.show, backend=backend)
    except ValueError as error:  # an event file that is not a JSON event, named in the message
        raise CommandError(str(error)) from None


def _positive(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return int(text)


def _count(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return int(text)


def _port(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535, got {text!r}")
    return int(text)


def _time_limit(text: str) -> int:
    # SCF's longest timeout is 900 s; more would also overflow socket timeouts downstream.
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 900_000:
        raise argparse.ArgumentTypeError(f"expected milliseconds from 1 to 900000, got {text!r}")
    return int(text)


def _endpoint(text: str) -> str:
    from autocallout.local_target import endpoint_url

    try:
        return endpoint_url(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _add_target_options(command: argparse.ArgumentParser) -> None:
    from autocallout.local_invoke import DEFAULT_TIME_LIMIT_MS

    where = command.add_mutually_exclusive_group()
    where.add_argument(
        "--fake",
        action="store_true",
        help="use the fake CCC (the default), whatever --env-file says",
    )
    where.add_argument(
        "--live",
        action="store_true",
        help="use real CCC with TENCENTCLOUD_SECRET_ID/_KEY from the environment or --env-file",
    )
    command.add_argument(
        "--ccc-endpoint",
        type=_endpoint,
        metavar="URL",
        help="call the CCC at URL: on this machine (e.g. a running autocallout fake-ccc, with "
        "its default credentials), or anywhere with --live",
    )
    command.add_argument(
        "--env-file",
        metavar="FILE",
        help="the function's environment from NAME=value lines, e.g. written by "
        "`terraform output -raw local_env` or `autocallout fake-ccc --env-file`",
    )
    command.add_argument("--tasks", metavar="FILE", help="seed tasks for the fake (JSON list)")
    command.add_argument(
        "--time-limit-ms",
        type=_time_limit,
        default=DEFAULT_TIME_LIMIT_MS,
        metavar="MS",
        help="the invocation's time limit, as SCF's context gives it (default "
        f"{DEFAULT_TIME_LIMIT_MS}: the deployed function's timeout, infra's default)",
    )


def _add_package_options(command: argparse.ArgumentParser) -> None:
    from autocallout.runtimes import RUNTIMES

    command.add_argument(
        "--package",
        type=Path,
        metavar="ZIP",
        help="run the built zip as SCF does: unpacked read-only, on the runtime's own CPython"
        " with -I -S -B (ZIP, or a folder whose package manifest names it, e.g. dist)",
    )
    command.add_argument(
        "--runtime",
        choices=list(RUNTIMES),
        help="with --package: the runtime to run it on (default: the one it is built for)",
    )


def _log_line(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="autocallout",
        description="Run the auto-callout task function and a fake Tencent CCC on this machine.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    fake = commands.add_parser(
        "fake-ccc",
        help="serve a fake CCC (DescribeAutoCalloutTask) on loopback",
        description="Serve the fake CCC over HTTP: signatures verified, faults injectable.",
    )
    fake.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    fake.add_argument("--port", type=_port, default=9000, help="port (default 9000; 0 picks one)")
    fake.add_argument("--tasks", metavar="FILE", help="seed tasks JSON (default: bundled seed)")
    fake.add_argument("--secret-id", help="SecretId the fake accepts (default: the local one)")
    fake.add_argument("--secret-key", help="SecretKey for --secret-id")
    fake.add_argument("--token", help="session token: the credentials become temporary ones")
    fake.add_argument(
        "--env-file",
        metavar="FILE",
        help="write its endpoint and credentials to FILE, for serve/invoke --env-file FILE",
    )
    fake.add_argument("-v", "--verbose", action="store_true", help="log each request to stderr")
    fake.set_defaults(run=_fake_ccc)

    invoke = commands.add_parser(
        "invoke",
        help="run the function once on an event file and print its answer",
        description="Run main_handler in this process on EVENT and print its answer as JSON. "
        "Exit code 0 for a 2xx answer, 1 otherwise.",
    )
    invoke.add_argument("event", metavar="EVENT.json", help="the event; - reads standard input")
    _add_target_options(invoke)
    _add_package_options(invoke)
    invoke.set_defaults(run=_invoke)

    serve = commands.add_parser(
        "serve",
        help="serve the function on a local HTTP endpoint",
        description="Turn each HTTP request into the SCF event of --shape, run main_handler, "
        "and answer with its response.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8080, help="port (default 8080; 0 picks one)")
    serve.add_argument(
        "--shape",
        choices=("function-url", "apigw"),
        default="function-url",
        help="which front door's events to make (default function-url)",
    )
    serve.add_argument(
        "--auth",
        choices=("none", "cam", "api-key"),
        default="none",
        help="the front door's authentication: cam (Function URL, TC3-HMAC-SHA256), "
        "api-key (legacy API Gateway), none (default); the local key pair is printed at start",
    )
    _add_target_options(serve)
    _add_package_options(serve)
    serve.set_defaults(run=_serve)

    events = commands.add_parser(
        "events",
        help="print a realistic event for a task",
        description="Print an SCF event of the given shape, ready for `autocallout invoke -`.",
    )
    events.add_argument(
        "shape",
        choices=("apigw", "function-url", "timer", "direct"),
        help="the trigger: legacy API Gateway, Function URL, timer, or a direct invocation",
    )
    events.add_argument(
        "--sdk-app-id", type=_positive, required=True, metavar="ID", help="the CCC application"
    )
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
        help="HTTP shapes only: parameters in the query string (GET, the default) or a JSON body "
        "(POST)",
    )
    events.add_argument(
        "--base64", action="store_true", help="with --method POST: Base64-encode the body"
    )
    events.add_argument(
        "--include-callees",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="ask for the callee list (the function's default) or only the summary",
    )
    events.add_argument(
        "--callee-offset", type=_count, metavar="N", help="the first callee returned (default 0)"
    )
    events.add_argument(
        "--callee-limit",
        type=_positive,
        metavar="N",
        help="callees per answer (the function's default 1000, at most 10000)",
    )
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

    from autocallout import local_watch  # the watch subcommand lives in its own module

    local_watch.add_parser(commands)

    from autocallout.local_cloud.command import register as register_cloud

    register_cloud(commands)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("autocallout")
    except PackageNotFoundError:
        return "(not installed)"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        status = run(args)
        sys.stdout.flush()  # inside the try: a closed pipe shows here, not at exit
        return status
    except CommandError as error:
        print(f"autocallout {args.command}: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader left (`autocallout ... | head`); say so once, and keep Python from
        # failing again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        print(f"autocallout {args.command}: stopped: standard output was closed", file=sys.stderr)
        return 141  # what a shell reports for a process ended by SIGPIPE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
