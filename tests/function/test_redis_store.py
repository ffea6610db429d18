"""The Redis side of the shared limit, piece by piece: the URL, the wire, GCRA, the failures."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from callout_task import ca_store, shared_rate_limit
from callout_task.config import ConfigurationError, load_settings
from callout_task.redis_wire import RedisConnection, StoreError, parse_redis_url
from callout_task.shared_rate_limit import GCRA_SCRIPT, SharedRateLimit

from autocallout.fake_ccc.mock import tencent_hosts_at
from autocallout.redis_server import RedisServer, free_port, redis_server_binary
from tests.function.answers import log_lines
from tests.function.rude_upstream import RudeUpstream, answer
from tests.function.scenarios import REDIS_PASSWORD as PASSWORD
from tests.function.scenarios import SCF_CREDENTIALS, Invoke, function_url_get
from tests.function.scripted_redis import ScriptedServer
from tests.infra.tools import require_tool

# A token a minute: a burst spent stays spent while another instance's TLS handshake is made,
# however slow the machine (at 10 a second, a handshake of 0.1 s gave the next caller a token).
SLOW = 1 / 60


def _limit(
    url: str, rate: float = 10, burst: int = 5, password: str | None = PASSWORD
) -> SharedRateLimit:
    reader = (lambda _: password) if password else None
    return SharedRateLimit(parse_redis_url(url), "test:rate", rate, burst, 1.0, password=reader)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("redis://10.0.0.5", ("10.0.0.5", 6379, 0, False, None, None)),
        ("rediss://cache.internal:6380/2", ("cache.internal", 6380, 2, True, None, None)),
        ("redis://:p%40ss@10.0.0.5:6379/0", ("10.0.0.5", 6379, 0, False, None, "p@ss")),
        ("redis://app:pw@10.0.0.5", ("10.0.0.5", 6379, 0, False, "app", "pw")),
        ("redis://10.0.0.5:65535/15", ("10.0.0.5", 65535, 15, False, None, None)),
    ],
)
def test_a_redis_url_names_host_port_database_tls_and_credentials(
    url: str, expected: tuple[object, ...]
) -> None:
    assert tuple(parse_redis_url(url)) == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://10.0.0.5", "must start with redis:// or rediss://"),
        ("redis://", "names no host"),
        ("redis://10.0.0.5:99999", "not a number from 1 to 65535"),
        ("redis://10.0.0.5/cache", "is not a number"),
        ("redis://10.0.0.5/0?timeout=1", "query or fragment"),
        ("redis://10.0.0.5:0", "not a number from 1 to 65535"),
        ("redis://10.0.0.5/\u00b2", "database that is not a number"),
    ],
)
def test_a_bad_redis_url_is_a_configuration_error_naming_the_variable(
    url: str, message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message) as raised:
        load_settings({"RATE_LIMIT_REDIS_URL": url})
    assert str(raised.value).startswith("RATE_LIMIT_REDIS_URL ")


def test_a_redis_url_password_never_shows_in_its_configuration_error() -> None:
    # Given a password with an unencoded "/": urlsplit ends the host there, the rest is a path
    with pytest.raises(ConfigurationError) as raised:
        load_settings({"RATE_LIMIT_REDIS_URL": "redis://app:12/hunter2-secret@10.0.0.5"})
    # Then the message (logged at every invocation) says what to do, without any of it
    assert "hunter2" not in str(raised.value)
    assert "percent-encoded" in str(raised.value)


def test_a_redis_url_password_never_shows_in_the_settings() -> None:
    settings = load_settings({"RATE_LIMIT_REDIS_URL": "redis://:hunter2-secret@10.0.0.5"})
    assert settings.rate_limit_redis is not None
    assert "hunter2" not in repr(settings)


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"RATE_LIMIT_REDIS_TIMEOUT_SECONDS": "5"}, "between 0.001 and 1"),
        (
            {"RATE_LIMIT_REDIS_URL": "redis://r", "RATE_LIMIT_REDIS_PASSWORD_SECRET": "name"},
            "<SSM secret name>:<version id>",
        ),
        ({"RATE_LIMIT_REDIS_PASSWORD_SECRET": "name:v1"}, "RATE_LIMIT_REDIS_URL is not"),
    ],
)
def test_half_or_wrongly_configured_redis_settings_are_refused(
    environment: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        load_settings(environment)


def test_the_gcra_script_lets_a_burst_through_then_says_how_long_to_wait(
    guarded_redis: RedisServer,
) -> None:
    # Given a limit of 10 calls a second with bursts of 5
    limit = _limit(guarded_redis.url)
    # When 6 calls come at once
    waits = [limit.take() for _ in range(6)]
    # Then 5 go, and the sixth is told to wait no more than one interval (0.1 s)
    assert waits[:5] == [0.0] * 5
    assert 0 < waits[5] <= 0.1


def test_instances_share_one_bucket(guarded_redis: RedisServer) -> None:
    # Given two instances of the same limit on one Redis
    first, second = _limit(guarded_redis.url), _limit(guarded_redis.url)
    # When the first spends the burst
    assert [first.take() for _ in range(5)] == [0.0] * 5
    # Then the second has nothing left either
    assert second.take() > 0


def test_a_refused_password_falls_back_to_the_local_bucket_and_says_so(
    guarded_redis: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a limit whose password Redis refuses
    limit = _limit(guarded_redis.url, password="wrong-password")
    # When calls come
    waits = [limit.take() for _ in range(6)]
    # Then the instance's own bucket of the same size answers
    assert waits[:5] == [0.0] * 5
    assert waits[5] > 0
    # And one warning says why, without the password
    output = capsys.readouterr().out
    [line] = log_lines(output)
    assert "WRONGPASS" in str(line["detail"])
    assert "wrong-password" not in output


def test_a_check_with_no_time_left_does_not_go_to_redis(capsys: pytest.CaptureFixture[str]) -> None:
    # Given a limit on a Redis that is not there at all
    limit = _limit("redis://127.0.0.1:1")
    # When the invocation has no time left to spare
    wait = limit.take(time_left=0.0)
    # Then the local bucket answers, and nothing was tried (so nothing failed)
    assert wait == 0.0
    assert capsys.readouterr().out == ""


def test_the_wire_runs_the_script_on_a_real_server(guarded_redis: RedisServer) -> None:
    connection = RedisConnection(parse_redis_url(guarded_redis.url), PASSWORD)
    reply = connection.call("EVAL", GCRA_SCRIPT, 1, "test:wire", 100_000, 1, timeout=5)
    assert reply == 0
    assert connection.call("EVAL", "return 'x'", 0, timeout=5) == b"x"
    with pytest.raises(StoreError, match="ERR"):
        connection.call("NOSUCHCOMMAND", timeout=5)


def test_a_store_that_keeps_failing_is_logged_once_a_minute(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a limit on a Redis that refuses connections, tried again on every call
    monkeypatch.setattr(shared_rate_limit, "STORE_RETRY_SECONDS", 0.0)
    limit = _limit(f"redis://127.0.0.1:{free_port()}")
    # When many calls each find it down
    for _ in range(5):
        limit.take()
    # Then one line says so
    assert len(log_lines(capsys.readouterr().out)) == 1


@pytest.fixture
def tls_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A server that speaks TLS only, its certificate signed by a CA of the test's own."""
    binary = require_tool(
        redis_server_binary(), "redis-server", "apt-get install redis-server; .ci/run does"
    )
    with RedisServer(binary, password=PASSWORD, tls_directory=tmp_path) as server:
        yield server


