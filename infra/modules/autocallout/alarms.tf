# Alarms, each with a notice (CKV_CALLOUT_7), each explained in docs/operations.md:
# - SCF's own metrics through Cloud Monitor: errors, throttles, run time near the timeout,
#   concurrency near max_instances;
# - the function's log lines through CLS: share of 5xx, sustained 429s, and misconfiguration
#   (credentials or permissions refused, configuration errors), which needs a human at once.
# One variable, alarm_notice, says who hears of them; both services get a notice built from it.

locals {
  metric_alarms_enabled = var.alarms_enabled
  # Log alarms query indexed fields: without the index they could never fire.
  log_alarms_enabled = var.alarms_enabled && var.log_index_enabled

  # Nobody listed: the account that runs terraform hears of its own deployment's alarms.
  alarm_receiver_uins = (
    length(var.alarm_notice.receiver_uins) > 0
    ? var.alarm_notice.receiver_uins
    : [data.tencentcloud_user_info.current.uin]
  )
  alarm_webhooks = var.alarm_notice.webhook_url == "" ? [] : [var.alarm_notice.webhook_url]
  # Cloud Monitor's channel names, and CLS's for the same channels.
  cls_alarm_channels = { EMAIL = "Email", SMS = "Sms", CALL = "Phone", WECHAT = "WeChat" }
  every_day          = [1, 2, 3, 4, 5, 6, 7]

  # Cloud Monitor compares against these; see variables_operations.tf.
  alarm_duration_ms         = floor(var.timeout * 1000 * var.alarm_duration_percent_of_timeout / 100)
  alarm_concurrent_requests = ceil(var.max_instances * var.alarm_concurrency_percent_of_max_instances / 100)

  # The CLS queries (CQL, syntax_rule 1) and trigger conditions; docs/operations.md repeats them
  # and tests/infra/test_operations_doc.py checks that they name indexed fields only.
  log_alarm_queries = {
    server_errors = "message:\"invocation\" | select count(*) as invocations, sum(case when status >= 500 then 1 else 0 end) as server_errors"
    throttled     = "message:\"invocation\" AND (status:429 OR upstream_code:\"RequestLimitExceeded\") | select count(*) as throttled"
    misconfigured = "(level:\"ERROR\" AND (message:\"misconfiguration\" OR message:\"misconfigured\" OR message:\"configuration\")) OR upstream_code:\"AuthFailure\" OR upstream_code:\"UnauthorizedOperation\""
  }
}

# --- notices ------------------------------------------------------------------------------------

