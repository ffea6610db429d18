"""The auto-callout task function: any SCF trigger in, normalised CCC task JSON out.

- events: which trigger sent the event, and the parameters it carries
- request: validation of every request (the request model's schema, run by pydantic-core);
  request_schema is that schema, generated
- credentials: the execution role's credentials, read per invocation
- assume_role: CCC_ROLE_ARN, a role's credentials through STS
- upstream: the CCC call, with client reuse, a token per attempt, and retries
- sdk_transport: one attempt, signed with the SDK's signer and sent with http.client, bounded
  by the deadline (the only module that touches the SDK)
- watchdog: ends an attempt's connections at its deadline
- ca_store: the CA store every TLS connection trusts (the system's, else the distribution's
  bundle)
- rate_limit: the limiter interface, the per-instance token bucket, waiting vs 429
- shared_rate_limit: one budget for all instances on Redis (GCRA), falling back to the bucket
- redis_wire: the little of the Redis protocol that needs (one script, bounded in time)
- redis_password: the Redis password, read from its SSM secret
- answer_stream: a Tencent Cloud API answer parsed as it arrives, one list streamed past
- normalise: CCC's response to the normalised task (callees counted one at a time)
- problems: every failure as an RFC 9457 problem, with its status
- http: the four-field HTTP response, CORS, preflight
- api_document: GET /openapi.json
- logs: structured lines in one schema (LOG_FIELDS), phone numbers and secrets masked
- deadline: how long the invocation has left
- invocation: the state of one invocation, handed down in one object
- config: environment variables, validated once per instance
- handler: the invocation, start to end
- watch_tick: a watching timer's tick (lookups, detection, deliveries, memory), loaded only
  when a timer carries a watch; watch_config reads the watch from the timer's Message,
  watch_events detects changes (one event schema), watch_memory keeps what was told in Redis,
  watch_targets formats, signs and posts to each kind of target, watch_secrets reads their
  URLs and secrets from SSM

An instance keeps a little between invocations (the settings, clients, credentials...), each
module its own; ``reset_instance()`` forgets all of it at once, as a new SCF instance would start.
"""

from __future__ import annotations

import sys

# What each module keeps for the instance's life, and the function of that module forgetting it.
_INSTANCE_STATE = (
    ("handler", "forget_configuration"),  # the settings, the rate limiter and its Redis store
    ("logs", "reset_level"),  # the level the settings chose
    ("upstream", "forget_clients"),  # CCC's clients and their kept-alive connections
    # The connection classes and TLS settings built on the first call: a test that kept the last
    # one's would never run the mutation run's changes to them.
    ("sdk_transport", "forget_built"),
    ("assume_role", "forget_all"),  # role credentials from STS
    ("watch_tick", "forget_memory"),  # the watch's Redis connection
    ("watch_secrets", "forget"),  # targets' URLs and secrets read from SSM
    ("watch_targets", "forget_tls"),  # the TLS context of https targets (the CA store read once)
)


def reset_instance() -> None:
    """Forget everything this process keeps between invocations: the next one starts as on a new
    SCF instance. Only modules already imported are reset; none is imported for it (that would
    put it on the cold path)."""
    for name, forget in _INSTANCE_STATE:
        module = sys.modules.get(f"{__name__}.{name}")
        if module is not None:
            getattr(module, forget)()