def test_rediss_speaks_tls_to_a_server_it_trusts(
    tls_redis: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the server's CA among those the function trusts (OpenSSL's SSL_CERT_FILE)
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_redis.ca_file))
    limit = _limit(tls_redis.url, rate=SLOW)
    # When calls come, Then the shared burst is spent over TLS
    assert [limit.take() for _ in range(6)][5] > 0
    assert _limit(tls_redis.url, rate=SLOW).take() > 0  # another instance sees it spent


def test_rediss_trusts_the_distribution_s_bundle_where_openssl_finds_no_store(
    tls_redis: RedisServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given an OpenSSL that looks where there is no store (a Python built with an OpenSSL of its
    # own), and the distribution's bundle holding the server's CA
    nothing = tmp_path / "no-store"
    nothing.mkdir()
    monkeypatch.setenv("SSL_CERT_FILE", str(nothing / "bundle.pem"))
    monkeypatch.setenv("SSL_CERT_DIR", str(nothing))
    monkeypatch.setattr(ca_store, "DISTRIBUTION_BUNDLES", (str(tls_redis.ca_file),))
    limit = _limit(tls_redis.url, rate=SLOW)
    # When calls come, Then the shared burst is spent over TLS
    assert [limit.take() for _ in range(6)][5] > 0
    assert _limit(tls_redis.url, rate=SLOW).take() > 0  # another instance sees it spent


def test_rediss_refuses_a_server_it_cannot_verify(
    tls_redis: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a server whose certificate no trusted CA signed
    limit = _limit(tls_redis.url)
    # When a call comes, Then the local bucket answers and the warning says why
    assert limit.take() == 0.0
    [line] = log_lines(capsys.readouterr().out)
    assert "CERTIFICATE_VERIFY_FAILED" in str(line["detail"])


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/html", b"<html>502 Bad Gateway</html>"),  # a proxy on the way, answering 200
        ("application/json", b"{not json"),
        ("application/json", b'{"Response": ["no", "object"]}'),
        ("application/json", b"{}"),
        ("application/json", b'{"Response": {"Error": "unavailable"}}'),
    ],
)
def test_a_malformed_ssm_answer_falls_back_to_the_local_bucket(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    content_type: str,
    body: bytes,
) -> None:
    # Given a Redis password kept in SSM, and SSM (or what stands for it) answering nonsense
    for name, value in SCF_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(
        {
            "RATE_LIMIT_REDIS_URL": f"redis://127.0.0.1:{free_port()}",
            "RATE_LIMIT_REDIS_PASSWORD_SECRET": "callout-redis:v1",
        }
    )
    limit = shared_rate_limit.limiter_for(settings)
    ssm = RudeUpstream(answer(body, content_type=content_type))
    with ssm, tencent_hosts_at(ssm.url):
        # When a call comes, Then the local bucket answers (no exception escapes the limiter)
        assert limit.take(time_left=3.0) == 0.0
    assert ssm.requests == 1
    # And one warning names the secret
    [line] = log_lines(capsys.readouterr().out)
    assert "callout-redis:v1" in str(line["detail"])


def test_a_connection_redis_dropped_while_idle_is_opened_again_not_failed_open(
    guarded_redis: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an instance that has used the shared limit, then sat idle while Redis dropped its
    # connection (Redis's `timeout`, a restart, a NAT forgetting it: here CLIENT KILL)
    limit = _limit(guarded_redis.url)
    assert [limit.take() for _ in range(4)] == [0.0] * 4
    admin = RedisConnection(parse_redis_url(guarded_redis.url), PASSWORD)
    assert admin.call("CLIENT", "KILL", "TYPE", "normal", timeout=5) == 1
    # When the next call comes, Then it takes the last token of the shared budget
    assert limit.take() == 0.0
    assert _limit(guarded_redis.url).take() > 0  # another instance finds none left
    # And nothing was reported, since nothing failed
    assert capsys.readouterr().out == ""


def test_the_budget_key_expires_once_it_no_longer_matters(guarded_redis: RedisServer) -> None:
    # Given a limit of 1 call a second, bursts of 5
    limit = _limit(guarded_redis.url, rate=1)
    admin = RedisConnection(parse_redis_url(guarded_redis.url), PASSWORD)
    # When 3 calls go at once
    assert [limit.take() for _ in range(3)] == [0.0] * 3
    # Then the key lives until the bucket would be full again (3 s): not less, which would
    # hand out a burst too soon, and not forever (half a second spared for a loaded machine)
    ttl = admin.call("PTTL", "test:rate", timeout=5)
    assert isinstance(ttl, int)
    assert 2500 < ttl <= 3001


def test_a_frozen_redis_costs_a_tenth_of_the_time_left_at_most(
    guarded_redis: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a limit allowed a whole second per check, on a Redis frozen (replies never come)
    limit = _limit(guarded_redis.url)
    assert limit.take() == 0.0  # connected while it answered
    guarded_redis.pause()
    thaw = threading.Timer(10.0, guarded_redis.resume)  # a check that ignored its bound
    thaw.start()  # would wait this long and fail below, instead of hanging the run
    try:
        # When a call comes with 2 s left
        started = time.monotonic()
        wait = limit.take(time_left=2.0)
        took = time.monotonic() - started
    finally:
        thaw.cancel()
        guarded_redis.resume()
    # Then the check gave up well before its own second (its bound is 0.2 s; loose for a loaded
    # machine) and the local bucket answered
    assert took < 0.6
    assert wait == 0.0
    assert "timed out" in capsys.readouterr().out


def test_a_frozen_redis_costs_an_invocation_a_tenth_of_its_time_not_the_store_s_whole_timeout(
    guarded_redis: RedisServer,
    invoke: Invoke,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given a store timeout of a whole second, and a Redis that froze after the instance
    # connected to it
    url = guarded_redis.url.replace("redis://", f"redis://:{PASSWORD}@", 1)
    monkeypatch.setenv("RATE_LIMIT_REDIS_URL", url)
    monkeypatch.setenv("RATE_LIMIT_REDIS_TIMEOUT_SECONDS", "1")
    request = function_url_get(SdkAppId="1400000000", TaskId="3")
    assert invoke(request)["statusCode"] == 200
    guarded_redis.pause()
    try:
        # When a call comes with a second to live
        answer = invoke(request, {"time_limit_in_ms": 1000})
    finally:
        guarded_redis.resume()
    # Then the check gave up at a tenth of that (the invocation's time, as the caller passes
    # it), the instance's own bucket let the call go, and CCC answered in time
    assert answer["statusCode"] == 200
    assert "timed out" in capsys.readouterr().out


def test_a_refused_password_is_read_again_when_redis_is_tried_again(
    guarded_redis: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a password that was rotated: the first read gives the old one, later reads the new
    monkeypatch.setattr(shared_rate_limit, "STORE_RETRY_SECONDS", 0.0)
    passwords = iter(["the-old-password", PASSWORD, PASSWORD])
    limit = SharedRateLimit(
        parse_redis_url(guarded_redis.url), "test:rate", 10, 1, 1.0, lambda _: next(passwords)
    )
    other = _limit(guarded_redis.url, burst=1)
    # When the first call is refused by Redis (and answered by the local bucket)
    assert limit.take() == 0.0
    # Then the next call reads the secret again and spends the shared budget
    assert limit.take(time_left=3.0) == 0.0
    assert other.take() > 0


def test_a_rate_of_zero_switches_the_shared_limit_off_without_asking_redis(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given RATE_LIMIT_QPS=0 with a Redis configured (here one that is not there)
    settings = load_settings(
        {"RATE_LIMIT_QPS": "0", "RATE_LIMIT_REDIS_URL": f"redis://127.0.0.1:{free_port()}"}
    )
    limit = shared_rate_limit.limiter_for(settings)
    # When calls come, Then every one goes at once, and Redis was not even tried
    assert [limit.take(time_left=3.0) for _ in range(5)] == [0.0] * 5
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(("time_left", "allowed"), [(2.0, 0.4), (None, 1.0), (10.0, 1.0)])
def test_the_password_is_read_once_per_instance_within_a_share_of_the_time_left(
    guarded_redis: RedisServer, time_left: float | None, allowed: float
) -> None:
    # Given a limit whose password is read from its secret (an HTTPS call to SSM)
    reads: list[float] = []

    def read(timeout: float) -> str:
        reads.append(timeout)
        return PASSWORD

    limit = SharedRateLimit(parse_redis_url(guarded_redis.url), "test:rate", 10, 5, 1.0, read)
    # When calls come, Then all reach the shared budget, and the secret was read once, given at
    # most a fifth of what the invocation had left and never more than a second
    assert [limit.take(time_left) for _ in range(6)][5] > 0
    assert reads == [pytest.approx(allowed)]


# --- answers the store cannot give ------------------------------------------------------------


def test_a_wait_longer_than_the_rate_can_produce_is_a_store_failure(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given something at Redis's address answering 99 999 999 999 999 µs (three years) once
    # gave every caller 429 with a Retry-After of three years. At 10 a second, GCRA never
    # asks for more than 0.1 s.
    three_years = [(0.0, b":99999999999999\r\n")]
    with ScriptedServer(three_years) as server:
        limit = _limit(server.url, rate=10, burst=5, password=None)
        # When calls come
        waits = [limit.take() for _ in range(6)]
    # Then the instance's own bucket answers them, as for any other failure of the store
    assert waits[:5] == [0.0] * 5
    assert 0 < waits[5] <= 0.1
    # And one warning says why
    [line] = log_lines(capsys.readouterr().out)
    assert line["level"] == "WARNING"
    assert "99999999999999" in str(line["detail"])
    assert "more than" in str(line["detail"])


_TWO_MB = b"x" * 2_000_000


def _the_warning_after(answer: bytes, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """Redis's address answers ``answer`` to the script: the instance's own bucket answers the
    call, and the one line logged, a WARNING, is returned."""
    with ScriptedServer([(0.0, answer)]) as server:
        limit = _limit(server.url, rate=10, burst=5, password=None)
        assert limit.take() == 0.0
    [line] = log_lines(capsys.readouterr().out)
    assert line["level"] == "WARNING"
    return line


@pytest.mark.parametrize(
    "answer",
    [
        b"$%d\r\n%s\r\n" % (len(_TWO_MB), _TWO_MB),  # a bulk string
        b"-ERR " + _TWO_MB + b"\r\n",  # an error
        b"+" + _TWO_MB + b"\r\n",  # a status
        b"$%d\r\n" % 10**12 + _TWO_MB,  # a bulk string that says it never ends
        _TWO_MB,  # a line that never ends
    ],
    ids=["bulk", "error", "status", "endless-bulk", "endless-line"],
)
def test_a_wrong_server_s_long_answer_is_a_store_failure_in_a_short_line(
    answer: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given something at Redis's address answering 2 MB where the script answers a number (its
    # text once went whole into the warning: a 2 MB log line)
    line = _the_warning_after(answer, capsys)
    # Then the instance's own bucket answers, and its one WARNING is a line of ordinary length
    assert len(str(line["detail"])) < 400


@pytest.mark.parametrize(
    ("answer", "quoted"),
    [
        (b":-5\r\n", "answered -5"),
        (b"$-1\r\n", "answered None"),
        (b"+OK\r\n", "answered b'OK'"),
        # text where a number is due, quoted to its first 200 bytes
        (b"$500\r\n" + b"x" * 500 + b"\r\n", "answered b'" + "x" * 200 + "'"),
    ],
    ids=["a negative wait", "nil", "a status", "long text"],
)
def test_an_answer_the_script_never_gives_is_a_store_failure_quoted_in_the_warning(
    answer: bytes, quoted: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given something at Redis's address answering what GCRA never does (a wait is a number,
    # 0 or more)
    line = _the_warning_after(answer, capsys)
    # Then the instance's own bucket answers, and its one WARNING quotes what came
    assert quoted in str(line["detail"])


def test_a_wait_of_one_interval_is_believed(capsys: pytest.CaptureFixture[str]) -> None:
    # The longest wait the script gives at 10 a second: 100 000 µs. That is Redis's answer.
    one_interval = [(0.0, b":100000\r\n")]
    with ScriptedServer(one_interval) as server:
        limit = _limit(server.url, rate=10, burst=5, password=None)
        assert limit.take() == 0.1
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(("rate", "interval"), [(10, 100_000), (3, 333_333), (7, 142_857)])
def test_a_wait_one_microsecond_past_the_interval_redis_is_sent_is_a_store_failure(
    rate: int, interval: int, capsys: pytest.CaptureFixture[str]
) -> None:
    # The interval is a second over the rate in whole microseconds, rounded: the script never
    # asks for more
    answers = [(0.0, b":%d\r\n" % interval)], [(0.0, b":%d\r\n" % (interval + 1))]
    with ScriptedServer(*answers) as server:
        limit = _limit(server.url, rate=rate, burst=5, password=None)
        assert limit.take() == interval / 1_000_000
        assert capsys.readouterr().out == ""
        assert limit.take() == 0.0  # the local bucket's
    [line] = log_lines(capsys.readouterr().out)
    assert f"a wait of {interval + 1} µs" in str(line["detail"])


def test_a_wrong_server_at_the_redis_address_does_not_lock_callers_out(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    three_years = [(0.0, b":99999999999999\r\n")]
    with ScriptedServer(three_years) as server:
        monkeypatch.setenv("RATE_LIMIT_REDIS_URL", server.url)
        answer = invoke(function_url_get(SdkAppId="1400000000", TaskId="3"))
    assert answer["statusCode"] == 200
    assert "Retry-After" not in answer["headers"]


def _keys_in_database_0(server: RedisServer, password: str | None) -> int | bytes | None:
    address = parse_redis_url(server.url)._replace(db=0)
    return RedisConnection(address, password).call("DBSIZE", timeout=5)


def test_a_database_redis_refuses_runs_no_script_anywhere(
    guarded_redis: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a URL naming database 99 of a server that has 16: SELECT fails. The script once
    # ran all the same, on database 0, spending a budget no one configured.
    limit = _limit(guarded_redis.url.rsplit("/", 1)[0] + "/99")
    # When a call comes
    assert limit.take() == 0.0  # the local bucket's answer
    # Then the store's failure is said, and nothing was written to database 0
    [line] = log_lines(capsys.readouterr().out)
    assert "DB index is out of range" in str(line["detail"])
    assert _keys_in_database_0(guarded_redis, PASSWORD) == 0


def test_a_password_redis_refuses_runs_no_script(capsys: pytest.CaptureFixture[str]) -> None:
    # Given a server without a password, and a limit that sends one: AUTH fails, and the script
    # once ran all the same.
    binary = require_tool(
        redis_server_binary(), "redis-server", "apt-get install redis-server; .ci/run does"
    )
    with RedisServer(binary) as open_server:
        limit = _limit(open_server.url, password="not-configured-there")
        assert limit.take() == 0.0
        [line] = log_lines(capsys.readouterr().out)
        assert "AUTH" in str(line["detail"])
        assert _keys_in_database_0(open_server, None) == 0


def test_the_slowest_rate_allowed_is_kept_in_redis_not_failed_open(
    guarded_redis: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # Below about 1e-11 a second the script's numbers overflowed and every check failed open;
    # RATE_LIMIT_QPS now has a floor, and at the floor Redis keeps the budget.
    rate = 0.001  # the floor: one call every 1 000 s
    limit = _limit(guarded_redis.url, rate=rate, burst=1)
    assert limit.take() == 0.0
    assert limit.take() == pytest.approx(1 / rate, rel=0.01)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("qps", ["1e-12", "0.0001", "0.000999"])
def test_a_rate_below_the_floor_is_a_configuration_error(qps: str) -> None:
    # The refusal gives the floor as the rate it is, one call every 1 000 s, and the value read.
    with pytest.raises(ConfigurationError) as refused:
        load_settings({"RATE_LIMIT_QPS": f" {qps} "})
    assert str(refused.value) == (
        "RATE_LIMIT_QPS must be 0 (off) or from 0.001 (one call every 1000 s) to 10000, "
        f"got {qps!r}"
    )
