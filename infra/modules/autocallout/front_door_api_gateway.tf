# Legacy front door, for accounts that still run Tencent's API Gateway: an API on the service
# they already have (api_gateway_service_id). Tencent sells no new API Gateway resources, services
# included, since 2024-07-01 (notice 628/106651), takes no new SCF triggers, and shuts the gateway
# down in batches from 2026-10-30 (583/107631); new deployments use the Function URL. Rate limit:
# release_limit on the API, and a usage plan bound to the API key that callers sign with (the
# service's own limit is the account's to set).

locals {
  api_gateway_name = replace(var.function_name, "-", "_")
  api_environment  = "release"
}

# The account's existing service: its domain, for the url output.
data "tencentcloud_api_gateway_services" "this" {
  count = local.use_api_gateway ? 1 : 0

  service_id = var.api_gateway_service_id
}

resource "tencentcloud_api_gateway_api" "this" {
  count = local.use_api_gateway ? 1 : 0

  service_id            = var.api_gateway_service_id
  api_name              = local.api_gateway_name
  api_desc              = "Auto-callout task lookup"
  auth_type             = "SECRET"
  protocol              = "HTTP"
  request_config_path   = "/"
  request_config_method = "ANY"
  # The function answers CORS itself behind the gateway (CORS_ALLOW_ORIGINS).
  enable_cors = false

  service_config_type                       = "SCF"
  service_config_timeout                    = var.timeout
  service_config_scf_function_name          = tencentcloud_scf_function.this.name
  service_config_scf_function_namespace     = var.namespace
  service_config_scf_function_qualifier     = local.serving_qualifier
  service_config_scf_function_type          = "EVENT"
  service_config_scf_is_integrated_response = true

  response_type = "JSON"
  release_limit = var.total_qps
}

resource "tencentcloud_api_gateway_service_release" "this" {
  count = local.use_api_gateway ? 1 : 0

  service_id       = var.api_gateway_service_id
  environment_name = local.api_environment
  release_desc     = "Released by Terraform"

  depends_on = [tencentcloud_api_gateway_api.this]
}

resource "tencentcloud_api_gateway_usage_plan" "this" {
  count = local.use_api_gateway ? 1 : 0

  usage_plan_name         = local.api_gateway_name
  usage_plan_desc         = "At most total_qps requests per second for ${var.function_name}"
  max_request_num         = -1
  max_request_num_pre_sec = var.total_qps
}

resource "tencentcloud_api_gateway_usage_plan_attachment" "this" {
  count = local.use_api_gateway ? 1 : 0

  usage_plan_id = tencentcloud_api_gateway_usage_plan.this[0].id
  service_id    = var.api_gateway_service_id
  environment   = local.api_environment
  bind_type     = "API"
  api_id        = tencentcloud_api_gateway_api.this[0].id
}

resource "tencentcloud_api_gateway_api_key" "this" {
  count = local.use_api_gateway ? 1 : 0

  secret_name = local.api_gateway_name
  status      = "on"
}

resource "tencentcloud_api_gateway_api_key_attachment" "this" {
  count = local.use_api_gateway ? 1 : 0

  api_key_id    = tencentcloud_api_gateway_api_key.this[0].id
  usage_plan_id = tencentcloud_api_gateway_usage_plan.this[0].id
}
