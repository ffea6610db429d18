# Every mode of the module, planned against a mock of the provider (its schema is the real
# provider's, so `terraform init` must have installed tencentcloudstack/tencentcloud; tests/infra
# runs these where it is, and says so loudly where it is not). Plans only: the log topic and the
# secret refuse to be destroyed (deletion_protection), which an applied run's clean-up would do.

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
  region              = "ap-guangzhou"
  package_zip         = "describe_auto_callout_task-py312-0123456789abcdef.zip"
  allowed_sdk_app_ids = ["1400000000", "1400000001"]
  alarm_notice = {
    monitor_user_uids = ["1000001"]
    cls_receiver_uins = ["100000000001"]
  }
}

run "function_url_with_the_defaults" {
  command = plan

  # The function reaches CCC's public endpoint: the provider's default would disable it.
  assert {
    condition     = tencentcloud_scf_function.this.enable_public_net == true
    error_message = "public network access must be on: the function calls CCC's public endpoint"
  }
  assert {
    condition     = tencentcloud_scf_function.this.vpc_id == null
    error_message = "local mode runs outside any VPC"
  }
  assert {
    condition     = length(tencentcloud_scf_trigger.function_url) == 1 && length(tencentcloud_api_gateway_api.this) == 0
    error_message = "the default front door is the Function URL, and only it"
  }
  assert {
    condition     = jsondecode(tencentcloud_scf_trigger.function_url[0].trigger_desc).AuthType == "CAM"
    error_message = "callers sign with CAM unless function_url_anonymous"
  }
  # Least privilege: the policy names the listed applications, of the owner's account.
  assert {
    condition = jsondecode(tencentcloud_cam_policy.this[0].document).statement == [{
      effect   = "allow"
      action   = ["ccc:DescribeAutoCalloutTask"]
      resource = ["qcs::ccc::uin/100000000001:SdkAppId/1400000000", "qcs::ccc::uin/100000000001:SdkAppId/1400000001"]
    }]
    error_message = "one statement: DescribeAutoCalloutTask on the listed SdkAppIds only"
  }
  assert {
    condition     = tencentcloud_scf_function.this.environment.ALLOWED_SDK_APP_IDS == "1400000000,1400000001"
    error_message = "the function refuses other applications itself"
  }
  # CLS may split the topic: the partition count is left to it.
  assert {
    condition     = tencentcloud_cls_topic.protected[0].auto_split == true && tencentcloud_cls_topic.protected[0].max_split_partitions == 50
    error_message = "the topic splits by itself"
  }
  assert {
    condition     = length(tencentcloud_cls_topic.unprotected) == 0
    error_message = "deletion_protection is on by default"
  }
  assert {
    condition     = tencentcloud_cam_role.this[0].name == "describe-auto-callout-task-exec" && tencentcloud_cam_policy.this[0].name == "describe-auto-callout-task-exec"
    error_message = "without name_prefix the account-wide names are the function's"
  }
  assert {
    condition     = tencentcloud_scf_function.this.tags == tomap({ app = "describe-auto-callout-task" })
    error_message = "the module's own tag"
  }
  assert {
    condition     = length(tencentcloud_scf_trigger.timer) == 0 && length(tencentcloud_scf_function_alias.live) == 0
    error_message = "no timer, no alias by default"
  }
  assert {
    condition     = output.qualifier == "$LATEST" && output.redis_address == null && output.redis_instance_id == null
    error_message = "local mode serves $LATEST and has no Redis"
  }
}

run "all_applications_only_when_said" {
  command = plan

  variables {
    allowed_sdk_app_ids   = []
    allow_all_sdk_app_ids = true
  }

  assert {
    condition     = jsondecode(tencentcloud_cam_policy.this[0].document).statement[0].resource == ["*"]
    error_message = "allow_all_sdk_app_ids = true allows every application"
  }
  assert {
    condition     = tencentcloud_scf_function.this.environment.ALLOWED_SDK_APP_IDS == ""
    error_message = "and the function checks none"
  }
}

run "an_empty_allowlist_is_refused" {
  command = plan

  variables {
    allowed_sdk_app_ids = []
  }

  expect_failures = [var.allowed_sdk_app_ids]
}

