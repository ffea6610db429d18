# Inputs. Every default is a working, least-privilege, low-cost choice; terraform.tfvars.example
# shows the ones a deployment usually sets.

# --- where and what -----------------------------------------------------------------------------

variable "region" {
  description = "Region of the function and everything around it, e.g. ap-guangzhou: the region of the provider configuration the root gives this module (it names the SSM secret in a policy)."
  type        = string
}

variable "function_name" {
  description = "SCF function name; also the stem of the role, log and gateway names."
  type        = string
  default     = "describe-auto-callout-task"
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_-]{0,58}[A-Za-z0-9]$", var.function_name))
    error_message = "function_name: 2-60 letters, digits, '-' or '_', starting with a letter and not ending with '-' or '_'."
  }
}

variable "name_prefix" {
  description = "Prefix of every account-wide name (CAM role and policy, Cloud Monitor notice and policy), e.g. \"prod-gz\": two deployments in one account (environments, regions) need different ones. null: names are the function's name alone, as before this input existed."
  type        = string
  default     = null

  validation {
    condition     = var.name_prefix == null || can(regex("^[a-z][a-z0-9-]{0,23}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix: 2-25 lower-case letters, digits or '-', starting with a letter and not ending with '-', e.g. \"prod-gz\"."
  }
}

variable "namespace" {
  description = "SCF namespace of the function."
  type        = string
  default     = "default"
  nullable    = false
}

variable "runtime" {
  description = "SCF runtime. The package needs Python >= 3.10, so only SCF's Python3.10 and Python3.12 qualify."
  type        = string
  default     = "Python3.12"
  nullable    = false

  validation {
    # SCF's Python runtimes are Python2.7, 3.6, 3.7, 3.9, 3.10 and 3.12; the older ones cannot
    # import this package. autocallout.runtimes.RUNTIMES lists the same two (a test checks).
    condition     = contains(["Python3.10", "Python3.12"], var.runtime)
    error_message = "runtime must be one of SCF's runtimes that run this code: Python3.10 or Python3.12."
  }
}

variable "memory_size" {
  description = "Memory of one instance in MB: 64, or 128-3072 in steps of 128. CPU grows with it."
  type        = number
  default     = 256
  nullable    = false

  validation {
    condition     = var.memory_size == 64 || (var.memory_size >= 128 && var.memory_size <= 3072 && var.memory_size % 128 == 0)
    error_message = "memory_size must be 64, or 128-3072 in steps of 128."
  }
}

variable "timeout" {
  description = "Function timeout in seconds (1-900). TIME_BUDGET_SECONDS follows it."
  type        = number
  default     = 10
  nullable    = false

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900 && floor(var.timeout) == var.timeout
    error_message = "timeout must be a whole number of seconds between 1 and 900."
  }
}

variable "tags" {
  description = "Tags put on every resource that takes them, merged over the module's own (app, managed-by); a key given here wins."
  type        = map(string)
  default     = {}
  nullable    = false
}

# --- what the function may do ------------------------------------------------------------------

variable "allowed_sdk_app_ids" {
  description = "CCC SdkAppIds the function may read (ALLOWED_SDK_APP_IDS), and the only ones its CAM policy names. Required: empty is refused unless allow_all_sdk_app_ids = true."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for id in var.allowed_sdk_app_ids : can(regex("^[1-9][0-9]{0,18}$", id))])
    error_message = "allowed_sdk_app_ids: each entry must be a positive whole number, e.g. \"1400000000\"."
  }
  validation {
    condition     = length(var.allowed_sdk_app_ids) > 0 || var.allow_all_sdk_app_ids
    error_message = "allowed_sdk_app_ids is empty: list the CCC SdkAppIds the function may read, e.g. [\"1400000000\"], or set allow_all_sdk_app_ids = true to let it read every application of the account."
  }
  validation {
    condition     = length(var.allowed_sdk_app_ids) == 0 || !var.allow_all_sdk_app_ids
    error_message = "allowed_sdk_app_ids and allow_all_sdk_app_ids = true contradict each other: keep one."
  }
}

variable "allow_all_sdk_app_ids" {
  description = "Explicit opt-in to an empty allowlist: the function may read every CCC application of the account, and its policy allows ccc:DescribeAutoCalloutTask on \"*\"."
  type        = bool
  default     = false
  nullable    = false
}

variable "scope_policy_to_sdk_app_ids" {
  description = "Scope the CAM policy to qcs::ccc::uin/<uin>:SdkAppId/<id> for each allowed SdkAppId. Set false to fall back to \"*\" if CCC refuses resource-level authorisation for this action."
  type        = bool
  default     = true
  nullable    = false
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

  validation {
    condition     = var.ccc_role_arn == null || can(regex("^qcs::cam::uin/[0-9]+:role(Name)?/.+$", var.ccc_role_arn))
    error_message = "ccc_role_arn must look like qcs::cam::uin/<uin>:roleName/<name>."
  }
}

