# The timer's watch (variable "watch", variables.tf): the function's role may read the targets' SSM
# secrets (a statement of its one policy, iam.tf) and nothing else of SSM beyond the Redis
# password; a CLS alarm fires when a change has waited
# alert_after_ticks ticks for a target. The watch itself travels in the timer's Message
# (local.timer_message, settings.tf); its memory is the rate limit's Redis.

locals {
  watch_alarm_query = "level:\"ERROR\" AND message:\"watch target undelivered\""

  watch_secret_creators = {
    for name in local.watch_secret_names : name => one(flatten([
      for d in data.tencentcloud_ssm_secrets.watch[*] : [for secret in d.secret_list : secret.create_uin if secret.secret_name == name]
    ]))
  }
  # In the execution role's one policy (iam.tf): ssm:GetSecretValue on exactly these.
  watch_secret_resources = [
    for name, creator in local.watch_secret_creators :
    "qcs::ssm:${var.region}:uin/${data.tencentcloud_user_info.current.owner_uin}:secret/creatorUin/${creator}/${name}" if creator != null
  ]
}

# Who created each target's secret, as SSM reports it: the policy names a secret by its creator's
# uin (document 1078/38612), which is the owner's only when the owner created it.
data "tencentcloud_ssm_secrets" "watch" {
  count = local.watch_enabled ? 1 : 0
}

resource "tencentcloud_cls_alarm" "watch_undelivered" {
  count = local.watch_enabled && local.log_alarms_enabled ? 1 : 0

  name             = "${var.function_name}-watch-undelivered"
  alarm_notice_ids = local.cls_notice_ids
  status           = true

  alarm_targets {
    logset_id         = local.log_logset_id
    topic_id          = local.log_topic_id
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

  tags = local.tags
}
