# The inputs of this root: every input of the module (modules/autocallout), passed through as is.
# Each defaults to null, which the module reads as "its own default" (its variables are
# nullable = false where a default exists), so defaults, descriptions of effect and validations
# live once, in the module. tests/infra/test_module_layout.py checks that this list matches it.

variable "region" {
  description = "Region of the function and everything around it, e.g. ap-guangzhou: the region of the provider configuration the root gives this module (it names the SSM secret in a policy)."
  type        = string
  default     = "ap-guangzhou"
  nullable    = false
}

variable "function_name" {
  description = "SCF function name; also the stem of the role, log and gateway names."
  type        = string
  default     = null
}

variable "name_prefix" {
  description = "Prefix of every account-wide name (CAM role and policy, Cloud Monitor notice and policy), e.g. \"prod-gz\": two deployments in one account (environments, regions) need different ones. null: names are the function's name alone, as before this input existed."
  type        = string
  default     = null
}

variable "namespace" {
  description = "SCF namespace of the function."
  type        = string
  default     = null
}

variable "runtime" {
  description = "SCF runtime. The package needs Python >= 3.10, so only SCF's Python3.10 and Python3.12 qualify."
  type        = string
  default     = null
}

variable "memory_size" {
  description = "Memory of one instance in MB: 64, or 128-3072 in steps of 128. CPU grows with it."
  type        = number
  default     = null
}

variable "timeout" {
  description = "Function timeout in seconds (1-900). TIME_BUDGET_SECONDS follows it."
  type        = number
  default     = null
}

variable "tags" {
  description = "Tags put on every resource that takes them, merged over the module's own (app, managed-by); a key given here wins."
  type        = map(string)
  default     = null
}

variable "allowed_sdk_app_ids" {
  description = "CCC SdkAppIds the function may read (ALLOWED_SDK_APP_IDS), and the only ones its CAM policy names. Required: empty is refused unless allow_all_sdk_app_ids = true."
  type        = list(string)
  default     = null
}

variable "allow_all_sdk_app_ids" {
  description = "Explicit opt-in to an empty allowlist: the function may read every CCC application of the account, and its policy allows ccc:DescribeAutoCalloutTask on \"*\"."
  type        = bool
  default     = null
}

variable "scope_policy_to_sdk_app_ids" {
  description = "Scope the CAM policy to qcs::ccc::uin/<uin>:SdkAppId/<id> for each allowed SdkAppId. Set false to fall back to \"*\" if CCC refuses resource-level authorisation for this action."
  type        = bool
  default     = null
}

variable "ccc_region" {
  description = "CCC_REGION: region sent to CCC. null: the function's default."
  type        = string
  default     = null
}

variable "ccc_endpoint" {
  description = "CCC_ENDPOINT: override of the CCC endpoint (private endpoint). null: the public one."
  type        = string
  default     = null
}

variable "ccc_role_arn" {
  description = "CCC_ROLE_ARN: a role in the account that owns CCC, assumed through STS; the execution role then gets sts:AssumeRole on it and no CCC permission of its own. null: call CCC with the execution role."
  type        = string
  default     = null
}

variable "retry_max_attempts" {
  description = "RETRY_MAX_ATTEMPTS: attempts per upstream call (1-10)."
  type        = number
  default     = null
}

variable "log_level" {
  description = "LOG_LEVEL of the function."
  type        = string
  default     = null
}

variable "log_retention_days" {
  description = "Days the CLS topic keeps the function's logs (1-3600)."
  type        = number
  default     = null
}

variable "total_qps" {
  description = "Requests per second the whole deployment may send to CCC. DescribeAutoCalloutTask allows 20/s per account."
  type        = number
  default     = null
}

variable "max_instances" {
  description = "Most instances that may run at once (reserved concurrency). Each may use all of total_qps, alone or shared through Redis (README.md, \"Rate limit modes\")."
  type        = number
  default     = null
}

variable "front_door" {
  description = "HTTPS entry: \"function_url\" (SCF Function URL, what Tencent sells today) or \"api_gateway\" (an API on a legacy API Gateway service the account already has: api_gateway_service_id)."
  type        = string
  default     = null
}

variable "api_gateway_service_id" {
  description = "api_gateway only: id (service-...) of the account's existing API Gateway service the API is added to. Tencent sells no new API Gateway resources since 2024-07-01 (notice 628/106651), so this module creates none."
  type        = string
  default     = null
}

variable "function_url_anonymous" {
  description = "Explicit opt-in to an anonymous Function URL (AuthType NONE). Default false: callers sign with CAM and need scf:InvokeFunctionUrl."
  type        = bool
  default     = null
}

