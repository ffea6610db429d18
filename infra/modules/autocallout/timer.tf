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

  lifecycle {
    # SCF keeps a timer's custom argument to 4 KB (document 583/9708). variables.tf refuses
    # timer_tasks that cannot fit alone; with a watch the argument carries the watch as well, so the
    # argument itself is checked here (ASCII only: every id is digits, every watch string ASCII).
    precondition {
      condition     = length(local.timer_message) <= 4096
      error_message = "The timer's argument (timer_tasks and the watch as JSON) is ${length(local.timer_message)} bytes, over SCF's 4 KB limit for a timer's custom argument: list fewer tasks or fewer watch targets."
    }
  }
}
