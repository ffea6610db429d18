# Values computed from the variables alone: the function's environment, the timer's message, and
# that environment as an env file for local runs. No resource here, so tests plan and apply this
# file with the real Terraform binary without the provider.

locals {
  use_function_url = var.front_door == "function_url"
  use_api_gateway  = var.front_door == "api_gateway"

  # Each instance may use the whole budget, so one sequential caller is never starved; with
  # rate_limit_store = "redis" the instances share it, otherwise CCC's own limit is the backstop
  # when they exceed it together (README.md, "Rate limit modes").
  per_instance_qps = var.total_qps

  # Everything the code reads (callout_task.config.ENVIRONMENT_VARIABLES); "" means its default
  # (an input left null).
  function_environment = {
    CCC_REGION          = var.ccc_region == null ? "" : var.ccc_region
    CCC_ENDPOINT        = var.ccc_endpoint == null ? "" : var.ccc_endpoint
    CCC_ROLE_ARN        = var.ccc_role_arn == null ? "" : var.ccc_role_arn
    ALLOWED_SDK_APP_IDS = join(",", var.allowed_sdk_app_ids)
    RATE_LIMIT_QPS      = tostring(local.per_instance_qps)
    RATE_LIMIT_BURST    = tostring(local.per_instance_qps)
    RETRY_MAX_ATTEMPTS  = tostring(var.retry_max_attempts)
    # Used only when SCF's context carries no deadline; half a second left to answer.
    TIME_BUDGET_SECONDS = tostring(var.timeout - 0.5)
    # Function URL answers CORS itself (front_door_function_url.tf); behind the legacy gateway
    # the function does.
    CORS_ALLOW_ORIGINS = local.use_function_url ? "" : join(",", var.cors_allow_origins)
    LOG_LEVEL          = var.log_level

    # rate_limit_store.tf: empty unless rate_limit_store = "redis". The address of a Redis that
    # Terraform creates is known only once it exists: function.tf sets it (the local run's env
    # file leaves it empty, since a local run cannot reach the VPC anyway).
    RATE_LIMIT_REDIS_URL             = var.redis_host == null ? "" : "redis://${var.redis_host}:${var.redis_port}/0"
    RATE_LIMIT_REDIS_PASSWORD_SECRET = var.rate_limit_store != "redis" ? "" : (var.redis_host == null ? "${var.function_name}-redis-password:v1" : var.redis_password_secret)
    RATE_LIMIT_REDIS_KEY             = var.rate_limit_redis_key
    RATE_LIMIT_REDIS_TIMEOUT_SECONDS = tostring(var.rate_limit_redis_timeout_seconds)
  }

  # The timer's custom argument, which the function receives as the event's Message. SdkAppIds
  # are strings in the variables (exact, validated digits) and JSON integers in the message.
  watch_enabled = var.watch != null
  # The SSM secrets named by the targets, each once (versions are read, not granted).
  watch_secret_names = local.watch_enabled ? distinct([for t in values(var.watch.targets) : split(":", t.secret)[0]]) : []
  # What the function reads from the Message: the variable's shape in the function's spelling.
  watch_message = local.watch_enabled ? {
    name              = var.watch.name
    events            = var.watch.events
    progress_step     = var.watch.progress_step
    failing_after     = var.watch.failing_after
    alert_after_ticks = var.watch.alert_after_ticks
    targets = [for name, t in var.watch.targets : merge(
      { name = name, kind = t.kind, secret = t.secret },
      t.kind == "webhook" ? { host = lower(t.host) } : {}
    )]
  } : null
  # With a watch (watch.tf), the tasks and the watch travel together: {"tasks": [...], "watch": {...}}.
  timer_task_list = [for t in var.timer_tasks : {
    SdkAppId        = tonumber(t.sdk_app_id)
    TaskId          = t.task_id
    include_callees = t.include_callees
  }]
  timer_message = local.watch_enabled ? jsonencode({ tasks = local.timer_task_list, watch = local.watch_message }) : jsonencode(local.timer_task_list)
}

output "local_env" {
  description = "The function's environment as NAME=value lines: `terraform output -raw local_env > deployed.env`, then `autocallout serve --env-file deployed.env` runs locally with the deployed configuration."
  value       = join("", [for name, value in local.function_environment : "${name}=${value}\n"])
}
