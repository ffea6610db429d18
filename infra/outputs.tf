# Everything the module tells (modules/autocallout/outputs.tf), under the same names.

output "function_name" {
  description = "Name of the SCF function."
  value       = module.autocallout.function_name
}

output "url" {
  description = "HTTPS URL of the chosen front door."
  value       = module.autocallout.url
}

output "role_name" {
  description = "CAM execution role of the function."
  value       = module.autocallout.role_name
}

output "log_topic_id" {
  description = "CLS topic holding the function's logs."
  value       = module.autocallout.log_topic_id
}

output "log_topic_name" {
  description = "Name of that CLS topic."
  value       = module.autocallout.log_topic_name
}

output "per_instance_qps" {
  description = "RATE_LIMIT_QPS given to each instance: total_qps (README.md, \"Rate limit modes\")."
  value       = module.autocallout.per_instance_qps
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
