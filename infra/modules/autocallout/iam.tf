# Execution role of the function: SCF may assume it, and one policy, built from the statements
# this configuration needs, lets it read auto-callout tasks (or assume the CCC account's role
# instead) and the Redis password's secret. With execution_role_name the role is the team's own
# and nothing is created here: the execution_policy_document output says what it must allow.

data "tencentcloud_user_info" "current" {}

locals {
  # CAM is account-wide: these names carry name_prefix (names.tf).
  create_role = var.execution_role_name == null
  role_name   = local.create_role ? one(tencentcloud_cam_role.this[*].name) : var.execution_role_name

  # The function reads CCC with this role only when no role of the CCC account is assumed; then
  # only for the listed SdkAppIds, unless every application was explicitly allowed (or the
  # operator turned resource scoping off because CCC refuses it for this action).
  scope_ccc_policy = var.scope_policy_to_sdk_app_ids && !var.allow_all_sdk_app_ids
  ccc_policy_resources = (
    local.scope_ccc_policy
    ? [for id in var.allowed_sdk_app_ids : "qcs::ccc::uin/${data.tencentcloud_user_info.current.owner_uin}:SdkAppId/${id}"]
    : ["*"]
  )

  execution_policy_statements = concat(
    var.ccc_role_arn == null ? [{
      effect   = "allow"
      action   = ["ccc:DescribeAutoCalloutTask"]
      resource = local.ccc_policy_resources
    }] : [],
    var.ccc_role_arn != null ? [{
      effect   = "allow"
      action   = ["sts:AssumeRole"]
      resource = [var.ccc_role_arn]
    }] : [],
    local.use_redis ? [{
      effect   = "allow"
      action   = ["ssm:GetSecretValue"]
      resource = [local.redis_secret_resource]
    }] : [],
    local.watch_enabled ? [{
      effect   = "allow"
      action   = ["ssm:GetSecretValue"]
      resource = local.watch_secret_resources
    }] : [],
  )
  execution_policy_document = jsonencode({
    version   = "2.0"
    statement = local.execution_policy_statements
  })
}

resource "tencentcloud_cam_role" "this" {
  count = local.create_role ? 1 : 0

  name        = "${local.account_wide_name}-exec"
  description = "Execution role of SCF function ${var.function_name}"
  document = jsonencode({
    version = "2.0"
    statement = [{
      action    = ["name/sts:AssumeRole"]
      effect    = "allow"
      principal = { service = ["scf.qcloud.com"] }
    }]
  })
  tags = local.tags
}

resource "tencentcloud_cam_policy" "this" {
  count = local.create_role ? 1 : 0

  name        = "${local.account_wide_name}-exec"
  description = "What SCF function ${var.function_name} may do"
  document    = local.execution_policy_document

  lifecycle {
    # A new name (this policy replaced three) is a new policy: attach it before the old one goes.
    create_before_destroy = true

    precondition {
      condition     = length(local.watch_secret_resources) == length(local.watch_secret_creators)
      error_message = "watch: SSM in ${var.region} has no secret named ${join(", ", [for name, creator in local.watch_secret_creators : name if creator == null])}; create each target's secret before planning."
    }
    precondition {
      condition     = !local.use_redis || local.redis_secret_creator_uin != null
      error_message = "redis_password_secret: SSM in ${var.region} has no secret named \"${local.redis_secret_name}\"; create it (its value the Redis password) before planning, or fix the name."
    }
  }
}

resource "tencentcloud_cam_role_policy_attachment" "this" {
  count = local.create_role ? 1 : 0

  role_id   = tencentcloud_cam_role.this[0].id
  policy_id = tencentcloud_cam_policy.this[0].id

  lifecycle {
    create_before_destroy = true
  }
}
