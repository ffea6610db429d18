# What a caller or operator needs after `terraform apply`.

output "function_name" {
  description = "Name of the SCF function."
  value       = tencentcloud_scf_function.this.name
}

output "url" {
  description = "HTTPS URL of the chosen front door."
  value = (
    local.use_function_url
    ? one([for t in tencentcloud_scf_trigger.function_url[*].trigger_attribute :
    try(coalesce(jsondecode(t).NetConfig.ExtranetUrl, jsondecode(t).NetConfig.IntranetUrl), null)])
    : one([for s in tencentcloud_api_gateway_service.this[*].outer_sub_domain : "https://${s}/${local.api_environment}/"])
  )
}

output "role_name" {
  description = "CAM execution role of the function."
  value       = tencentcloud_cam_role.function.name
}

output "log_topic_id" {
  description = "CLS topic holding the function's logs."
  value       = tencentcloud_cls_topic.function.id
}

output "log_topic_name" {
  description = "Name of that CLS topic."
  value       = tencentcloud_cls_topic.function.topic_name
}

output "per_instance_qps" {
  description = "RATE_LIMIT_QPS given to each instance: total_qps (README.md, \"Rate limit modes\")."
  value       = local.per_instance_qps
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
