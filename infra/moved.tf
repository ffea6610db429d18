# A deployment made before infra/ was built on the module (and before the module renamed some of
# its resources) keeps every object: each block moves one old address to where it lives now, so
# the first plan after updating shows moves, not replacements. tests/infra/test_moved.py lists
# the old and the new addresses and checks that every old one arrives at a resource that exists.

moved {
  from = tencentcloud_monitor_alarm_notice.function
  to   = module.autocallout.tencentcloud_monitor_alarm_notice.function
}

moved {
  from = tencentcloud_cls_alarm_notice.function
  to   = module.autocallout.tencentcloud_cls_alarm_notice.function
}

moved {
  from = tencentcloud_monitor_alarm_policy.function
  to   = module.autocallout.tencentcloud_monitor_alarm_policy.function
}

moved {
  from = tencentcloud_monitor_policy_binding_object.function
  to   = module.autocallout.tencentcloud_monitor_policy_binding_object.function
}

moved {
  from = tencentcloud_cls_alarm.server_errors
  to   = module.autocallout.tencentcloud_cls_alarm.server_errors
}

moved {
  from = tencentcloud_cls_alarm.throttled
  to   = module.autocallout.tencentcloud_cls_alarm.throttled
}

moved {
  from = tencentcloud_cls_alarm.misconfigured
  to   = module.autocallout.tencentcloud_cls_alarm.misconfigured
}

moved {
  from = tencentcloud_api_gateway_service.this
  to   = module.autocallout.tencentcloud_api_gateway_service.this
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
  to   = module.autocallout.tencentcloud_cam_role.function
}

moved {
  from = tencentcloud_cam_policy.ccc_read
  to   = module.autocallout.tencentcloud_cam_policy.ccc_read
}

moved {
  from = tencentcloud_cam_role_policy_attachment.ccc_read
  to   = module.autocallout.tencentcloud_cam_role_policy_attachment.ccc_read
}

moved {
  from = tencentcloud_cam_policy.assume_ccc_role
  to   = module.autocallout.tencentcloud_cam_policy.assume_ccc_role
}

moved {
  from = tencentcloud_cam_role_policy_attachment.assume_ccc_role
  to   = module.autocallout.tencentcloud_cam_role_policy_attachment.assume_ccc_role
}

moved {
  from = tencentcloud_cls_index.function
  to   = module.autocallout.tencentcloud_cls_index.function
}

moved {
  from = tencentcloud_cls_logset.function
  to   = module.autocallout.tencentcloud_cls_logset.function
}

moved {
  from = tencentcloud_cls_topic.function
  to   = module.autocallout.tencentcloud_cls_topic.function
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
  to   = module.autocallout.tencentcloud_vpc.rate_limit
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
  to   = module.autocallout.tencentcloud_security_group.redis
}

moved {
  from = tencentcloud_security_group_rule_set.redis
  to   = module.autocallout.tencentcloud_security_group_rule_set.redis
}

moved {
  from = tencentcloud_redis_instance.rate_limit
  to   = module.autocallout.tencentcloud_redis_instance.rate_limit
}

moved {
  from = tencentcloud_ssm_secret.redis_password
  to   = module.autocallout.tencentcloud_ssm_secret.redis_password
}

moved {
  from = tencentcloud_ssm_secret_version.redis_password
  to   = module.autocallout.tencentcloud_ssm_secret_version.redis_password
}

moved {
  from = tencentcloud_cam_policy.read_redis_password
  to   = module.autocallout.tencentcloud_cam_policy.read_redis_password
}

moved {
  from = tencentcloud_cam_role_policy_attachment.read_redis_password
  to   = module.autocallout.tencentcloud_cam_role_policy_attachment.read_redis_password
}

moved {
  from = tencentcloud_scf_trigger.timer
  to   = module.autocallout.tencentcloud_scf_trigger.timer
}
