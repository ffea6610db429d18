# Without deletion protection a deployment is applied and destroyed like any other: this file's
# clean-up destroys what the run applied, which deletion_protection = true would refuse.
# (Destroying without a build: tests/infra/test_package_manifest.py, with the real Terraform.)

mock_provider "tencentcloud" {}

variables {
  region                  = "ap-guangzhou"
  package_zip             = "describe_auto_callout_task-py312-0123456789abcdef.zip"
  allowed_sdk_app_ids     = ["1400000000"]
  alarms_enabled          = false
  deletion_protection     = false
  rate_limit_store        = "redis"
  redis_availability_zone = "ap-guangzhou-3"
  redis_password          = "example-only"
}

run "applied" {
  # What SSM reports once the secret exists (rate_limit_store.tf names it by its creator).
  override_data {
    target = data.tencentcloud_ssm_secrets.redis_password[0]
    values = { secret_list = [{ secret_name = "describe-auto-callout-task-redis-password", create_uin = 200000000002 }] }
  }

  assert {
    condition     = length(tencentcloud_cls_topic.unprotected) == 1 && length(tencentcloud_cls_topic.protected) == 0
    error_message = "deletion_protection = false: the topic that may be destroyed"
  }
  assert {
    condition     = length(tencentcloud_ssm_secret.unprotected) == 1 && length(tencentcloud_ssm_secret.protected) == 0
    error_message = "deletion_protection = false: the secret that may be destroyed"
  }
}