variable "retry_max_attempts" {
  description = "RETRY_MAX_ATTEMPTS: attempts per upstream call (1-10)."
  type        = number
  default     = 3
  nullable    = false

  validation {
    condition     = var.retry_max_attempts >= 1 && var.retry_max_attempts <= 10 && floor(var.retry_max_attempts) == var.retry_max_attempts
    error_message = "retry_max_attempts must be a whole number between 1 and 10."
  }
}

variable "log_level" {
  description = "LOG_LEVEL of the function."
  type        = string
  default     = "INFO"
  nullable    = false

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARNING or ERROR."
  }
}

variable "log_retention_days" {
  description = "Days the CLS topic keeps the function's logs (1-3600)."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = var.log_retention_days >= 1 && var.log_retention_days <= 3600
    error_message = "log_retention_days must be between 1 and 3600."
  }
}

# --- rate limit ---------------------------------------------------------------------------------

variable "total_qps" {
  description = "Requests per second the whole deployment may send to CCC. DescribeAutoCalloutTask allows 20/s per account."
  type        = number
  default     = 20
  nullable    = false

  validation {
    condition     = var.total_qps >= 1 && var.total_qps <= 20 && floor(var.total_qps) == var.total_qps
    error_message = "total_qps must be a whole number from 1 to 20 (the upstream limit of 20 requests/second)."
  }
}

variable "max_instances" {
  description = "Most instances that may run at once (reserved concurrency). Each may use all of total_qps, alone or shared through Redis (README.md, \"Rate limit modes\")."
  type        = number
  default     = 10
  nullable    = false

  validation {
    condition     = var.max_instances >= 1 && floor(var.max_instances) == var.max_instances && var.max_instances <= var.total_qps
    error_message = "max_instances must be a whole number from 1 to total_qps."
  }
}

# --- front door ---------------------------------------------------------------------------------

variable "front_door" {
  description = "HTTPS entry: \"function_url\" (SCF Function URL, what Tencent sells today) or \"api_gateway\" (an API on a legacy API Gateway service the account already has: api_gateway_service_id)."
  type        = string
  default     = "function_url"
  nullable    = false

  validation {
    condition     = contains(["function_url", "api_gateway"], var.front_door)
    error_message = "front_door must be \"function_url\" or \"api_gateway\"."
  }
}

variable "api_gateway_service_id" {
  description = "api_gateway only: id (service-...) of the account's existing API Gateway service the API is added to. Tencent sells no new API Gateway resources since 2024-07-01 (notice 628/106651), so this module creates none."
  type        = string
  default     = null

  validation {
    condition     = (var.api_gateway_service_id != null) == (var.front_door == "api_gateway")
    error_message = "front_door = \"api_gateway\" needs api_gateway_service_id, the id of a service the account already runs (service-xxxxxxxx): the legacy gateway creates no new services; and only that front door takes it."
  }
  validation {
    condition     = var.api_gateway_service_id == null || can(regex("^service-[a-z0-9]+$", var.api_gateway_service_id))
    error_message = "api_gateway_service_id must look like service-xxxxxxxx."
  }
}

variable "function_url_anonymous" {
  description = "Explicit opt-in to an anonymous Function URL (AuthType NONE). Default false: callers sign with CAM and need scf:InvokeFunctionUrl."
  type        = bool
  default     = false
  nullable    = false
}

variable "function_url_public" {
  description = "Serve the Function URL on the internet (true) or only inside Tencent's private network (false)."
  type        = bool
  default     = true
  nullable    = false
}

variable "cors_allow_origins" {
  description = "Browser origins allowed to call the API (CORS). Empty: no CORS headers."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for o in var.cors_allow_origins : o == "*" || can(regex("^https?://[^/,\\s]+$", o))])
    error_message = "cors_allow_origins: each entry must be \"*\" or an origin such as https://app.example.com (no path, no comma)."
  }
}

# --- timer --------------------------------------------------------------------------------------

variable "timer_cron" {
  description = "SCF cron (7 fields: sec min hour day month weekday year) for polling timer_tasks. null: no timer."
  type        = string
  default     = null

  validation {
    condition     = var.timer_cron == null ? true : length(split(" ", trimspace(var.timer_cron))) == 7
    error_message = "timer_cron must have 7 space-separated fields (sec min hour day month weekday year), e.g. \"0 */5 * * * * *\"."
  }
}

