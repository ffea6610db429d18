"""The auto-callout task function: any SCF trigger in, normalised CCC task JSON out.

- events: which trigger sent the event, and the parameters it carries
- request: validation of every request (the request model's schema, run by pydantic-core);
  request_schema is that schema, generated
- credentials: the execution role's credentials, read per invocation
- assume_role: CCC_ROLE_ARN, a role's credentials through STS
- upstream: the CCC call, with client reuse, deadline and retries
- rate_limit: the per-instance token bucket
- normalise: CCC's response to the normalised task
- problems: every failure as an RFC 9457 problem, with its status
- http: the four-field HTTP response, CORS, preflight
- api_document: GET /openapi.json
- logs: one structured line per invocation, numbers masked
- deadline: how long the invocation has left
- config: environment variables, validated once per instance
- handler: the invocation, start to end
"""
