# The function itself, its configuration, and the instance cap that makes the rate limit hold.

locals {
  use_function_url = var.front_door == "function_url"
  use_api_gateway  = var.front_door == "api_gateway"

  # Every instance serves one request at a time and at most max_instances run, so a per-instance
  # bucket of floor(total / instances) keeps the whole deployment under total_qps.
  per_instance_qps = floor(var.total_qps / var.max_instances)

  # Everything the code reads (callout_task.config.ENVIRONMENT_VARIABLES); "" means its default.
  function_environment = {
    CCC_REGION          = var.ccc_region
    CCC_ENDPOINT        = var.ccc_endpoint
    CCC_ROLE_ARN        = var.ccc_role_arn
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
  }
}

resource "tencentcloud_scf_function" "this" {
  name        = var.function_name
  namespace   = var.namespace
  description = "Reads CCC auto-callout tasks (DescribeAutoCalloutTask)"
  handler     = "index.main_handler"
  runtime     = var.runtime
  mem_size    = var.memory_size
  timeout     = var.timeout
  zip_file    = var.package_path
  role        = tencentcloud_cam_role.function.name

  cls_logset_id = tencentcloud_cls_logset.function.id
  cls_topic_id  = tencentcloud_cls_topic.function.id

  environment = local.function_environment
  tags        = var.tags

  # The role must carry its policy before the first invocation.
  depends_on = [
    tencentcloud_cam_role_policy_attachment.ccc_read,
    tencentcloud_cam_role_policy_attachment.assume_ccc_role,
  ]
}

# Reserved concurrency is counted in MB: instances x memory per instance.
resource "tencentcloud_scf_reserved_concurrency_config" "this" {
  function_name            = tencentcloud_scf_function.this.name
  namespace                = var.namespace
  reserved_concurrency_mem = var.max_instances * var.memory_size
}
