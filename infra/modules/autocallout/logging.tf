# Where the function's logs go: one CLS logset and topic, kept log_retention_days.

resource "tencentcloud_cls_logset" "function" {
  logset_name = "${var.function_name}-logs"
  tags        = var.tags
}

resource "tencentcloud_cls_topic" "function" {
  logset_id       = tencentcloud_cls_logset.function.id
  topic_name      = var.function_name
  describes       = "Invocation logs of SCF function ${var.function_name}"
  period          = var.log_retention_days
  storage_type    = "hot"
  partition_count = 1
  auto_split      = true
  tags            = var.tags
}