run "a_cross_account_role_gets_no_ccc_permission_of_its_own" {
  command = plan

  variables {
    ccc_role_arn = "qcs::cam::uin/100000000009:roleName/ccc-reader"
  }

  assert {
    condition = jsondecode(tencentcloud_cam_policy.this[0].document).statement == [{
      effect   = "allow"
      action   = ["sts:AssumeRole"]
      resource = ["qcs::cam::uin/100000000009:roleName/ccc-reader"]
    }]
    error_message = "with ccc_role_arn the role may assume that role and nothing else"
  }
  assert {
    condition     = tencentcloud_scf_function.this.environment.CCC_ROLE_ARN == "qcs::cam::uin/100000000009:roleName/ccc-reader"
    error_message = "the function is told which role to assume"
  }
}

run "legacy_gateway_on_the_account_s_service" {
  command = plan

  variables {
    front_door             = "api_gateway"
    api_gateway_service_id = "service-abc12345"
    cors_allow_origins     = ["https://console.example.com"]
  }

  override_data {
    target = data.tencentcloud_api_gateway_services.this[0]
    values = {
      list = [{ service_id = "service-abc12345", outer_sub_domain = "service-abc12345-1250000000.gz.apigw.tencentcs.com" }]
    }
  }

  assert {
    condition     = tencentcloud_api_gateway_api.this[0].service_id == "service-abc12345" && tencentcloud_api_gateway_service_release.this[0].service_id == "service-abc12345"
    error_message = "the API goes on the existing service"
  }
  assert {
    condition     = tencentcloud_api_gateway_api.this[0].auth_type == "SECRET" && tencentcloud_api_gateway_api.this[0].release_limit == 20
    error_message = "callers sign with the API key; the API is held to total_qps"
  }
  assert {
    condition     = output.url == "https://service-abc12345-1250000000.gz.apigw.tencentcs.com/release/"
    error_message = "the url is the service's domain and the release environment"
  }
  assert {
    condition     = length(tencentcloud_scf_trigger.function_url) == 0
    error_message = "no Function URL with the gateway"
  }
  assert {
    condition     = tencentcloud_scf_function.this.environment.CORS_ALLOW_ORIGINS == "https://console.example.com"
    error_message = "behind the gateway the function answers CORS itself"
  }
}

run "the_gateway_needs_an_existing_service" {
  command = plan

  variables {
    front_door = "api_gateway"
  }

  expect_failures = [var.api_gateway_service_id]
}

run "timer" {
  command = plan

  variables {
    timer_cron  = "0 */5 * * * * *"
    timer_tasks = [{ sdk_app_id = "1400000000", task_id = 3 }, { sdk_app_id = "1400000001", task_id = 4, include_callees = true }]
  }

  assert {
    condition = jsondecode(tencentcloud_scf_trigger.timer[0].custom_argument) == [
      { SdkAppId = 1400000000, TaskId = 3, include_callees = false },
      { SdkAppId = 1400000001, TaskId = 4, include_callees = true },
    ]
    error_message = "the timer's argument lists the tasks as the function reads them"
  }
  assert {
    condition     = tencentcloud_scf_trigger.timer[0].trigger_desc == "0 */5 * * * * *" && tencentcloud_scf_trigger.timer[0].qualifier == "$LATEST"
    error_message = "the timer runs on timer_cron, against what serves traffic"
  }
}

# SCF keeps a timer's custom argument to 4 KB (583/9708). timer_tasks alone is checked where it
# is given (variables.tf); with a watch the argument carries the watch too, so the trigger checks
# the argument it would send: 47 tasks with 19-digit ids (4 043 bytes) fit alone, not with a watch.
run "the_timer_argument_with_its_watch_stays_within_4_kb" {
  command = plan

  variables {
    allowed_sdk_app_ids   = ["1400000000000000000"]
    rate_limit_store      = "redis"
    redis_host            = "10.0.1.12"
    redis_password_secret = "callout-redis:v1"
    vpc_id                = "vpc-abc12345"
    subnet_id             = "subnet-abc12345"
    timer_cron            = "0 */5 * * * * *"
    timer_tasks           = [for n in range(47) : { sdk_app_id = "1400000000000000000", task_id = 1000000000000000000 + n }]
    watch = {
      targets = { ops = { kind = "wecom", secret = "watch-ops:v1" } }
    }
  }

  override_data {
    target = data.tencentcloud_ssm_secrets.redis_password[0]
    values = { secret_list = [{ secret_name = "callout-redis", create_uin = 300000000003 }] }
  }
  override_data {
    target = data.tencentcloud_ssm_secrets.watch[0]
    values = { secret_list = [{ secret_name = "watch-ops", create_uin = 300000000004 }] }
  }

  expect_failures = [tencentcloud_scf_trigger.timer]
}