variable "function_url_public" {
  description = "Serve the Function URL on the internet (true) or only inside Tencent's private network (false)."
  type        = bool
  default     = null
}

variable "cors_allow_origins" {
  description = "Browser origins allowed to call the API (CORS). Empty: no CORS headers."
  type        = list(string)
  default     = null
}

variable "timer_cron" {
  description = "SCF cron (7 fields: sec min hour day month weekday year) for polling timer_tasks. null: no timer."
  type        = string
  default     = null
}

variable "timer_tasks" {
  description = "Tasks the timer polls; sent to the function as the trigger's Message. include_callees defaults to false: a status poll needs the state and the callee summary, not up to 1 000 callees every tick."
  type = list(object({
    sdk_app_id      = string # as in allowed_sdk_app_ids: exact digits, e.g. "1400000000"
    task_id         = number
    include_callees = optional(bool, false)
  }))
  default = null
}

variable "watch" {
  description = "Tell targets when timer_tasks change: null (the default) only polls. targets maps a name to {kind = webhook|wecom|feishu|dingtalk, secret = \"<SSM secret name>:<version>\" holding the URL or {\"url\", \"secret\"} JSON, host = the webhook's host (webhooks only)}. Needs timer_cron and the Redis store (rate_limit_store = \"redis\"): the watch remembers what it told there."
  type = object({
    name              = optional(string, "watch")
    events            = optional(list(string), ["state", "progress", "lookup"])
    progress_step     = optional(number, 25)
    failing_after     = optional(number, 2)
    alert_after_ticks = optional(number, 5)
    targets = map(object({
      kind   = string
      secret = string
      host   = optional(string)
    }))
  })
  default = null
}

variable "execution_role_name" {
  description = "An existing CAM role for the function instead of the one this module creates; it must trust scf.qcloud.com and carry the statements of the execution_policy_document output. null: the module creates the role and its policy."
  type        = string
  default     = null
}

variable "log_topic" {
  description = "An existing CLS logset and topic for the function's logs instead of the ones this module creates (with log_index_enabled the module indexes that topic: turn it off if the topic has an index already). null: the module creates both."
  type = object({
    logset_id = string
    topic_id  = string
  })
  default = null
}

variable "deletion_protection" {
  description = "Keep `terraform destroy` (and any plan that would delete them) away from the log topic and the Redis password's secret: Terraform's prevent_destroy. false on a new deployment: they go with a destroy. On an existing one, README.md, \"State and secrets\", gives the one `terraform state mv` per resource that lifts it (Terraform cannot switch prevent_destroy with a variable)."
  type        = bool
  default     = null
}

variable "secret_recovery_window_days" {
  description = "Days SSM keeps a deleted secret (the Redis password this module stores) recoverable before deleting it for good (1-30)."
  type        = number
  default     = null
}

variable "log_index_enabled" {
  description = "Key-value index over the fields the function logs (log_index.tf). CLS bills index traffic and index storage by the GB; off: logs are kept but only full-text search and no alarm on log fields works."
  type        = bool
  default     = null
}

variable "alarms_enabled" {
  description = "Alarms on SCF's metrics (Cloud Monitor) and on the function's log lines (CLS; these also need log_index_enabled). See docs/operations.md for what each one means."
  type        = bool
  default     = null
}

variable "alarm_notice" {
  description = "Who hears of an alarm; required while alarms_enabled (there is no silent default) unless alarm_notice_ids names existing notices. monitor_user_uids: CAM user UIDs for Cloud Monitor's notice (its UserIds take UIDs, not UINs); cls_receiver_uins: account or CAM user UINs for CLS's notice; both reached on channels (EMAIL, SMS, CALL, WECHAT)."
  type = object({
    monitor_user_uids = list(string)
    cls_receiver_uins = list(string)
    channels          = optional(list(string), ["EMAIL", "SMS"])
  })
  default = null
}

variable "alarm_notice_ids" {
  description = "Existing notices the alarms also (or only) notify: Cloud Monitor notice ids (notice-...) and CLS notice ids (notice-...). null: none."
  type = object({
    monitor = optional(list(string), [])
    cls     = optional(list(string), [])
  })
  default = null
}

variable "alarm_webhook_url" {
  description = "Also POST each alarm to this URL (it usually carries a token, so it is sensitive). null: none."
  type        = string
  default     = null
  sensitive   = true
}

