# The working root: it finds the build through the manifest `make package` writes and passes every
# input through to the module. Planned against a mock provider. (Without a build, or with one for
# another runtime, the plan stops: tests/infra/test_package_manifest.py, with the real Terraform.)

mock_provider "tencentcloud" {}

variables {
  package_manifest    = "tests/fixtures/describe_auto_callout_task.json"
  allowed_sdk_app_ids = ["1400000000"]
  alarm_notice = {
    monitor_user_uids = ["1000001"]
    cls_receiver_uins = ["100000000001"]
  }
}

run "the_manifest_names_the_zip" {
  command = plan

  assert {
    condition     = output.package_zip == "tests/fixtures/describe_auto_callout_task-py310-0123456789abcdef.zip"
    error_message = "the zip is the one the manifest names, beside it"
  }
  assert {
    condition     = output.function_name == "describe-auto-callout-task" && output.per_instance_qps == 20
    error_message = "the module's defaults reach the root's outputs"
  }
}

run "inputs_pass_through" {
  command = plan

  variables {
    function_name = "callout-lookup"
    total_qps     = 5
    max_instances = 5
  }

  assert {
    condition     = output.function_name == "callout-lookup" && output.per_instance_qps == 5
    error_message = "an input set in the root reaches the module"
  }
  assert {
    condition     = strcontains(output.local_env, "RATE_LIMIT_QPS=5\n")
    error_message = "and its environment"
  }
}
