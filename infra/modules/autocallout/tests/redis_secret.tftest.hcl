# The Redis password's secret, as the role's policy names it: SSM names a secret by the uin that
# created it (document 1078/38612, creatorUin). That is whoever ran the apply that created it, as
# SSM reports it, not whoever runs a later plan: a teammate's or CI's key must not rewrite the
# policy to a uin the secret is not known by (the function would be denied its password).
# Applied, so without deletion protection: the clean-up destroys what the runs applied.

mock_provider "tencentcloud" {
  # Terraform runs as a sub-user of the account: its uin is not the owner's.
  mock_data "tencentcloud_user_info" {
    defaults = {
      uin       = "200000000002"
      owner_uin = "100000000001"
      app_id    = "1250000000"
    }
  }
}

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

run "created_by_a_sub_user" {
  # What SSM reports once the secret exists: the sub-user that applied created it.
  override_data {
    target = data.tencentcloud_ssm_secrets.redis_password[0]
    values = { secret_list = [{ secret_name = "describe-auto-callout-task-redis-password", create_uin = 200000000002 }] }
  }

  assert {
    condition     = jsondecode(tencentcloud_cam_policy.this[0].document).statement[1].resource == ["qcs::ssm:ap-guangzhou:uin/100000000001:secret/creatorUin/200000000002/describe-auto-callout-task-redis-password"]
    error_message = "the policy names the secret by the uin that created it"
  }
  assert {
    condition     = jsondecode(tencentcloud_cam_policy.this[0].document).statement[1].action == ["ssm:GetSecretValue"]
    error_message = "the role may read the secret"
  }
}

run "planned_later_by_another_user" {
  command = plan

  # Another identity runs Terraform (CI, a teammate); the secret is the one created above.
  override_data {
    target = data.tencentcloud_user_info.current
    values = { uin = "200000000009", owner_uin = "100000000001", app_id = "1250000000" }
  }
  override_data {
    target = data.tencentcloud_ssm_secrets.redis_password[0]
    values = { secret_list = [{ secret_name = "describe-auto-callout-task-redis-password", create_uin = 200000000002 }] }
  }

  assert {
    condition     = jsondecode(tencentcloud_cam_policy.this[0].document).statement[1].resource == ["qcs::ssm:ap-guangzhou:uin/100000000001:secret/creatorUin/200000000002/describe-auto-callout-task-redis-password"]
    error_message = "the policy still names the secret's creator, not whoever runs Terraform now"
  }
}
