"""The module's variables for a rate limit store on an existing Redis, which the checks of the
store and of the watch (which needs one) both plan with."""

from __future__ import annotations

EXISTING: dict[str, str] = {
    "rate_limit_store": "redis",
    "redis_host": "10.0.1.12",
    "redis_password_secret": "callout-redis:v1",
    "vpc_id": "vpc-abc12345",
    "subnet_id": "subnet-abc12345",
}
