# Where the function's logs go: a CLS logset and topic kept log_retention_days, or the existing
# ones in var.log_topic. The topic is one of two blocks, picked by deletion_protection, because
# prevent_destroy cannot follow a variable: `protected` refuses to be destroyed, `unprotected`
# does not (README.md, "State and secrets", moves one to the other).

locals {
  create_log_topic = var.log_topic == null
  log_logset_id    = local.create_log_topic ? one(tencentcloud_cls_logset.this[*].id) : var.log_topic.logset_id
  log_topic_id = (
    local.create_log_topic
    ? one(concat(tencentcloud_cls_topic.protected[*].id, tencentcloud_cls_topic.unprotected[*].id))
    : var.log_topic.topic_id
  )

  # CLS splits a busy topic by itself (auto_split, up to max_split_partitions; document
  # 614/39587). partition_count is therefore left to CLS: the provider reads the real count back
  # and refuses to change it, so a fixed count would stop every apply after the first split.
  log_topic = {
    name                 = var.function_name
    describes            = "Invocation logs of SCF function ${var.function_name}"
    auto_split           = true
    max_split_partitions = 50
  }
}

resource "tencentcloud_cls_logset" "this" {
  count = local.create_log_topic ? 1 : 0

  logset_name = "${var.function_name}-logs"
  tags        = local.tags
}

resource "tencentcloud_cls_topic" "protected" {
  count = local.create_log_topic && var.deletion_protection ? 1 : 0

  logset_id            = tencentcloud_cls_logset.this[0].id
  topic_name           = local.log_topic.name
  describes            = local.log_topic.describes
  period               = var.log_retention_days
  storage_type         = "hot"
  auto_split           = local.log_topic.auto_split
  max_split_partitions = local.log_topic.max_split_partitions
  tags                 = local.tags

  lifecycle {
    prevent_destroy = true
  }
}

resource "tencentcloud_cls_topic" "unprotected" {
  count = local.create_log_topic && !var.deletion_protection ? 1 : 0

  logset_id            = tencentcloud_cls_logset.this[0].id
  topic_name           = local.log_topic.name
  describes            = local.log_topic.describes
  period               = var.log_retention_days
  storage_type         = "hot"
  auto_split           = local.log_topic.auto_split
  max_split_partitions = local.log_topic.max_split_partitions
  tags                 = local.tags
}