resource "tencentcloud_monitor_alarm_notice" "function" {
  count = local.metric_alarms_enabled ? 1 : 0

  name            = "${var.function_name}-alarms"
  notice_type     = "ALL" # when an alarm fires and when it recovers
  notice_language = "en-US"

  user_notices {
    receiver_type = "USER"
    user_ids      = [for uin in local.alarm_receiver_uins : tonumber(uin)]
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

resource "tencentcloud_cls_alarm_notice" "function" {
  count = local.log_alarms_enabled ? 1 : 0

  name = "${var.function_name}-alarms"
  type = "All"

  notice_receivers {
    receiver_type     = "Uin"
    receiver_ids      = [for uin in local.alarm_receiver_uins : tonumber(uin)]
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

  tags = var.tags
}

# --- SCF metrics (Cloud Monitor, namespace QCE/SCF_V2) --------------------------------------------

resource "tencentcloud_monitor_alarm_policy" "function" {
  count = local.metric_alarms_enabled ? 1 : 0

  policy_name  = "${var.function_name}-scf"
  remark       = "SCF metrics of ${var.function_name}"
  monitor_type = "MT_QCE"
  # The alarm-policy type of SCF functions by version (Cloud Monitor's DescribeAllNamespaces).
  namespace = "scf_v2"
  enable    = 1

  conditions {
    is_union_rule = 0 # any rule alarms on its own

    rules {
      metric_name      = "Error"
      description      = "Invocations that failed in the function or the platform"
      period           = 60
      operator         = "ge"
      value            = tostring(var.alarm_errors_per_minute)
      continue_period  = 1
      notice_frequency = 900
      is_power_notice  = 0
    }

    rules {
      metric_name      = "Throttle"
      description      = "Invocations refused: every instance allowed by max_instances was busy"
      period           = 60
      operator         = "ge"
      value            = tostring(var.alarm_throttles_per_minute)
      continue_period  = 1
      notice_frequency = 900
      is_power_notice  = 0
    }

    rules {
      metric_name      = "Duration"
      description      = "Average run time near the function's timeout"
      period           = 60
      operator         = "ge"
      value            = tostring(local.alarm_duration_ms)
      continue_period  = 3
      notice_frequency = 900
      is_power_notice  = 0
    }

    rules {
      metric_name      = "ConcurrentExecutions"
      description      = "Concurrent executions near max_instances"
      period           = 60
      operator         = "ge"
      value            = tostring(local.alarm_concurrent_requests)
      continue_period  = 3
      notice_frequency = 900
      is_power_notice  = 0
    }
  }

  notice_ids = [tencentcloud_monitor_alarm_notice.function[0].id]
}

# The policy watches this function, at the qualifier that serves traffic.
resource "tencentcloud_monitor_policy_binding_object" "function" {
  count = local.metric_alarms_enabled ? 1 : 0

  policy_id = tencentcloud_monitor_alarm_policy.function[0].id

  dimensions {
    dimensions_json = jsonencode({
      functionName = tencentcloud_scf_function.this.name
      namespace    = var.namespace
      version      = local.serving_version
    })
  }
}

# --- the function's log lines (CLS) -------------------------------------------------------------

resource "tencentcloud_cls_alarm" "server_errors" {
  count = local.log_alarms_enabled ? 1 : 0

  name             = "${var.function_name}-server-errors"
  alarm_notice_ids = [tencentcloud_cls_alarm_notice.function[0].id]
  status           = true

  alarm_targets {
    logset_id         = tencentcloud_cls_logset.function.id
    topic_id          = tencentcloud_cls_topic.function.id
    number            = 1
    query             = local.log_alarm_queries.server_errors
    start_time_offset = -5
    end_time_offset   = 0
    syntax_rule       = 1
  }

  monitor_time {
    type = "Period"
    time = 1
  }

  condition        = "$1.invocations >= ${var.alarm_5xx_min_invocations} && $1.server_errors * 100 > $1.invocations * ${var.alarm_5xx_percent}"
  alarm_level      = 2 # critical
  trigger_count    = 1
  alarm_period     = 15
  message_template = "${var.function_name}: 5xx share above ${var.alarm_5xx_percent}% over 5 minutes. Runbook: docs/operations.md#server-errors"

  tags = var.tags
}

resource "tencentcloud_cls_alarm" "throttled" {
  count = local.log_alarms_enabled ? 1 : 0

  name             = "${var.function_name}-throttled"
  alarm_notice_ids = [tencentcloud_cls_alarm_notice.function[0].id]
  status           = true

  alarm_targets {
    logset_id         = tencentcloud_cls_logset.function.id
    topic_id          = tencentcloud_cls_topic.function.id
    number            = 1
    query             = local.log_alarm_queries.throttled
    start_time_offset = -5
    end_time_offset   = 0
    syntax_rule       = 1
  }

  monitor_time {
    type = "Period"
    time = 5
  }

  condition        = "$1.throttled >= ${var.alarm_throttled_per_5_minutes}"
  alarm_level      = 0 # warning
  trigger_count    = 2 # sustained: two 5-minute periods in a row
  alarm_period     = 30
  message_template = "${var.function_name}: at least ${var.alarm_throttled_per_5_minutes} answers 429 per 5 minutes for 10 minutes. Runbook: docs/operations.md#throttled"

  tags = var.tags
}

resource "tencentcloud_cls_alarm" "misconfigured" {
  count = local.log_alarms_enabled ? 1 : 0

  name             = "${var.function_name}-misconfigured"
  alarm_notice_ids = [tencentcloud_cls_alarm_notice.function[0].id]
  status           = true

  alarm_targets {
    logset_id         = tencentcloud_cls_logset.function.id
    topic_id          = tencentcloud_cls_topic.function.id
    number            = 1
    query             = local.log_alarm_queries.misconfigured
    start_time_offset = -5
    end_time_offset   = 0
    syntax_rule       = 1
  }

  monitor_time {
    type = "Period"
    time = 1
  }

  condition        = "$1.__QUERYCOUNT__ > 0"
  alarm_level      = 2 # critical: no request can succeed until a human fixes it
  trigger_count    = 1
  alarm_period     = 15
  message_template = "${var.function_name}: credentials, permissions or configuration refused. Runbook: docs/operations.md#misconfigured"

  tags = var.tags
}
