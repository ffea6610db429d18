# A team's account: an existing role, log topic, notices, code in COS, its own names and tags.
# Planned against a mock of the provider, like modes.tftest.hcl.

mock_provider "tencentcloud" {
  mock_data "tencentcloud_user_info" {
    defaults = {
      uin       = "200000000002"
      owner_uin = "100000000001"
      app_id    = "1250000000"
    }
  }
}

variables {
  region              = "ap-guangzhou"
  allowed_sdk_app_ids = ["1400000000"]
  package_cos = {
    bucket = "code-1250000000"
    object = "autocallout/describe_auto_callout_task-py312-0123456789abcdef.zip"
    region = "ap-guangzhou"
  }
  execution_role_name = "team-managed-callout-role"
  log_topic = {
    logset_id = "logset-existing"
    topic_id  = "topic-existing"
  }
  alarm_notice_ids = {
    monitor = ["notice-monitor-1"]
    cls     = ["notice-cls-1"]
  }
  name_prefix = "prod-gz"
  tags = {
    environment = "production"
    app         = "callout-lookup"
  }
}

run "existing_role_topic_notices_and_cos_code" {
  command = plan

  assert {
    condition     = length(tencentcloud_cam_role.this) == 0 && length(tencentcloud_cam_policy.this) == 0
    error_message = "with execution_role_name nothing is created in CAM"
  }
  assert {
    condition     = tencentcloud_scf_function.this.role == "team-managed-callout-role"
    error_message = "the function runs with the given role"
  }
  assert {
    condition     = jsondecode(output.execution_policy_document).statement[0].resource == ["qcs::ccc::uin/100000000001:SdkAppId/1400000000"]
    error_message = "the output tells the team what to attach to its role"
  }
  assert {
    condition     = length(tencentcloud_cls_logset.this) == 0 && length(tencentcloud_cls_topic.protected) == 0 && length(tencentcloud_cls_topic.unprotected) == 0
    error_message = "no logset or topic is created"
  }
  assert {
    condition     = tencentcloud_scf_function.this.cls_topic_id == "topic-existing" && tencentcloud_cls_index.this[0].topic_id == "topic-existing" && tencentcloud_cls_alarm.log["throttled"].alarm_targets[0].logset_id == "logset-existing"
    error_message = "logs, index and alarms use the existing topic"
  }
  assert {
    condition     = length(tencentcloud_monitor_alarm_notice.this) == 0 && tencentcloud_monitor_alarm_policy.this[0].notice_ids == tolist(["notice-monitor-1"]) && tencentcloud_cls_alarm.log["misconfigured"].alarm_notice_ids == toset(["notice-cls-1"])
    error_message = "the alarms notify the existing notices"
  }
  assert {
    condition     = tencentcloud_scf_function.this.cos_bucket_name == "code-1250000000" && tencentcloud_scf_function.this.zip_file == null
    error_message = "the code comes from COS"
  }
  assert {
    condition     = tencentcloud_monitor_alarm_policy.this[0].policy_name == "prod-gz-describe-auto-callout-task-scf"
    error_message = "account-wide names carry the prefix"
  }
  assert {
    condition     = tencentcloud_scf_function.this.tags == tomap({ app = "callout-lookup", environment = "production" })
    error_message = "the caller's tags merge over the module's, and win"
  }
}

run "the_module_s_names_carry_the_prefix" {
  command = plan

  variables {
    execution_role_name = null
    alarm_notice_ids    = null
    alarm_notice = {
      monitor_user_uids = ["1000001"]
      cls_receiver_uins = ["100000000001"]
    }
  }

  assert {
    condition     = tencentcloud_cam_role.this[0].name == "prod-gz-describe-auto-callout-task-exec" && tencentcloud_cam_policy.this[0].name == "prod-gz-describe-auto-callout-task-exec"
    error_message = "the role and policy carry the prefix (two regions of one account do not collide)"
  }
  assert {
    condition     = tencentcloud_monitor_alarm_notice.this[0].name == "prod-gz-describe-auto-callout-task-alarms"
    error_message = "the notice carries the prefix"
  }
  assert {
    condition     = tencentcloud_scf_function.this.role == "prod-gz-describe-auto-callout-task-exec"
    error_message = "the function runs with the module's role"
  }
}

run "no_code_no_plan" {
  command = plan

  variables {
    package_cos = null
  }

  expect_failures = [tencentcloud_scf_function.this]
}
