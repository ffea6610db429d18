"""What the function answers stays under SCF's 6 MB limit on a synchronous invocation's answer.

A page of 10 000 callees is some 1.5 MB, but a callee's text and its sessions are CCC's to size,
and a timer run answers up to 50 tasks at once. So before a task's answer is given, ``fit`` cuts
its page of callees to the bytes left (``callee_page.next_offset`` then says where the next page
starts, ``returned`` how many this one has), and a task that does not fit even without callees
becomes a problem saying so. A timer run shares one budget among its tasks (``TIMER_BUDGET``),
each task taking at most an even share of what is left.
"""

from __future__ import annotations

from typing import Any

from callout_task import http, problems

# SCF refuses a synchronous answer over 6 MB; the four-field HTTP answer carries the body as a
# JSON string (each quote and backslash escaped, counted by ``cost``) next to its headers.
ANSWER_BUDGET = 5 * 2**20
TIMER_BUDGET = ANSWER_BUDGET  # all the results of one timer run together


def cost(body: Any) -> int:
    """Bytes ``body`` takes in an answer, as a JSON string inside SCF's answer."""
    encoded = http.encode(body)
    return len(encoded.encode()) + encoded.count('"') + encoded.count("\\")


def fit(body: dict[str, Any], budget: int) -> tuple[dict[str, Any], str | None]:
    """``body`` (a normalised task) cut to ``budget`` bytes, and what was cut (for the log);
    raises AnswerTooLarge when the task does not fit even without callees."""
    if cost(body) <= budget:
        return body, None
    callees: list[Any] = body.get("callees") or []
    bare = {**body, "callees": [], "callee_page": {**body["callee_page"], "next_offset": 0}}
    left = budget - cost(bare) - 16  # the page's numbers may grow by a few digits
    if left < 0:
        raise problems.PayloadTooLarge(
            f"The answer for task {body.get('task_id')} would pass the {max(budget, 0)} bytes "
            "this answer has left for it under SCF's 6 MB limit, even without callees; look it "
            "up on its own, with include_callees=false."
        )
    kept = 0
    for callee in callees:
        left -= cost(callee) + 1  # and its comma
        if left < 0:
            break
        kept += 1
    page = body["callee_page"]
    offset = page["offset"]
    cut = {
        **body,
        "callees": callees[:kept],
        "callee_page": {**page, "returned": kept, "next_offset": offset + kept},
    }
    return cut, (
        f"page cut from {len(callees)} to {kept} callees to stay under SCF's 6 MB answer "
        f"limit; the next page starts at callee_offset={offset + kept}"
    )
