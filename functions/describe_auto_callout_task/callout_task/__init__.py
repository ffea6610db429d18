"""The auto-callout task function: any SCF trigger in, normalised CCC task JSON out.

events       which trigger sent the event, and the parameters it carries
request      the pydantic model every request is validated with
credentials  the execution role's credentials, read per invocation
upstream     the CCC call: client reuse, deadline, retries
rate_limit   the per-instance token bucket
normalise    CCC's response -> the normalised task
problems     every failure as an RFC 9457 problem, with its status
http         the four-field HTTP response, CORS, preflight
logs         one structured line per invocation, numbers masked
config       environment variables, validated once per instance
handler      the invocation, start to end
"""
