# The timer's watch (variable "watch", variables.tf): the function's role may read the targets' SSM secrets
# and nothing else of SSM beyond the Redis password; a CLS alarm fires when a change has waited
# alert_after_ticks ticks for a target. The watch itself travels in the timer's Message
# (local.timer_message, settings.tf); its memory is the rate limit's Redis.

locals {
  watch_alarm_query = "level:\"ERROR\" AND message:\"watch target undelivered\""
}

resource "tencentcloud_cam_policy" "read_watch_secrets" {
  count = local.watch_enabled ? 1 : 0

  name        = "${var.function_name}-read-watch-secrets"
  description = "Lets ${var.function_name} read its watch targets' URLs and signing secrets"
  document = jsonencode({
    version = "2.0"
    statement = [{
      effect = "allow"
      action = ["ssm:GetSecretValue"]
      resource = [for name in local.watch_secret_names :
        "qcs::ssm:${var.region}:uin/${data.tencentcloud_user_info.current.owner_uin}:secret/creatorUin/${data.tencentcloud_user_info.current.owner_uin}/${name}"
      ]
    }]
  })
}

resource "tencentcloud_cam_role_policy_attachment" "read_watch_secrets" {
  count = local.watch_enabled ? 1 : 0

  role_id   = tencentcloud_cam_role.function.id
  policy_id = tencentcloud_cam_policy.read_watch_secrets[0].id
}

resource "tencentcloud_cls_alarm" "watch_undelivered" {
  count = local.watch_enabled && local.log_alarms_enabled ? 1 : 0

  name             = "${var.function_name}-watch-undelivered"
  alarm_notice_ids = [tencentcloud_cls_alarm_notice.function[0].id]
  status           = true

  alarm_targets {
    logset_id         = tencentcloud_cls_logset.function.id
    topic_id          = tencentcloud_cls_topic.function.id
    number            = 1
    query             = local.watch_alarm_query
    start_time_offset = -5
    end_time_offset   = 0
    syntax_rule       = 1
  }

  monitor_time {
    type = "Period"
    time = 5
  }

  condition        = "$1.__QUERYCOUNT__ > 0"
  alarm_level      = 1 # info: a chat or a receiver misses changes; the lookups go on
  trigger_count    = 1
  alarm_period     = 60
  message_template = "${var.function_name}: a watch target has not acknowledged a change for ${local.watch_enabled ? var.watch.alert_after_ticks : 0} ticks. Runbook: docs/operations.md#watch-undelivered"

  tags = var.tags
}
