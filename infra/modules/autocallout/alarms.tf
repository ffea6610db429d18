# Alarms, each with a notice (CKV_CALLOUT_7), each explained in docs/operations.md:
# - SCF's own metrics through Cloud Monitor: errors, throttles, run time near the timeout,
#   concurrency near max_instances (one policy, one rule per metric);
# - the function's log lines through CLS: share of 5xx, sustained 429s, and misconfiguration
#   (credentials or permissions refused, configuration errors), which needs a human at once.
# alarm_notice says who hears of them (no default: variables_operations.tf); both services get a
# notice built from it, and alarm_notice_ids adds notices that exist already.

locals {
  metric_alarms_enabled = var.alarms_enabled
  # Log alarms query indexed fields: without the index they could never fire.
  log_alarms_enabled = var.alarms_enabled && var.log_index_enabled
  create_notices     = var.alarm_notice != null

  monitor_notice_ids = concat(
    tencentcloud_monitor_alarm_notice.this[*].id, try(var.alarm_notice_ids.monitor, [])
  )
  cls_notice_ids = concat(tencentcloud_cls_alarm_notice.this[*].id, try(var.alarm_notice_ids.cls, []))

  alarm_webhooks = var.alarm_webhook_url == null ? [] : [var.alarm_webhook_url]
  # Cloud Monitor's channel names, and CLS's for the same channels.
  cls_alarm_channels = { EMAIL = "Email", SMS = "Sms", CALL = "Phone", WECHAT = "WeChat" }
  every_day          = [1, 2, 3, 4, 5, 6, 7]

  # Cloud Monitor compares against these; see variables_operations.tf.
  alarm_duration_ms         = floor(var.timeout * 1000 * var.alarm_duration_percent_of_timeout / 100)
  alarm_concurrent_requests = ceil(var.max_instances * var.alarm_concurrency_percent_of_max_instances / 100)

  # One rule per SCF metric (namespace QCE/SCF_V2); any rule alarms on its own. A list, in the
  # order the policy has always listed them, so that the provider sees no change in its rules.
  metric_alarm_rules = [
    {
      metric          = "Error"
      description     = "Invocations that failed in the function or the platform"
      value           = var.alarm_errors_per_minute
      continue_period = 1
    },
    {
      metric          = "Throttle"
      description     = "Invocations refused: every instance allowed by max_instances was busy"
      value           = var.alarm_throttles_per_minute
      continue_period = 1
    },
    {
      metric          = "Duration"
      description     = "Average run time near the function's timeout"
      value           = local.alarm_duration_ms
      continue_period = 3
    },
    {
      metric          = "ConcurrentExecutions"
      description     = "Concurrent executions near max_instances"
      value           = local.alarm_concurrent_requests
      continue_period = 3
    },
  ]

  # The CLS queries (CQL, syntax_rule 1) and trigger conditions; docs/operations.md repeats them
  # and tests/infra/test_operations_doc.py checks that they name indexed fields only.
  log_alarm_queries = {
    server_errors = "message:\"invocation\" | select count(*) as invocations, sum(case when status >= 500 then 1 else 0 end) as server_errors"
    throttled     = "message:\"invocation\" AND (status:429 OR upstream_code:\"RequestLimitExceeded\") | select count(*) as throttled"
    misconfigured = "(level:\"ERROR\" AND (message:\"misconfiguration\" OR message:\"misconfigured\" OR message:\"configuration\")) OR upstream_code:\"AuthFailure\" OR upstream_code:\"UnauthorizedOperation\""
  }

  # The three log alarms: each its query, period (minutes), condition and message.
  log_alarms = {
    server_errors = {
      period        = 1
      condition     = "$1.invocations >= ${var.alarm_5xx_min_invocations} && $1.server_errors * 100 > $1.invocations * ${var.alarm_5xx_percent}"
      level         = 2 # critical
      trigger_count = 1
      alarm_period  = 15
      message       = "${var.function_name}: 5xx share above ${var.alarm_5xx_percent}% over 5 minutes. Runbook: docs/operations.md#server-errors"
    }
    throttled = {
      period        = 5
      condition     = "$1.throttled >= ${var.alarm_throttled_per_5_minutes}"
      level         = 0 # warning
      trigger_count = 2 # sustained: two 5-minute periods in a row
      alarm_period  = 30
      message       = "${var.function_name}: at least ${var.alarm_throttled_per_5_minutes} answers 429 per 5 minutes for 10 minutes. Runbook: docs/operations.md#throttled"
    }
    misconfigured = {
      period        = 1
      condition     = "$1.__QUERYCOUNT__ > 0"
      level         = 2 # critical: no request can succeed until a human fixes it
      trigger_count = 1
      alarm_period  = 15
      message       = "${var.function_name}: credentials, permissions or configuration refused. Runbook: docs/operations.md#misconfigured"
    }
  }
}

