"""Every way an invocation can fail, as an RFC 9457 problem with its HTTP status.

    Problem                      status  (one class per row of SPEC "Errors")
    ├── InvalidRequest             400   parameters, JSON, Base64; ``errors`` names each field
    ├── Forbidden                  403   SdkAppId not in ALLOWED_SDK_APP_IDS
    ├── MethodNotAllowed           405
    ├── PayloadTooLarge            413
    ├── RateLimited                429   local token bucket; carries ``retry_after``
    ├── Misconfigured              500   an environment variable is wrong (logged, not shown)
    ├── Unexpected                 500   anything else; details in the log only
    ├── CredentialsMissing         502   no execution role / local credentials
    │   └── CredentialsMalformed   502   one holds a newline, a control character...
    └── UpstreamProblem            4xx/5xx, from a CCC error code (see ``upstream_class``)
        └── RoleUnavailable        502   STS refused CCC_ROLE_ARN (detail in the log only)

Rendering is one function, ``Problem.body``.
"""

from __future__ import annotations

from typing import Any, ClassVar

PROBLEM_TYPE_PREFIX = "urn:autocallout:problem:"


class Problem(Exception):
    status: ClassVar[int] = 500
    slug: ClassVar[str] = "unexpected"
    title: ClassVar[str] = "Unexpected error"

    def __init__(
        self,
        detail: str,
        *,
        errors: list[dict[str, str]] | None = None,
        upstream_code: str | None = None,
        upstream_request_id: str | None = None,
        retry_after: int | None = None,
        upstream_message: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.upstream_code = upstream_code
        self.upstream_request_id = upstream_request_id
        self.retry_after = retry_after
        self.upstream_message = upstream_message  # logged (masked), never rendered
        # The task's ids, where a refused request still gave them readably (a timer's entry
        # names its task with them; an HTTP answer does not repeat them).
        self.sdk_app_id: int | None = None
        self.task_id: int | None = None

    def body(self, request_id: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_TYPE_PREFIX + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "request_id": request_id,
        }
        if self.upstream_code:
            body["upstream_code"] = self.upstream_code
        if self.upstream_request_id:
            body["upstream_request_id"] = self.upstream_request_id
        if self.errors:
            body["errors"] = self.errors
        if self.retry_after is not None:
            body["retry_after"] = self.retry_after  # for callers without headers (direct, timer)
        return body


class InvalidRequest(Problem):
    status, slug, title = 400, "invalid-request", "Invalid request"


class Forbidden(Problem):
    status, slug, title = 403, "forbidden", "Forbidden"


class NotFound(Problem):
    status, slug, title = 404, "not-found", "Not found"


class MethodNotAllowed(Problem):
    status, slug, title = 405, "method-not-allowed", "Method not allowed"


class PayloadTooLarge(Problem):
    status, slug, title = 413, "payload-too-large", "Payload too large"


class RateLimited(Problem):
    status, slug, title = 429, "rate-limited", "Too many requests"


class Misconfigured(Problem):
    status, slug, title = 500, "misconfigured", "Function misconfigured"


class Unexpected(Problem):
    pass


class CredentialsMissing(Problem):
    status, slug, title = 502, "credentials-missing", "Upstream credentials missing"


class CredentialsMalformed(CredentialsMissing):
    """A credential variable holds what no credential has (a newline...): none usable."""

    slug, title = "credentials-malformed", "Upstream credentials malformed"


class UpstreamProblem(Problem):
    """A CCC failure; its class attributes are set per status by ``from_upstream``."""


def _upstream(status: int, slug: str, title: str) -> type[UpstreamProblem]:
    return type(
        f"Upstream{status}",
        (UpstreamProblem,),
        {"status": status, "slug": slug, "title": title},
    )


UpstreamInvalid = _upstream(400, "upstream-invalid-parameter", "Rejected by CCC")
UpstreamForbidden = _upstream(403, "upstream-unauthorized", "Not authorised by CCC")
UpstreamNotFound = _upstream(404, "task-not-found", "Task not found")
UpstreamThrottled = _upstream(429, "upstream-throttled", "CCC rate limit reached")
UpstreamAuthFailure = _upstream(502, "upstream-auth-failure", "Upstream credentials rejected")
# STS would not issue CCC_ROLE_ARN's credentials: the same row, an operator's fix (the role).
RoleUnavailable = type("RoleUnavailable", (UpstreamAuthFailure,), {})
UpstreamFailure = _upstream(502, "upstream-failure", "CCC failed")
UpstreamUnavailable = _upstream(503, "upstream-unavailable", "CCC unavailable")
UpstreamTimeout = _upstream(504, "upstream-timeout", "CCC did not answer in time")

# CCC error codes by prefix, first match wins; anything else is UpstreamFailure (502).
_BY_CODE: tuple[tuple[str, type[UpstreamProblem]], ...] = (
    ("ResourceNotFound", UpstreamNotFound),
    ("RequestLimitExceeded", UpstreamThrottled),
    ("InvalidParameter", UpstreamInvalid),  # also InvalidParameterValue*
    ("MissingParameter", UpstreamInvalid),
    ("UnknownParameter", UpstreamInvalid),
    ("AuthFailure.UnauthorizedOperation", UpstreamForbidden),
    ("UnauthorizedOperation", UpstreamForbidden),
    ("AuthFailure", UpstreamAuthFailure),
    ("ServiceUnavailable", UpstreamUnavailable),
    ("ResourceUnavailable", UpstreamUnavailable),
)


def upstream_class(code: str) -> type[UpstreamProblem]:
    for prefix, problem in _BY_CODE:
        if code.startswith(prefix):
            return problem
    return UpstreamFailure
