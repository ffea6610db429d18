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
  description = "Tags put on every resource that takes them."
  type        = map(string)
  default     = null
}

variable "allowed_sdk_app_ids" {
  description = "CCC SdkAppIds the function may read (ALLOWED_SDK_APP_IDS). Empty: any application of the account."
  type        = list(string)
  default     = null
}

variable "scope_policy_to_sdk_app_ids" {
  description = "Scope the CAM policy to qcs::ccc::uin/<uin>:SdkAppId/<id> for each allowed SdkAppId. Set false to fall back to \"*\" if CCC refuses resource-level authorisation for this action."
  type        = bool
  default     = null
}

variable "ccc_region" {
  description = "CCC_REGION: region sent to CCC. Empty: the function's default."
  type        = string
  default     = null
}

variable "ccc_endpoint" {
  description = "CCC_ENDPOINT: override of the CCC endpoint (private endpoint). Empty: the public one."
  type        = string
  default     = null
}

variable "ccc_role_arn" {
  description = "CCC_ROLE_ARN: a role in the account that owns CCC, assumed through STS. Empty: call CCC with the execution role."
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
  description = "HTTPS entry: \"function_url\" (SCF Function URL, what Tencent sells today) or \"api_gateway\" (legacy API Gateway, only for accounts that still have it)."
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
  description = "SCF cron (7 fields: sec min hour day month weekday year) for polling timer_tasks. Empty: no timer."
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
  description = "Tell targets when timer_tasks change (docs/integrations.md §5): null only polls. targets maps a name to {kind = webhook|wecom|feishu|dingtalk, secret = \"<SSM secret name>:<version>\", host = a webhook's host}. Needs timer_cron and rate_limit_store = \"redis\"."
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
  description = "Who hears of an alarm. receiver_uins: account or CAM-user uins, reached on channels (EMAIL, SMS, CALL, WECHAT); empty list: the account that runs terraform. webhook_url: also POST each alarm there; \"\": none."
  type = object({
    receiver_uins = optional(list(string), [])
    channels      = optional(list(string), ["EMAIL", "SMS"])
    webhook_url   = optional(string, "")
  })
  default = null
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
  description = "redis only: private address of an existing Redis instance. Empty: Terraform creates one (redis_availability_zone, redis_password)."
  type        = string
  default     = null
}

variable "redis_port" {
  description = "redis only: port of the existing instance."
  type        = number
  default     = null
}

variable "redis_password_secret" {
  description = "Existing instance only: \"<SSM secret name>:<version id>\" holding its password. The function reads it with its role at start; the password never appears in its configuration."
  type        = string
  default     = null
}

variable "redis_password" {
  description = "New instance only: its password (8-16 characters). Set it as TF_VAR_redis_password; Terraform keeps it in an SSM secret the function reads (and, marked sensitive, in its state)."
  type        = string
  default     = null
  sensitive   = true
}

variable "redis_availability_zone" {
  description = "New instance only: zone of the Redis instance and of the subnets, e.g. ap-guangzhou-3."
  type        = string
  default     = null
}

variable "redis_vpc_cidr" {
  description = "New instance only: address range of the VPC Terraform creates; the function's and Redis's subnets are its /24s number 1 and 2."
  type        = string
  default     = null
}

variable "redis_mem_size" {
  description = "New instance only: memory in MB (the limiter keeps one small key). See tencentcloud_redis_zone_config for the sizes a zone sells."
  type        = number
  default     = null
}

variable "vpc_id" {
  description = "Existing instance only: VPC the function joins to reach redis_host."
  type        = string
  default     = null
}

variable "subnet_id" {
  description = "Existing instance only: subnet of vpc_id the function runs in. Let the Redis security group admit this subnet only."
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
