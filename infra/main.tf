# The working root a newcomer runs (`terraform -chdir=infra plan`): the provider (versions.tf),
# the code `make package` built (package.tf), and the module that holds everything else.

module "autocallout" {
  source = "./modules/autocallout"

  region                                     = var.region
  function_name                              = var.function_name
  name_prefix                                = var.name_prefix
  namespace                                  = var.namespace
  runtime                                    = local.runtime
  memory_size                                = var.memory_size
  timeout                                    = var.timeout
  tags                                       = var.tags
  allowed_sdk_app_ids                        = var.allowed_sdk_app_ids
  allow_all_sdk_app_ids                      = var.allow_all_sdk_app_ids
  scope_policy_to_sdk_app_ids                = var.scope_policy_to_sdk_app_ids
  ccc_region                                 = var.ccc_region
  ccc_endpoint                               = var.ccc_endpoint
  ccc_role_arn                               = var.ccc_role_arn
  retry_max_attempts                         = var.retry_max_attempts
  log_level                                  = var.log_level
  log_retention_days                         = var.log_retention_days
  total_qps                                  = var.total_qps
  max_instances                              = var.max_instances
  front_door                                 = var.front_door
  api_gateway_service_id                     = var.api_gateway_service_id
  function_url_anonymous                     = var.function_url_anonymous
  function_url_public                        = var.function_url_public
  cors_allow_origins                         = var.cors_allow_origins
  timer_cron                                 = var.timer_cron
  timer_tasks                                = var.timer_tasks
  watch                                      = var.watch
  execution_role_name                        = var.execution_role_name
  log_topic                                  = var.log_topic
  deletion_protection                        = var.deletion_protection
  secret_recovery_window_days                = var.secret_recovery_window_days
  log_index_enabled                          = var.log_index_enabled
  alarms_enabled                             = var.alarms_enabled
  alarm_notice                               = var.alarm_notice
  alarm_notice_ids                           = var.alarm_notice_ids
  alarm_webhook_url                          = var.alarm_webhook_url
  alarm_errors_per_minute                    = var.alarm_errors_per_minute
  alarm_throttles_per_minute                 = var.alarm_throttles_per_minute
  alarm_duration_percent_of_timeout          = var.alarm_duration_percent_of_timeout
  alarm_concurrency_percent_of_max_instances = var.alarm_concurrency_percent_of_max_instances
  alarm_5xx_percent                          = var.alarm_5xx_percent
  alarm_5xx_min_invocations                  = var.alarm_5xx_min_invocations
  alarm_throttled_per_5_minutes              = var.alarm_throttled_per_5_minutes
  provisioned_instances                      = var.provisioned_instances
  rate_limit_store                           = var.rate_limit_store
  redis_host                                 = var.redis_host
  redis_port                                 = var.redis_port
  redis_password_secret                      = var.redis_password_secret
  redis_password                             = var.redis_password
  redis_availability_zone                    = var.redis_availability_zone
  redis_vpc_cidr                             = var.redis_vpc_cidr
  redis_mem_size                             = var.redis_mem_size
  vpc_id                                     = var.vpc_id
  subnet_id                                  = var.subnet_id
  redis_subnet_id                            = var.redis_subnet_id
  rate_limit_redis_key                       = var.rate_limit_redis_key
  rate_limit_redis_timeout_seconds           = var.rate_limit_redis_timeout_seconds
  package_cos                                = var.package_cos

  package_zip         = var.package_cos == null ? local.package_path : null
  package_zip_runtime = var.package_cos == null ? local.package_runtime : null
}
