# A deployment made before infra/ was built on the module (and before the module renamed some of
# its resources) keeps its objects: each block moves one old address to where it lives now, so
# the first plan after updating shows moves, not replacements. tests/infra/test_moved.py lists
# the old and the new addresses, and plans a state with the old ones where the provider is
# installed. Three policies became one (iam.tf): ccc_read moves to it (a new name, so CAM gets a
# new policy, attached before the old one goes); assume_ccc_role and read_redis_password, and
# their attachments, are deleted, their statements now in it.

moved {
  from = tencentcloud_monitor_alarm_notice.function
  to   = module.autocallout.tencentcloud_monitor_alarm_notice.this
}

moved {
  from = tencentcloud_cls_alarm_notice.function
  to   = module.autocallout.tencentcloud_cls_alarm_notice.this
}

moved {
  from = tencentcloud_monitor_alarm_policy.function
  to   = module.autocallout.tencentcloud_monitor_alarm_policy.this
}

moved {
  from = tencentcloud_monitor_policy_binding_object.function
  to   = module.autocallout.tencentcloud_monitor_policy_binding_object.this
}

moved {
  from = tencentcloud_cls_alarm.server_errors[0]
  to   = module.autocallout.tencentcloud_cls_alarm.log["server_errors"]
}

moved {
  from = tencentcloud_cls_alarm.throttled[0]
  to   = module.autocallout.tencentcloud_cls_alarm.log["throttled"]
}

moved {
  from = tencentcloud_cls_alarm.misconfigured[0]
  to   = module.autocallout.tencentcloud_cls_alarm.log["misconfigured"]
}

moved {
  from = tencentcloud_api_gateway_api.this
  to   = module.autocallout.tencentcloud_api_gateway_api.this
}

moved {
  from = tencentcloud_api_gateway_service_release.this
  to   = module.autocallout.tencentcloud_api_gateway_service_release.this
}

moved {
  from = tencentcloud_api_gateway_usage_plan.this
  to   = module.autocallout.tencentcloud_api_gateway_usage_plan.this
}

moved {
  from = tencentcloud_api_gateway_usage_plan_attachment.this
  to   = module.autocallout.tencentcloud_api_gateway_usage_plan_attachment.this
}

moved {
  from = tencentcloud_api_gateway_api_key.this
  to   = module.autocallout.tencentcloud_api_gateway_api_key.this
}

moved {
  from = tencentcloud_api_gateway_api_key_attachment.this
  to   = module.autocallout.tencentcloud_api_gateway_api_key_attachment.this
}

moved {
  from = tencentcloud_scf_trigger.function_url
  to   = module.autocallout.tencentcloud_scf_trigger.function_url
}

moved {
  from = tencentcloud_scf_function.this
  to   = module.autocallout.tencentcloud_scf_function.this
}

moved {
  from = tencentcloud_scf_reserved_concurrency_config.this
  to   = module.autocallout.tencentcloud_scf_reserved_concurrency_config.this
}

moved {
  from = tencentcloud_cam_role.function
  to   = module.autocallout.tencentcloud_cam_role.this[0]
}

moved {
  from = tencentcloud_cam_policy.ccc_read
  to   = module.autocallout.tencentcloud_cam_policy.this[0]
}

moved {
  from = tencentcloud_cam_role_policy_attachment.ccc_read
  to   = module.autocallout.tencentcloud_cam_role_policy_attachment.this[0]
}

moved {
  from = tencentcloud_cls_index.function
  to   = module.autocallout.tencentcloud_cls_index.this
}

moved {
  from = tencentcloud_cls_logset.function
  to   = module.autocallout.tencentcloud_cls_logset.this[0]
}

moved {
  from = tencentcloud_cls_topic.function
  to   = module.autocallout.tencentcloud_cls_topic.protected[0]
}

moved {
  from = tencentcloud_scf_function_version.this
  to   = module.autocallout.tencentcloud_scf_function_version.this
}

moved {
  from = tencentcloud_scf_function_alias.live
  to   = module.autocallout.tencentcloud_scf_function_alias.live
}

moved {
  from = tencentcloud_scf_provisioned_concurrency_config.this
  to   = module.autocallout.tencentcloud_scf_provisioned_concurrency_config.this
}

moved {
  from = tencentcloud_vpc.rate_limit
  to   = module.autocallout.tencentcloud_vpc.this
}

moved {
  from = tencentcloud_subnet.function
  to   = module.autocallout.tencentcloud_subnet.function
}

moved {
  from = tencentcloud_subnet.redis
  to   = module.autocallout.tencentcloud_subnet.redis
}

moved {
  from = tencentcloud_security_group.redis
  to   = module.autocallout.tencentcloud_security_group.this
}

moved {
  from = tencentcloud_security_group_rule_set.redis
  to   = module.autocallout.tencentcloud_security_group_rule_set.this
}

moved {
  from = tencentcloud_redis_instance.rate_limit
  to   = module.autocallout.tencentcloud_redis_instance.this
}

moved {
  from = tencentcloud_ssm_secret.redis_password
  to   = module.autocallout.tencentcloud_ssm_secret.protected
}

moved {
  from = tencentcloud_ssm_secret_version.redis_password
  to   = module.autocallout.tencentcloud_ssm_secret_version.this
}

moved {
  from = tencentcloud_scf_trigger.timer
  to   = module.autocallout.tencentcloud_scf_trigger.timer
}

# The legacy API Gateway service this configuration used to create: Tencent creates no new
# ones, so the module now adds its API to a service the account already has
# (api_gateway_service_id: give it this service's id). Terraform forgets the service without
# deleting it.
removed {
  from = tencentcloud_api_gateway_service.this

  lifecycle {
    destroy = false
  }
}
