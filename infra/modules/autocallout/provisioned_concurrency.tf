# Optional provisioned concurrency: SCF keeps provisioned_instances instances started, so the
# callers they serve meet no cold start. SCF provisions published versions only ($LATEST cannot
# be provisioned), so with provisioned_instances > 0 every code or configuration change publishes
# a version, the alias "live" points at it, and the front door and the timer call the alias. With
# the default 0 nothing here is created and they call $LATEST as before.

locals {
  provisioned = var.provisioned_instances > 0

  # What the front door invokes (through the alias, so the trigger waits for it), and the version
  # the SCF alarms watch.
  serving_qualifier = coalesce(one(tencentcloud_scf_function_alias.live[*].name), "$LATEST")
  serving_version   = coalesce(one(tencentcloud_scf_function_version.this[*].function_version), "$LATEST")
}

resource "tencentcloud_scf_function_version" "this" {
  count = local.provisioned ? 1 : 0

  function_name = tencentcloud_scf_function.this.name
  namespace     = var.namespace
  description   = "Published by Terraform for provisioned concurrency"

  lifecycle {
    # A version is a snapshot of $LATEST: publish a new one whenever the function changes.
    replace_triggered_by  = [tencentcloud_scf_function.this]
    create_before_destroy = true
  }
}

resource "tencentcloud_scf_function_alias" "live" {
  count = local.provisioned ? 1 : 0

  name             = "live"
  function_name    = tencentcloud_scf_function.this.name
  namespace        = var.namespace
  function_version = tencentcloud_scf_function_version.this[0].function_version
  description      = "The version that serves traffic"
}

resource "tencentcloud_scf_provisioned_concurrency_config" "this" {
  count = local.provisioned ? 1 : 0

  function_name                       = tencentcloud_scf_function.this.name
  namespace                           = var.namespace
  qualifier                           = tencentcloud_scf_function_version.this[0].function_version
  version_provisioned_concurrency_num = var.provisioned_instances
}
