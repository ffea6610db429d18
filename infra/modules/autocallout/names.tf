# Names and tags every file uses.

locals {
  # Account-wide names (CAM role and policy, Cloud Monitor notice and policy) carry name_prefix,
  # so that environments and regions of one account do not collide. Without it they are the
  # function's name, as before name_prefix existed (an existing deployment keeps its names).
  account_wide_name = var.name_prefix == null ? var.function_name : "${var.name_prefix}-${var.function_name}"

  # The module's own tags, under the caller's: a key in var.tags wins.
  tags = merge({ app = "describe-auto-callout-task" }, var.tags)
}