run "provisioned_concurrency" {
  command = plan

  variables {
    provisioned_instances = 2
  }

  assert {
    condition     = tencentcloud_scf_function_alias.live[0].name == "live" && tencentcloud_scf_provisioned_concurrency_config.this[0].version_provisioned_concurrency_num == 2
    error_message = "a version behind the alias live, two instances kept started"
  }
  assert {
    condition     = tencentcloud_scf_trigger.function_url[0].qualifier == "live" && output.qualifier == "live"
    error_message = "the front door calls the alias"
  }
}

run "alarms_notify_uids_and_uins" {
  command = plan

  variables {
    alarm_webhook_url = "https://hooks.example.com/alarm?token=secret"
  }

  assert {
    condition     = tencentcloud_monitor_alarm_notice.this[0].user_notices[0].user_ids == toset([1000001])
    error_message = "Cloud Monitor's notice gets user UIDs"
  }
  assert {
    condition     = tencentcloud_cls_alarm_notice.this[0].notice_receivers[0].receiver_ids == toset([100000000001]) && tencentcloud_cls_alarm_notice.this[0].notice_receivers[0].receiver_type == "Uin"
    error_message = "CLS's notice gets UINs"
  }
  assert {
    condition     = toset(keys(tencentcloud_cls_alarm.log)) == toset(["server_errors", "throttled", "misconfigured"])
    error_message = "three log alarms, one for_each"
  }
  assert {
    condition     = tencentcloud_cls_alarm.log["server_errors"].name == "describe-auto-callout-task-server-errors"
    error_message = "the log alarms keep their names"
  }
  assert {
    condition     = [for rule in tencentcloud_monitor_alarm_policy.this[0].conditions[0].rules : rule.metric_name] == ["Error", "Throttle", "Duration", "ConcurrentExecutions"]
    error_message = "four metric rules, in their old order"
  }
  assert {
    condition     = tencentcloud_monitor_alarm_policy.this[0].conditions[0].rules[2].value == "8000"
    error_message = "the duration rule is 80% of the 10 s timeout"
  }
  assert {
    condition     = length(tencentcloud_monitor_alarm_notice.this[0].url_notices) == 1 && length(tencentcloud_cls_alarm_notice.this[0].web_callbacks) == 1
    error_message = "the webhook goes to both notices"
  }
}

run "alarm_receivers_are_required" {
  command = plan

  variables {
    alarm_notice = null
  }

  expect_failures = [var.alarm_notice]
}

run "no_alarms" {
  command = plan

  variables {
    alarm_notice   = null
    alarms_enabled = false
  }

  assert {
    condition     = length(tencentcloud_monitor_alarm_policy.this) == 0 && length(tencentcloud_cls_alarm.log) == 0 && length(tencentcloud_cls_alarm_notice.this) == 0
    error_message = "alarms_enabled = false removes every alarm and notice"
  }
  assert {
    condition     = length(tencentcloud_cls_index.this) == 1
    error_message = "the index stays"
  }
}

run "redis_new_in_its_own_vpc" {
  command = plan

  variables {
    rate_limit_store        = "redis"
    redis_availability_zone = "ap-guangzhou-3"
    redis_password          = "example-only"
  }

  assert {
    condition     = tencentcloud_scf_function.this.enable_public_net == true
    error_message = "in the VPC the function still reaches CCC's public endpoint"
  }
  # The role's policy names the secret by its creator, which SSM reports once the secret exists:
  # unknown in this plan; tests/redis_secret.tftest.hcl applies it.
  assert {
    condition     = tencentcloud_ssm_secret.protected[0].recovery_window_in_days == 7 && length(tencentcloud_ssm_secret.unprotected) == 0
    error_message = "a deleted secret stays recoverable for a week, and the secret refuses destroy"
  }
  assert {
    condition     = tencentcloud_security_group_rule_set.this[0].ingress[0].cidr_block == "10.20.1.0/24"
    error_message = "Redis admits the function's subnet only"
  }
  assert {
    condition     = length(tencentcloud_vpc.this) == 1 && length(tencentcloud_subnet.redis) == 1 && length(tencentcloud_subnet.function) == 1
    error_message = "a VPC of its own"
  }
}

