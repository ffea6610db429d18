# Optional timer: polls timer_tasks on timer_cron. The tasks travel as the trigger's custom
# argument (local.timer_message, settings.tf), which the function receives as the event's Message.

locals {
  timer_enabled = var.timer_cron != null
}

resource "tencentcloud_scf_trigger" "timer" {
  count = local.timer_enabled ? 1 : 0

  function_name   = tencentcloud_scf_function.this.name
  namespace       = var.namespace
  type            = "timer"
  trigger_name    = "poll-tasks"
  qualifier       = local.serving_qualifier # what the alarms watch (provisioned_concurrency.tf)
  enable          = "OPEN"
  description     = "Polls the configured auto-callout tasks"
  trigger_desc    = var.timer_cron
  custom_argument = local.timer_message
}
