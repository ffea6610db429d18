# Everything the module tells (modules/autocallout/outputs.tf), under the same names.

output "function_name" {
  description = "Name of the SCF function."
  value       = module.autocallout.function_name
}

output "function_id" {
  description = "SCF's id of the function."
  value       = module.autocallout.function_id
}

output "namespace" {
  description = "SCF namespace of the function."
  value       = module.autocallout.namespace
}

output "qualifier" {
  description = "What the front door and the timer invoke: the alias `live` with provisioned_instances > 0, else $LATEST."
  value       = module.autocallout.qualifier
}

output "version" {
  description = "The published version the alias points at (provisioned_instances > 0), else $LATEST."
  value       = module.autocallout.version
}

output "url" {
  description = "HTTPS URL of the chosen front door."
  value       = module.autocallout.url
}

output "role_name" {
  description = "CAM execution role of the function (the module's, or execution_role_name)."
  value       = module.autocallout.role_name
}

output "role_arn" {
  description = "ARN of the module's execution role (null with execution_role_name): what a CCC account's role trusts when ccc_role_arn is used."
  value       = module.autocallout.role_arn
}

output "execution_policy_document" {
  description = "The CAM policy document the execution role needs (the module attaches it to its own role; with execution_role_name, attach it to yours)."
  value       = module.autocallout.execution_policy_document
}

output "logset_id" {
  description = "CLS logset of the function's logs."
  value       = module.autocallout.logset_id
}

output "log_topic_id" {
  description = "CLS topic holding the function's logs."
  value       = module.autocallout.log_topic_id
}

output "log_topic_name" {
  description = "Name of that CLS topic (null for an existing topic given in log_topic)."
  value       = module.autocallout.log_topic_name
}

output "per_instance_qps" {
  description = "RATE_LIMIT_QPS given to each instance: total_qps (README.md, \"Rate limit modes\")."
  value       = module.autocallout.per_instance_qps
}

output "redis_instance_id" {
  description = "The Redis instance Terraform created (rate_limit_store = \"redis\" without redis_host), else null."
  value       = module.autocallout.redis_instance_id
}

output "redis_address" {
  description = "host:port of the rate limit's Redis (redis mode), else null."
  value       = module.autocallout.redis_address
}

output "api_gateway_key_id" {
  description = "api_gateway only: the API key id callers sign with."
  value       = module.autocallout.api_gateway_key_id
  sensitive   = true
}

output "api_gateway_key_secret" {
  description = "api_gateway only: the API key's secret."
  value       = module.autocallout.api_gateway_key_secret
  sensitive   = true
}

output "local_env" {
  description = "The function's environment as NAME=value lines: `terraform output -raw local_env > deployed.env`, then `autocallout serve --env-file deployed.env` runs locally with the deployed configuration."
  value       = module.autocallout.local_env
}
