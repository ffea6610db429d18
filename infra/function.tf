# The function itself, its configuration (settings.tf), and the instance cap that makes the rate
# limit hold.

resource "tencentcloud_scf_function" "this" {
  name        = var.function_name
  namespace   = var.namespace
  description = "Reads CCC auto-callout tasks (DescribeAutoCalloutTask)"
  handler     = "index.main_handler"
  runtime     = var.runtime
  mem_size    = var.memory_size
  timeout     = var.timeout
  zip_file    = local.package_path # package.tf: the build the manifest names
  role        = tencentcloud_cam_role.function.name

  cls_logset_id = tencentcloud_cls_logset.function.id
  cls_topic_id  = tencentcloud_cls_topic.function.id

  environment = merge(local.function_environment, local.created_redis_environment)
  tags        = var.tags

  # In the rate limit's VPC with rate_limit_store = "redis" (null otherwise), still reaching CCC.
  vpc_id            = local.function_vpc_id
  subnet_id         = local.function_subnet_id
  enable_public_net = local.use_redis ? true : null

  # The role must carry its policy before the first invocation.
  depends_on = [
    tencentcloud_cam_role_policy_attachment.ccc_read,
    tencentcloud_cam_role_policy_attachment.assume_ccc_role,
    tencentcloud_cam_role_policy_attachment.read_redis_password,
    tencentcloud_ssm_secret_version.redis_password,
  ]
}

# Reserved concurrency is counted in MB: instances x memory per instance.
resource "tencentcloud_scf_reserved_concurrency_config" "this" {
  function_name            = tencentcloud_scf_function.this.name
  namespace                = var.namespace
  reserved_concurrency_mem = var.max_instances * var.memory_size
}
