"""Paging and the callee summary (SPEC "Output"): the summary counts every callee, not just the
page; pages walked by next_offset cover every callee once; a page past SCF's answer limit is cut
and says where the rest starts; any answer streamed in any chunks is what the whole gives."""

from __future__ import annotations

import json
from typing import Any

import pytest
from callout_task import answer_size, http, problems
from callout_task.answer_stream import AnswerParser, valid_unicode
from callout_task.normalise import CalleeDigest, normalise, normalise_digested
from callout_task.request import TaskRequest
from hypothesis import given, settings
from hypothesis import strategies as st

from autocallout.fake_ccc import CccBackend
from tests.function.answers import log_lines
from tests.function.scenarios import Invoke


def _task(
    invoke: Invoke, task_id: int, sdk_app_id: int = 1400000000, **options: Any
) -> dict[str, Any]:
    body: dict[str, Any] = invoke({"SdkAppId": sdk_app_id, "TaskId": task_id, **options})
    return body


def test_the_summary_counts_every_callee_not_just_the_page(invoke: Invoke) -> None:
    body = _task(invoke, 7, callee_limit=10)
    summary = body["callee_summary"]
    assert summary == {
        "total": 10_000,
        "initial": 0,
        "answered": 6_000,
        "not_answered": 4_000,
        "calling": 0,
        "waiting_retry": 0,
        "unknown": 0,
    }
    assert body["callee_page"] == {"offset": 0, "limit": 10, "returned": 10, "next_offset": 10}


def test_the_last_page_has_no_next_offset(invoke: Invoke) -> None:
    page = _task(invoke, 7, callee_offset=9_995, callee_limit=10)["callee_page"]
    assert page == {"offset": 9_995, "limit": 10, "returned": 5, "next_offset": None}


def test_an_offset_past_the_end_returns_an_empty_page(invoke: Invoke) -> None:
    body = _task(invoke, 7, callee_offset=20_000)
    assert body["callees"] == []
    assert body["callee_page"] == {
        "offset": 20_000,
        "limit": 1000,
        "returned": 0,
        "next_offset": None,
    }


def test_pages_walked_by_next_offset_cover_every_callee_once(invoke: Invoke) -> None:
    seen: list[str] = []
    offset: int | None = 0
    while offset is not None:
        body = _task(invoke, 7, callee_offset=offset, callee_limit=3_000)
        seen.extend(callee["callee"] for callee in body["callees"])
        offset = body["callee_page"]["next_offset"]
    assert len(seen) == len(set(seen)) == 10_000


def test_without_callees_the_summary_stays(invoke: Invoke) -> None:
    body = _task(invoke, 3, include_callees=False)
    assert body["callees"] == []
    assert body["callee_summary"]["total"] == 6
    assert body["callee_page"]["next_offset"] is None


def _bulky_task(ccc: CccBackend, task_id: int, callees: int, **fields: Any) -> None:
    """A task whose page of 10 000 callees passes SCF's 6 MB answer limit: ten sessions each."""
    entries = [
        {
            "Callee": f"138{n:08d}",
            "State": n % 5,
            "Sessions": [f"session-{n:08d}-{k:02d}-{'x' * 40}" for k in range(10)],
        }
        for n in range(callees)
    ]
    ccc.put_task({"SdkAppId": 1400000000, "TaskId": task_id, "Callees": entries, **fields})


