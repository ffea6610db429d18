# Execution role of the function: SCF may assume it, and it may read auto-callout tasks and
# nothing else.

data "tencentcloud_user_info" "current" {}

locals {
  # Resource-level scoping when SdkAppIds are listed; "*" when none are, or when the operator
  # turns scoping off because CCC does not authorise this action per resource.
  ccc_policy_resources = (
    var.scope_policy_to_sdk_app_ids && length(var.allowed_sdk_app_ids) > 0
    ? [for id in var.allowed_sdk_app_ids : "qcs::ccc::uin/${data.tencentcloud_user_info.current.owner_uin}:SdkAppId/${id}"]
    : ["*"]
  )
}

resource "tencentcloud_cam_role" "function" {
  name        = "${var.function_name}-exec"
  description = "Execution role of SCF function ${var.function_name}"
  document = jsonencode({
    version = "2.0"
    statement = [{
      action    = ["name/sts:AssumeRole"]
      effect    = "allow"
      principal = { service = ["scf.qcloud.com"] }
    }]
  })
  tags = var.tags
}

resource "tencentcloud_cam_policy" "ccc_read" {
  name        = "${var.function_name}-ccc-read"
  description = "Lets ${var.function_name} call ccc:DescribeAutoCalloutTask"
  document = jsonencode({
    version = "2.0"
    statement = [{
      effect   = "allow"
      action   = ["ccc:DescribeAutoCalloutTask"]
      resource = local.ccc_policy_resources
    }]
  })
}

resource "tencentcloud_cam_role_policy_attachment" "ccc_read" {
  role_id   = tencentcloud_cam_role.function.id
  policy_id = tencentcloud_cam_policy.ccc_read.id
}

# Only with CCC_ROLE_ARN: the one role in the CCC account that the function may assume.
resource "tencentcloud_cam_policy" "assume_ccc_role" {
  count = var.ccc_role_arn == "" ? 0 : 1

  name        = "${var.function_name}-assume-ccc-role"
  description = "Lets ${var.function_name} assume the CCC account's role"
  document = jsonencode({
    version = "2.0"
    statement = [{
      effect   = "allow"
      action   = ["sts:AssumeRole"]
      resource = [var.ccc_role_arn]
    }]
  })
}

resource "tencentcloud_cam_role_policy_attachment" "assume_ccc_role" {
  count = var.ccc_role_arn == "" ? 0 : 1

  role_id   = tencentcloud_cam_role.function.id
  policy_id = tencentcloud_cam_policy.assume_ccc_role[0].id
}