variable "alarm_errors_per_minute" {
  description = "SCF Error metric (invocations that crashed, timed out or failed in the platform) per minute that raises the errors alarm. The function answers its own problems, so any error here is worth a look."
  type        = number
  default     = null
}

variable "alarm_throttles_per_minute" {
  description = "SCF Throttle metric (invocations refused because max_instances were busy) per minute that raises the throttles alarm."
  type        = number
  default     = null
}

variable "alarm_duration_percent_of_timeout" {
  description = "Average run time, as a percentage of the function's timeout, that raises the duration alarm."
  type        = number
  default     = null
}

variable "alarm_concurrency_percent_of_max_instances" {
  description = "Concurrent executions, as a percentage of max_instances, that raise the concurrency alarm."
  type        = number
  default     = null
}

variable "alarm_5xx_percent" {
  description = "Share of invocations answered 5xx, in percent over 5 minutes, that raises the server-errors alarm."
  type        = number
  default     = null
}

variable "alarm_5xx_min_invocations" {
  description = "Invocations needed in the 5 minutes before the server-errors share counts (one failure out of two calls is not a trend)."
  type        = number
  default     = null
}

variable "alarm_throttled_per_5_minutes" {
  description = "Invocations answered 429 (CCC's RequestLimitExceeded after retries, or the function's own limit) per 5 minutes that raise the throttled alarm when it holds for two periods in a row."
  type        = number
  default     = null
}

variable "provisioned_instances" {
  description = "Instances SCF keeps started on a published version, so that callers meet no cold start. 0 (default): none, and nothing is billed for idle instances. See README: Cold starts."
  type        = number
  default     = null
}

variable "rate_limit_store" {
  description = "Where the rate limit lives: \"local\" (per instance; CCC's own limit is the backstop) or \"redis\" (one budget for all instances). See README.md, \"Rate limit modes\"."
  type        = string
  default     = null
}

variable "redis_host" {
  description = "redis only: private address of an existing Redis instance. null: Terraform creates one (redis_availability_zone, redis_password)."
  type        = string
  default     = null
}

variable "redis_port" {
  description = "redis only: port of the existing instance."
  type        = number
  default     = null
}

variable "redis_password_secret" {
  description = "Existing instance only: \"<SSM secret name>:<version id>\" holding its password. The function reads it with its role at start; the password never appears in its configuration or in Terraform's state."
  type        = string
  default     = null
}

variable "redis_password" {
  description = "New instance only: its password (8-16 characters). Set it as TF_VAR_redis_password; Terraform keeps it in an SSM secret the function reads. It is also in Terraform's state (instance and secret version): README.md, \"State and secrets\"."
  type        = string
  default     = null
  sensitive   = true
}

variable "redis_availability_zone" {
  description = "New instance only: zone of the Redis instance (and of the subnets Terraform creates), e.g. ap-guangzhou-3."
  type        = string
  default     = null
}

variable "redis_vpc_cidr" {
  description = "New instance in a new VPC only: address range of the VPC Terraform creates; the function's and Redis's subnets are its /24s number 1 and 2."
  type        = string
  default     = null
}

variable "redis_mem_size" {
  description = "New instance only: memory in MB (the limiter keeps one small key). See tencentcloud_redis_zone_config for the sizes a zone sells."
  type        = number
  default     = null
}

variable "vpc_id" {
  description = "redis only: an existing VPC the function joins (subnet_id): the VPC of an existing Redis (redis_host), or the one a new Redis goes into (redis_subnet_id). null with a new Redis: Terraform creates a VPC."
  type        = string
  default     = null
}

variable "subnet_id" {
  description = "With vpc_id: subnet of vpc_id the function runs in. A new Redis's security group admits this subnet only; for an existing Redis, let its security group admit it."
  type        = string
  default     = null
}

variable "redis_subnet_id" {
  description = "New instance in your VPC (vpc_id) only: subnet of the Redis instance. null: subnet_id."
  type        = string
  default     = null
}

variable "rate_limit_redis_key" {
  description = "RATE_LIMIT_REDIS_KEY: the Redis key of the budget. Deployments reading one CCC account through one Redis should share it."
  type        = string
  default     = null
}

variable "rate_limit_redis_timeout_seconds" {
  description = "RATE_LIMIT_REDIS_TIMEOUT_SECONDS: the most one check may wait on Redis (never more than a tenth of the time left); then the instance's own bucket answers."
  type        = number
  default     = null
}

variable "package_cos" {
  description = "Code already uploaded to COS instead of a local zip: bucket (name-appid), object key and the bucket's region. null: use package_zip."
  type = object({
    bucket = string
    object = string
    region = string
  })
  default = null
}