variable "timer_tasks" {
  description = "Tasks the timer polls; sent to the function as the trigger's Message. include_callees defaults to false: a status poll needs the state and the callee summary, not up to 1 000 callees every tick."
  type = list(object({
    sdk_app_id      = string # as in allowed_sdk_app_ids: exact digits, e.g. "1400000000"
    task_id         = number
    include_callees = optional(bool, false)
  }))
  default  = []
  nullable = false

  validation {
    condition     = var.timer_cron == null || length(var.timer_tasks) > 0
    error_message = "timer_tasks must list at least one task when timer_cron is set."
  }

  validation {
    condition     = length(var.timer_tasks) <= 50
    error_message = "timer_tasks: at most 50 tasks, the function's limit for one timer run."
  }

  validation {
    condition = alltrue([for t in var.timer_tasks :
      can(regex("^[1-9][0-9]{0,18}$", t.sdk_app_id)) && t.task_id >= 1 && floor(t.task_id) == t.task_id
    ])
    error_message = "timer_tasks: each sdk_app_id must be a positive whole number written as a string, e.g. \"1400000000\", and each task_id a whole number >= 1."
  }

  validation {
    # SCF keeps a timer's custom argument to 4 KB (document 583/9708); settings.tf writes the
    # same JSON as the trigger's argument. 50 tasks with 19-digit ids come to about 4.3 KB.
    condition = try(length(jsonencode([for t in var.timer_tasks : {
      SdkAppId = tonumber(t.sdk_app_id), TaskId = t.task_id, include_callees = t.include_callees
    }])) <= 4096, true)
    error_message = "timer_tasks: the trigger's argument (the tasks as JSON) would exceed SCF's 4 KB limit for a timer's custom argument; list fewer tasks (fewer than 50 fit when their ids are long)."
  }

  validation {
    condition = length(var.allowed_sdk_app_ids) == 0 || alltrue([
      for t in var.timer_tasks : contains(var.allowed_sdk_app_ids, t.sdk_app_id)
    ])
    error_message = "timer_tasks: every sdk_app_id must be in allowed_sdk_app_ids, or the function refuses the timer's own lookups (403)."
  }
}

# The timer's watch (docs/integrations.md §5; watch.tf): which events of timer_tasks it tells, and to
# which targets. Each target names the SSM secret holding its URL (the robot's key is in it) and
# its signing secret; the function's role may read exactly those secrets.
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

  validation {
    condition     = var.watch == null ? true : var.timer_cron != null && length(var.timer_tasks) > 0
    error_message = "watch: set timer_cron and timer_tasks too; the watch tells what changed in the timer's tasks."
  }

  validation {
    condition     = var.watch == null ? true : can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", var.watch.name))
    error_message = "watch.name: 1-64 letters, digits, '_', '.' or '-'."
  }

  validation {
    condition = var.watch == null ? true : (
      length(var.watch.events) > 0 && alltrue([for e in var.watch.events : contains(["state", "progress", "lookup"], e)])
    )
    error_message = "watch.events: some of \"state\", \"progress\", \"lookup\"."
  }

  validation {
    condition = var.watch == null ? true : (
      var.watch.progress_step >= 1 && var.watch.progress_step <= 100 && floor(var.watch.progress_step) == var.watch.progress_step
      && var.watch.failing_after >= 1 && var.watch.failing_after <= 100 && floor(var.watch.failing_after) == var.watch.failing_after
      && var.watch.alert_after_ticks >= 1 && var.watch.alert_after_ticks <= 10000 && floor(var.watch.alert_after_ticks) == var.watch.alert_after_ticks
    )
    error_message = "watch: progress_step is a whole percent 1-100, failing_after a whole number 1-100, alert_after_ticks 1-10000."
  }

  validation {
    condition     = var.watch == null ? true : length(var.watch.targets) >= 1 && length(var.watch.targets) <= 8
    error_message = "watch.targets: 1 to 8 targets."
  }

  validation {
    condition = var.watch == null ? true : alltrue([for name, t in var.watch.targets :
      can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", name))
      && contains(["webhook", "wecom", "feishu", "dingtalk"], t.kind)
      && can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}:[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$", t.secret))
    ])
    error_message = "watch.targets: each name is 1-64 letters, digits, '_', '.' or '-'; kind is webhook, wecom, feishu or dingtalk; secret is \"<SSM secret name>:<version>\"."
  }

  validation {
    condition = var.watch == null ? true : alltrue([for t in values(var.watch.targets) :
      t.kind == "webhook" ? can(regex("^[A-Za-z0-9]([A-Za-z0-9-]{0,62}\\.)*[A-Za-z0-9-]{1,63}$", coalesce(t.host, "-"))) : t.host == null
    ])
    error_message = "watch.targets: a webhook names the host its URL points to (host = \"hooks.example.com\"); a robot takes none (it posts to its platform's host)."
  }
}

# --- existing resources, and what outlives a destroy ---------------------------------------------

variable "execution_role_name" {
  description = "An existing CAM role for the function instead of the one this module creates; it must trust scf.qcloud.com and carry the statements of the execution_policy_document output. null: the module creates the role and its policy."
  type        = string
  default     = null

  validation {
    condition     = var.execution_role_name == null || can(regex("^[A-Za-z0-9+=,.@_-]{1,128}$", var.execution_role_name))
    error_message = "execution_role_name must be a CAM role name (1-128 letters, digits or +=,.@_-)."
  }
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
  default     = true
  nullable    = false
}

variable "secret_recovery_window_days" {
  description = "Days SSM keeps a deleted secret (the Redis password this module stores) recoverable before deleting it for good (1-30)."
  type        = number
  default     = 7
  nullable    = false

  validation {
    condition     = var.secret_recovery_window_days >= 1 && var.secret_recovery_window_days <= 30 && floor(var.secret_recovery_window_days) == var.secret_recovery_window_days
    error_message = "secret_recovery_window_days must be a whole number from 1 to 30 (0, deleting at once, is what this input exists to avoid)."
  }
}
