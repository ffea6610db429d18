"""The one error the local cloud raises, carried to the caller in Tencent's envelope.

    CloudError(code, message) -> HTTP 200 {"Response": {"Error": {"Code", "Message"}, "RequestId"}}

Codes are the ones each service documents (its SDK's ``errorcodes.py``), e.g.
``ResourceNotFound.Function`` (SCF), ``InvalidParameter.RoleNameInUse`` (CAM),
``ResourceNotFound.TopicNotExist`` (CLS). The wire layer also raises the common ones
(``AuthFailure.*``, ``InvalidAction``, ``NoSuchVersion``, ``MissingParameter``).
"""

from __future__ import annotations

from autocallout.fake_ccc.exceptions import CccError


class CloudError(CccError):
    """An error answer; the same shape as the fake CCC's, so both share one envelope writer."""


def missing(name: str) -> CloudError:
    return CloudError("MissingParameter", f"The request is missing a required parameter `{name}`.")


def invalid(name: str, why: str) -> CloudError:
    return CloudError(
        "InvalidParameterValue", f"The value of parameter `{name}` is invalid: {why}."
    )