# --- notices ------------------------------------------------------------------------------------

resource "tencentcloud_monitor_alarm_notice" "this" {
  count = local.metric_alarms_enabled && local.create_notices ? 1 : 0

  name            = "${local.account_wide_name}-alarms"
  notice_type     = "ALL" # when an alarm fires and when it recovers
  notice_language = "en-US"

  # Cloud Monitor's UserNotice.UserIds are user UIDs, not UINs (its API: "用户 uid 列表").
  user_notices {
    receiver_type = "USER"
    user_ids      = [for uid in var.alarm_notice.monitor_user_uids : tonumber(uid)]
    notice_way    = var.alarm_notice.channels
    start_time    = 0
    end_time      = 86399
    weekday       = local.every_day
  }

  dynamic "url_notices" {
    for_each = local.alarm_webhooks
    content {
      url        = url_notices.value
      start_time = 0
      end_time   = 86399
      weekday    = local.every_day
    }
  }
}

resource "tencentcloud_cls_alarm_notice" "this" {
  count = local.log_alarms_enabled && local.create_notices ? 1 : 0

  name = "${local.account_wide_name}-alarms"
  type = "All"

  # CLS takes UINs (receiver_type Uin).
  notice_receivers {
    receiver_type     = "Uin"
    receiver_ids      = [for uin in var.alarm_notice.cls_receiver_uins : tonumber(uin)]
    receiver_channels = [for channel in var.alarm_notice.channels : local.cls_alarm_channels[channel]]
  }

  dynamic "web_callbacks" {
    for_each = local.alarm_webhooks
    content {
      callback_type = "Http"
      url           = web_callbacks.value
      method        = "POST"
    }
  }

  tags = local.tags
}

# --- SCF metrics (Cloud Monitor, namespace QCE/SCF_V2) --------------------------------------------

resource "tencentcloud_monitor_alarm_policy" "this" {
  count = local.metric_alarms_enabled ? 1 : 0

  policy_name  = "${local.account_wide_name}-scf"
  remark       = "SCF metrics of ${var.function_name}"
  monitor_type = "MT_QCE"
  # The alarm-policy type of SCF functions by version (Cloud Monitor's DescribeAllNamespaces).
  namespace = "scf_v2"
  enable    = 1

  conditions {
    is_union_rule = 0 # any rule alarms on its own

    dynamic "rules" {
      for_each = local.metric_alarm_rules
      content {
        metric_name      = rules.value.metric
        description      = rules.value.description
        period           = 60
        operator         = "ge"
        value            = tostring(rules.value.value)
        continue_period  = rules.value.continue_period
        notice_frequency = 900
        is_power_notice  = 0
      }
    }
  }

  notice_ids = local.monitor_notice_ids
}

# The policy watches this function, at the qualifier that serves traffic.
resource "tencentcloud_monitor_policy_binding_object" "this" {
  count = local.metric_alarms_enabled ? 1 : 0

  policy_id = tencentcloud_monitor_alarm_policy.this[0].id

  dimensions {
    dimensions_json = jsonencode({
      functionName = tencentcloud_scf_function.this.name
      namespace    = var.namespace
      version      = local.serving_version
    })
  }
}

# --- the function's log lines (CLS) -------------------------------------------------------------

resource "tencentcloud_cls_alarm" "log" {
  for_each = local.log_alarms_enabled ? local.log_alarms : {}

  name             = "${var.function_name}-${replace(each.key, "_", "-")}"
  alarm_notice_ids = local.cls_notice_ids
  status           = true

  alarm_targets {
    logset_id         = local.log_logset_id
    topic_id          = local.log_topic_id
    number            = 1
    query             = local.log_alarm_queries[each.key]
    start_time_offset = -5
    end_time_offset   = 0
    syntax_rule       = 1
  }

  monitor_time {
    type = "Period"
    time = each.value.period
  }

  condition        = each.value.condition
  alarm_level      = each.value.level
  trigger_count    = each.value.trigger_count
  alarm_period     = each.value.alarm_period
  message_template = each.value.message

  tags = local.tags
}