run "redis_new_in_your_vpc" {
  command = plan

  variables {
    rate_limit_store        = "redis"
    redis_availability_zone = "ap-guangzhou-3"
    redis_password          = "example-only"
    vpc_id                  = "vpc-abc12345"
    subnet_id               = "subnet-fn123456"
    redis_subnet_id         = "subnet-db123456"
  }

  override_data {
    target = data.tencentcloud_vpc_subnets.function[0]
    values = { instance_list = [{ subnet_id = "subnet-fn123456", cidr_block = "10.1.7.0/24" }] }
  }

  assert {
    condition     = length(tencentcloud_vpc.this) == 0 && length(tencentcloud_subnet.function) == 0
    error_message = "no VPC or subnet is created in yours"
  }
  assert {
    condition     = tencentcloud_redis_instance.this[0].vpc_id == "vpc-abc12345" && tencentcloud_redis_instance.this[0].subnet_id == "subnet-db123456"
    error_message = "Redis goes into your VPC and subnet"
  }
  assert {
    condition     = tencentcloud_scf_function.this.vpc_id == "vpc-abc12345" && tencentcloud_scf_function.this.subnet_id == "subnet-fn123456"
    error_message = "the function joins your subnet"
  }
  assert {
    condition     = tencentcloud_security_group_rule_set.this[0].ingress[0].cidr_block == "10.1.7.0/24"
    error_message = "Redis admits your function subnet's range only"
  }
}

run "redis_existing" {
  command = plan

  variables {
    rate_limit_store      = "redis"
    redis_host            = "10.0.1.12"
    redis_password_secret = "callout-redis:v1"
    vpc_id                = "vpc-abc12345"
    subnet_id             = "subnet-abc12345"
  }

  # The secret was created by another sub-user; SSM says which.
  override_data {
    target = data.tencentcloud_ssm_secrets.redis_password[0]
    values = {
      secret_list = [
        { secret_name = "callout-redis-old", create_uin = 300000000099 },
        { secret_name = "callout-redis", create_uin = 300000000003 },
      ]
    }
  }

  assert {
    condition     = contains(jsondecode(tencentcloud_cam_policy.this[0].document).statement[1].resource, "qcs::ssm:ap-guangzhou:uin/100000000001:secret/creatorUin/300000000003/callout-redis")
    error_message = "an existing secret is named by the creator SSM reports"
  }
  assert {
    condition     = tencentcloud_scf_function.this.environment.RATE_LIMIT_REDIS_URL == "redis://10.0.1.12:6379/0" && output.redis_address == "10.0.1.12:6379"
    error_message = "the function is pointed at the existing Redis"
  }
  assert {
    condition     = length(tencentcloud_redis_instance.this) == 0 && length(tencentcloud_ssm_secret.protected) == 0
    error_message = "nothing of a new instance is created"
  }
}

run "redis_existing_secret_missing" {
  command = plan

  variables {
    rate_limit_store      = "redis"
    redis_host            = "10.0.1.12"
    redis_password_secret = "callout-redis:v1"
    vpc_id                = "vpc-abc12345"
    subnet_id             = "subnet-abc12345"
  }

  override_data {
    target = data.tencentcloud_ssm_secrets.redis_password[0]
    values = { secret_list = [] }
  }

  expect_failures = [tencentcloud_cam_policy.this]
}

run "watch_reads_exactly_its_targets_secrets" {
  command = plan

  variables {
    rate_limit_store      = "redis"
    redis_host            = "10.0.1.12"
    redis_password_secret = "callout-redis:v1"
    vpc_id                = "vpc-abc12345"
    subnet_id             = "subnet-abc12345"
    timer_cron            = "0 */5 * * * * *"
    timer_tasks           = [{ sdk_app_id = "1400000000", task_id = 3 }]
    watch = {
      targets = { ops = { kind = "wecom", secret = "watch-ops:v1" } }
    }
  }

  override_data {
    target = data.tencentcloud_ssm_secrets.redis_password[0]
    values = { secret_list = [{ secret_name = "callout-redis", create_uin = 300000000003 }] }
  }
  override_data {
    target = data.tencentcloud_ssm_secrets.watch[0]
    values = { secret_list = [{ secret_name = "watch-ops", create_uin = 300000000004 }, { secret_name = "other", create_uin = 1 }] }
  }

  assert {
    condition = jsondecode(tencentcloud_cam_policy.this[0].document).statement[2] == {
      effect   = "allow"
      action   = ["ssm:GetSecretValue"]
      resource = ["qcs::ssm:ap-guangzhou:uin/100000000001:secret/creatorUin/300000000004/watch-ops"]
    }
    error_message = "the role reads exactly the targets' secrets, each named by its creator"
  }
  assert {
    condition     = length(tencentcloud_cls_alarm.watch_undelivered) == 1
    error_message = "the watch has its alarm"
  }
}
