"""Loaded by schemathesis (SCHEMATHESIS_HOOKS) to call ``serve --auth cam``: every request it
sends is signed, after serialization, with the local CAM key (tests/contract/signing.py). Its
``ignored_auth`` check then sends each operation's request again unsigned and with a made-up
Authorization, and expects the door to refuse both."""

import schemathesis

from tests.contract.signing import Tc3Auth

schemathesis.auth.set_from_requests(Tc3Auth())
