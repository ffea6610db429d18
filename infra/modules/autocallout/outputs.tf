# What a caller, an operator or another root needs after `terraform apply`. Values of parts a
# configuration does not have (the gateway's key with a Function URL, Redis without redis mode)
# are null.

output "function_name" {
  description = "Name of the SCF function."
  value       = tencentcloud_scf_function.this.name
}

output "function_id" {
  description = "SCF's id of the function."
  value       = tencentcloud_scf_function.this.function_id
}

output "namespace" {
  description = "SCF namespace of the function."
  value       = tencentcloud_scf_function.this.namespace
}

output "qualifier" {
  description = "What the front door and the timer invoke: the alias `live` with provisioned_instances > 0, else $LATEST."
  value       = local.serving_qualifier
}

output "version" {
  description = "The published version the alias points at (provisioned_instances > 0), else $LATEST."
  value       = local.serving_version
}

output "url" {
  description = "HTTPS URL of the chosen front door."
  value = (
    local.use_function_url
    ? one([for t in tencentcloud_scf_trigger.function_url[*].trigger_attribute :
    try(coalesce(jsondecode(t).NetConfig.ExtranetUrl, jsondecode(t).NetConfig.IntranetUrl), null)])
    : one([for s in flatten(data.tencentcloud_api_gateway_services.this[*].list) : "https://${s.outer_sub_domain}/${local.api_environment}/"])
  )
}

output "role_name" {
  description = "CAM execution role of the function (the module's, or execution_role_name)."
  value       = local.role_name
}

output "role_arn" {
  description = "ARN of the module's execution role (null with execution_role_name): what a CCC account's role trusts when ccc_role_arn is used."
  value       = one(tencentcloud_cam_role.this[*].role_arn)
}

output "execution_policy_document" {
  description = "The CAM policy document the execution role needs (the module attaches it to its own role; with execution_role_name, attach it to yours)."
  value       = local.execution_policy_document
}

output "logset_id" {
  description = "CLS logset of the function's logs."
  value       = local.log_logset_id
}

output "log_topic_id" {
  description = "CLS topic holding the function's logs."
  value       = local.log_topic_id
}

output "log_topic_name" {
  description = "Name of that CLS topic (null for an existing topic given in log_topic)."
  value       = local.create_log_topic ? local.log_topic.name : null
}

output "per_instance_qps" {
  description = "RATE_LIMIT_QPS given to each instance: total_qps (README.md, \"Rate limit modes\")."
  value       = local.per_instance_qps
}

output "redis_instance_id" {
  description = "The Redis instance Terraform created (rate_limit_store = \"redis\" without redis_host), else null."
  value       = one(tencentcloud_redis_instance.this[*].id)
}

output "redis_address" {
  description = "host:port of the rate limit's Redis (redis mode), else null."
  value = (
    !local.use_redis ? null
    : local.create_redis ? "${one(tencentcloud_redis_instance.this[*].ip)}:6379" : "${var.redis_host}:${var.redis_port}"
  )
}

output "api_gateway_key_id" {
  description = "api_gateway only: the API key id callers sign with."
  value       = one(tencentcloud_api_gateway_api_key.this[*].access_key_id)
  sensitive   = true
}

output "api_gateway_key_secret" {
  description = "api_gateway only: the API key's secret."
  value       = one(tencentcloud_api_gateway_api_key.this[*].access_key_secret)
  sensitive   = true
}
