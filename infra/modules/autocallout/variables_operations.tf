# Inputs of the operations layer: the CLS index, the alarms and their notice, provisioned
# concurrency. Kept apart from variables.tf so that each concern reads on its own.

# --- log index ----------------------------------------------------------------------------------

variable "log_index_enabled" {
  description = "Key-value index over the fields the function logs (log_index.tf). CLS bills index traffic and index storage by the GB; off: logs are kept but only full-text search and no alarm on log fields works."
  type        = bool
  default     = true
  nullable    = false
}

# --- alarms -------------------------------------------------------------------------------------

variable "alarms_enabled" {
  description = "Alarms on SCF's metrics (Cloud Monitor) and on the function's log lines (CLS; these also need log_index_enabled). See docs/operations.md for what each one means."
  type        = bool
  default     = true
  nullable    = false
}

variable "alarm_notice" {
  description = "Who hears of an alarm; required while alarms_enabled (there is no silent default) unless alarm_notice_ids names existing notices. monitor_user_uids: CAM user UIDs for Cloud Monitor's notice (its UserIds take UIDs, not UINs); cls_receiver_uins: account or CAM user UINs for CLS's notice; both reached on channels (EMAIL, SMS, CALL, WECHAT)."
  type = object({
    monitor_user_uids = list(string)
    cls_receiver_uins = list(string)
    channels          = optional(list(string), ["EMAIL", "SMS"])
  })
  default = null

  validation {
    condition     = var.alarm_notice == null ? true : length(var.alarm_notice.monitor_user_uids) > 0 && alltrue([for uid in var.alarm_notice.monitor_user_uids : can(regex("^[1-9][0-9]{0,19}$", uid))])
    error_message = "alarm_notice.monitor_user_uids: list at least one CAM user UID (a whole number, shown as \"User ID\" in the CAM console; not the UIN)."
  }
  validation {
    condition     = var.alarm_notice == null ? true : length(var.alarm_notice.cls_receiver_uins) > 0 && alltrue([for uin in var.alarm_notice.cls_receiver_uins : can(regex("^[1-9][0-9]{4,19}$", uin))])
    error_message = "alarm_notice.cls_receiver_uins: list at least one Tencent Cloud UIN, a whole number such as \"100000000001\"."
  }
  validation {
    condition     = var.alarm_notice == null ? true : length(var.alarm_notice.channels) > 0 && alltrue([for c in var.alarm_notice.channels : contains(["EMAIL", "SMS", "CALL", "WECHAT"], c)])
    error_message = "alarm_notice.channels must list at least one of EMAIL, SMS, CALL, WECHAT."
  }
  validation {
    condition     = !var.alarms_enabled || var.alarm_notice != null || length(try(var.alarm_notice_ids.monitor, [])) > 0
    error_message = "alarms_enabled: say who hears of the alarms: alarm_notice = { monitor_user_uids = [...], cls_receiver_uins = [...] }, or existing notices in alarm_notice_ids; or set alarms_enabled = false."
  }
  validation {
    condition     = !(var.alarms_enabled && var.log_index_enabled) || var.alarm_notice != null || length(try(var.alarm_notice_ids.cls, [])) > 0
    error_message = "The log alarms (CLS) need a notice too: alarm_notice, or a CLS notice id in alarm_notice_ids.cls; or set log_index_enabled = false."
  }
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

  validation {
    condition     = var.alarm_webhook_url == null || can(regex("^https?://[^\\s]{1,248}$", var.alarm_webhook_url))
    error_message = "alarm_webhook_url must be an http(s) URL of at most 256 characters."
  }
  validation {
    condition     = var.alarm_webhook_url == null || var.alarm_notice != null
    error_message = "alarm_webhook_url goes into the notices this module creates: set alarm_notice too."
  }
}

variable "alarm_errors_per_minute" {
  description = "SCF Error metric (invocations that crashed, timed out or failed in the platform) per minute that raises the errors alarm. The function answers its own problems, so any error here is worth a look."
  type        = number
  default     = 1
  nullable    = false

  validation {
    condition     = var.alarm_errors_per_minute >= 1 && floor(var.alarm_errors_per_minute) == var.alarm_errors_per_minute
    error_message = "alarm_errors_per_minute must be a whole number of at least 1."
  }
}

variable "alarm_throttles_per_minute" {
  description = "SCF Throttle metric (invocations refused because max_instances were busy) per minute that raises the throttles alarm."
  type        = number
  default     = 1
  nullable    = false

  validation {
    condition     = var.alarm_throttles_per_minute >= 1 && floor(var.alarm_throttles_per_minute) == var.alarm_throttles_per_minute
    error_message = "alarm_throttles_per_minute must be a whole number of at least 1."
  }
}

variable "alarm_duration_percent_of_timeout" {
  description = "Average run time, as a percentage of the function's timeout, that raises the duration alarm."
  type        = number
  default     = 80
  nullable    = false

  validation {
    condition     = var.alarm_duration_percent_of_timeout >= 10 && var.alarm_duration_percent_of_timeout <= 100
    error_message = "alarm_duration_percent_of_timeout must be between 10 and 100."
  }
}

variable "alarm_concurrency_percent_of_max_instances" {
  description = "Concurrent executions, as a percentage of max_instances, that raise the concurrency alarm."
  type        = number
  default     = 80
  nullable    = false

  validation {
    condition     = var.alarm_concurrency_percent_of_max_instances >= 10 && var.alarm_concurrency_percent_of_max_instances <= 100
    error_message = "alarm_concurrency_percent_of_max_instances must be between 10 and 100."
  }
}

variable "alarm_5xx_percent" {
  description = "Share of invocations answered 5xx, in percent over 5 minutes, that raises the server-errors alarm."
  type        = number
  default     = 5
  nullable    = false

  validation {
    condition     = var.alarm_5xx_percent > 0 && var.alarm_5xx_percent <= 100
    error_message = "alarm_5xx_percent must be greater than 0 and at most 100."
  }
}

variable "alarm_5xx_min_invocations" {
  description = "Invocations needed in the 5 minutes before the server-errors share counts (one failure out of two calls is not a trend)."
  type        = number
  default     = 5
  nullable    = false

  validation {
    condition     = var.alarm_5xx_min_invocations >= 1 && floor(var.alarm_5xx_min_invocations) == var.alarm_5xx_min_invocations
    error_message = "alarm_5xx_min_invocations must be a whole number of at least 1."
  }
}

variable "alarm_throttled_per_5_minutes" {
  description = "Invocations answered 429 (CCC's RequestLimitExceeded after retries, or the function's own limit) per 5 minutes that raise the throttled alarm when it holds for two periods in a row."
  type        = number
  default     = 10
  nullable    = false

  validation {
    condition     = var.alarm_throttled_per_5_minutes >= 1 && floor(var.alarm_throttled_per_5_minutes) == var.alarm_throttled_per_5_minutes
    error_message = "alarm_throttled_per_5_minutes must be a whole number of at least 1."
  }
}

# --- provisioned concurrency ------------------------------------------------------------------------

variable "provisioned_instances" {
  description = "Instances SCF keeps started on a published version, so that callers meet no cold start. 0 (default): none, and nothing is billed for idle instances. See README: Cold starts."
  type        = number
  default     = 0
  nullable    = false

  validation {
    condition     = var.provisioned_instances >= 0 && floor(var.provisioned_instances) == var.provisioned_instances && var.provisioned_instances <= var.max_instances
    error_message = "provisioned_instances must be a whole number from 0 to max_instances (reserved concurrency caps what can be kept warm)."
  }
}