def test_a_page_past_scf_s_answer_limit_is_cut_and_the_rest_is_paged_to(
    invoke: Invoke, ccc: CccBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    _bulky_task(ccc, 950, 12_000)
    seen: list[str] = []
    offset: int | None = 0
    pages = []
    while offset is not None:
        query = {"SdkAppId": 1400000000, "TaskId": 950, "callee_offset": offset}
        body = invoke({**query, "callee_limit": 10_000}, {"time_limit_in_ms": 60_000})
        assert answer_size.cost(body) <= answer_size.ANSWER_BUDGET
        pages.append(body["callee_page"])
        seen.extend(callee["callee"] for callee in body["callees"])
        offset = body["callee_page"]["next_offset"]

    first = pages[0]
    assert 0 < first["returned"] < 10_000  # cut: 10 000 of these callees are some 7 MB
    assert first["next_offset"] == first["returned"]
    assert len(seen) == len(set(seen)) == 12_000
    assert body["callee_summary"]["total"] == 12_000
    [line, *_] = [x for x in log_lines(capsys.readouterr().out) if x["message"] == "invocation"]
    assert f"from 10000 to {first['returned']} callees" in line["detail"]
    assert f"callee_offset={first['returned']}" in line["detail"]


def test_a_task_too_large_to_answer_even_without_callees_is_a_problem_saying_so(
    invoke: Invoke, ccc: CccBackend
) -> None:
    ccc.put_task({"SdkAppId": 1400000000, "TaskId": 951, "Name": "n" * 6_000_000, "Callees": []})

    body = _task(invoke, 951)

    assert body["status"] == 413
    assert "task 951" in body["detail"]  # in a timer's results, among other tasks' entries
    assert "include_callees=false" in body["detail"]
    assert answer_size.cost(body) < 1000


def _in_scf_answer(body: Any) -> int:
    """The bytes ``body`` takes in SCF's answer, which carries it as a JSON string (UTF-8; each
    quote and backslash escaped): the size SCF's limit is on."""
    return len(json.dumps(http.encode(body), ensure_ascii=False).encode()) - len('""')


@pytest.fixture
def page_of_40(invoke: Invoke, ccc: CccBackend) -> dict[str, Any]:
    """A task's page of 40 callees (5 to 44 of 60) whose session ids hold quotes, backslashes and
    text outside ASCII, which each take more room in SCF's answer than in the task's JSON."""
    entries = [
        {"Callee": f"138{n:08d}", "State": 1, "Sessions": [f'"{n}"\\会话\\{chr(34) * (n % 7)}']}
        for n in range(60)
    ]
    ccc.put_task({"SdkAppId": 1400000000, "TaskId": 953, "Callees": entries})
    body = _task(invoke, 953, callee_offset=5, callee_limit=40)
    assert body["callee_page"] == {"offset": 5, "limit": 40, "returned": 40, "next_offset": 45}
    return body


def test_an_answer_of_exactly_the_bytes_left_is_given_whole(page_of_40: dict[str, Any]) -> None:
    whole = _in_scf_answer(page_of_40)

    assert answer_size.fit(page_of_40, whole) == (page_of_40, None)
    cut, why = answer_size.fit(page_of_40, whole - 1)
    assert cut["callee_page"]["returned"] == 39
    assert why is not None


def test_a_page_cut_to_any_budget_fits_it_and_leaves_out_only_callees_that_would_not(
    page_of_40: dict[str, Any],
) -> None:
    # Every budget from the whole answer's size down to one that cannot hold the task at all.
    callees = page_of_40["callees"]
    budget = _in_scf_answer(page_of_40)
    kept = []
    while True:
        budget -= 1
        try:
            cut, why = answer_size.fit(page_of_40, budget)
        except problems.PayloadTooLarge:
            break
        returned = cut["callee_page"]["returned"]
        assert _in_scf_answer(cut) <= budget
        assert cut["callees"] == callees[:returned]
        assert cut["callee_page"] == {
            "offset": 5,
            "limit": 40,
            "returned": returned,
            "next_offset": 5 + returned,
        }
        assert why is not None
        assert f"callee_offset={5 + returned}" in why
        # With its next callee the page would pass the budget, less the 16 bytes kept for its
        # numbers to grow by (and the one or two their own digits change by): not cut short.
        more = {**cut, "callees": callees[: returned + 1]}
        more["callee_page"] = {
            **cut["callee_page"],
            "returned": returned + 1,
            "next_offset": 6 + returned,
        }
        assert _in_scf_answer(more) > budget - 16 - 2
        kept.append(returned)

    assert kept[0] == 39
    assert kept[-1] == 0  # a page of no callees, before a task that cannot fit at all
    bare = {
        **page_of_40,
        "callees": [],
        "callee_page": {**page_of_40["callee_page"], "returned": 0, "next_offset": 5},
    }
    assert budget < _in_scf_answer(bare) + 16 + 2


@pytest.mark.parametrize("budget", [0, -70])
def test_a_task_left_no_bytes_is_told_none_were_left_not_a_negative_number(
    page_of_40: dict[str, Any], budget: int
) -> None:
    # A timer run's later task, when the tasks before it took the whole of its answer's budget.
    with pytest.raises(problems.PayloadTooLarge) as refused:
        answer_size.fit(page_of_40, budget)

    assert "would pass the 0 bytes" in refused.value.detail
    assert "task 953" in refused.value.detail


# -- CCC's answer parsed as it arrives: the same task as from the whole answer ------------------
# What the function did before it parsed answers as they arrive: the whole body decoded (lone
# surrogates made U+FFFD), then normalised. Every streamed answer must equal it.
def _from_whole_body(body: bytes, request: TaskRequest) -> dict[str, Any]:
    response = valid_unicode(json.loads(body))["Response"]
    return normalise(response, request)


def _streamed(body: bytes, request: TaskRequest, chunk: int) -> dict[str, Any]:
    digest = CalleeDigest(request)
    parser = AnswerParser("Callees", digest)
    for start in range(0, len(body), chunk):
        parser.feed(body[start : start + chunk])
    return normalise_digested(parser.finish()["Response"], digest, request, parser.text_of)


PAGES = [
    TaskRequest(1, 1),
    TaskRequest(1, 1, callee_offset=2, callee_limit=3),
    TaskRequest(1, 1, callee_offset=5000, callee_limit=10_000),
    TaskRequest(1, 1, callee_offset=10**6, callee_limit=7),
    TaskRequest(1, 1, include_callees=False),
]


@pytest.mark.parametrize("chunk", [1, 7, 256 * 1024])
@pytest.mark.parametrize("compact", [True, False], ids=["as CCC writes", "spaced"])
def test_every_sample_task_and_page_is_what_the_whole_answer_gives(
    chunk: int, compact: bool
) -> None:
    backend = CccBackend.seeded()
    separators = (",", ":") if compact else (", ", ": ")
    for sdk_app_id, task_id in sorted(backend.tasks):
        task = backend.task(sdk_app_id, task_id)
        body = json.dumps({"Response": {**task, "RequestId": "r"}}, separators=separators)
        if chunk == 1 and len(body) > 50_000:
            continue  # the task of 10 000 callees, one byte at a time: the others cover it
        for page in PAGES:
            request = page._replace(sdk_app_id=sdk_app_id, task_id=task_id)
            expected = _from_whole_body(body.encode(), request)
            assert _streamed(body.encode(), request, chunk) == expected


@pytest.mark.parametrize("callees", [100_000])
def test_a_task_of_many_callees_pages_and_counts_as_the_whole_answer_does(callees: int) -> None:
    entries = [
        {"Callee": f"138{n:08d}", "State": n % 6, "Sessions": [f"s-{n}"] if n % 5 == 1 else []}
        for n in range(callees)
    ]
    entries[callees // 2] = {"Callee": "13800000000", "State": True, "Sessions": ["\\ud800"]}
    body = json.dumps({"Response": {"Name": "big", "Callees": entries}}, separators=(",", ":"))
    for request in (TaskRequest(1, 1), TaskRequest(1, 1, callee_offset=callees - 10)):
        expected = _from_whole_body(body.encode(), request)
        assert _streamed(body.encode(), request, 256 * 1024) == expected


_TEXTS = st.one_of(
    st.text(max_size=6),
    st.sampled_from(['a"b', "a\\b", "\ud800", "\n", "任务", "", "13800000000"]),
)
_STATES = st.one_of(
    st.integers(-2, 7), st.booleans(), st.none(), st.floats(allow_nan=False), _TEXTS
)
_CALLEES = st.one_of(
    st.fixed_dictionaries(  # as CCC writes them
        {"Callee": _TEXTS, "State": st.integers(0, 6), "Sessions": st.lists(_TEXTS, max_size=3)}
    ),
    st.dictionaries(
        st.sampled_from(["Callee", "State", "Sessions", "Other"]),
        st.one_of(_TEXTS, _STATES, st.lists(_TEXTS, max_size=2)),
    ),
    _STATES,
    st.lists(st.integers(), max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(
    callees=st.one_of(st.lists(_CALLEES, max_size=12), _STATES),
    fields=st.dictionaries(
        st.sampled_from(["Name", "State", "NotBefore", "Callers", "IvrId", "RequestId", "X"]),
        st.one_of(_STATES, st.lists(_TEXTS, max_size=2)),
    ),
    offset=st.integers(0, 14),
    limit=st.integers(1, 5),
    include=st.booleans(),
    chunk=st.integers(1, 64),
    spaced=st.booleans(),
)
def test_any_answer_streamed_in_any_chunks_is_what_the_whole_answer_gives(
    callees: Any,
    fields: dict[str, Any],
    offset: int,
    limit: int,
    include: bool,
    chunk: int,
    spaced: bool,
) -> None:
    separators = (", ", ": ") if spaced else (",", ":")
    text = json.dumps({"Response": {**fields, "Callees": callees}}, separators=separators)
    body = text.encode("utf-8", "surrogatepass").replace(b"\xed\xa0\x80", b"\\ud800")
    request = TaskRequest(1, 2, include, offset, limit)

    assert _streamed(body, request, chunk) == _from_whole_body(body, request)


def test_each_callee_state_code_has_its_own_name_and_count(invoke: Invoke, ccc: CccBackend) -> None:
    # Code n appears n + 1 times, so a summary that counts a code under another name shows.
    states = [code for code in range(5) for _ in range(code + 1)]
    callees = [{"Callee": f"1380000{n:04d}", "State": code} for n, code in enumerate(states)]
    ccc.put_task({"SdkAppId": 1400000000, "TaskId": 900, "State": 1, "Callees": callees})

    body = invoke({"SdkAppId": 1400000000, "TaskId": 900})

    names = {0: "initial", 1: "answered", 2: "not_answered", 3: "calling", 4: "waiting_retry"}
    assert [(c["state_code"], c["state"]) for c in body["callees"]] == [
        (code, names[code]) for code in states
    ]
    assert body["callee_summary"] == {
        "total": 15,
        "initial": 1,
        "answered": 2,
        "not_answered": 3,
        "calling": 4,
        "waiting_retry": 5,
        "unknown": 0,
    }
