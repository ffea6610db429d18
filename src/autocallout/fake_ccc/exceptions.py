"""The errors the fake answers with, as Tencent's Cloud API 3.0 envelope carries them.

    CccError(code, message)        -> {"Response": {"Error": {"Code", "Message"}, "RequestId"}}

Raised by the wire layer (authentication, routing) and by actions (parameters, missing tasks).
"""

from __future__ import annotations


class CccError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
