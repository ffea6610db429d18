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
  role        = tencentcloud_cam_role.function.name

  # package.tf: a local zip, or an object in COS (exactly one; checked below).
  zip_file          = var.package_zip
  cos_bucket_name   = try(var.package_cos.bucket, null)
  cos_object_name   = try(var.package_cos.object, null)
  cos_bucket_region = try(var.package_cos.region, null)

  cls_logset_id = tencentcloud_cls_logset.function.id
  cls_topic_id  = tencentcloud_cls_topic.function.id

  environment = merge(local.function_environment, local.created_redis_environment)
  tags        = var.tags

  # In the rate limit's VPC with rate_limit_store = "redis" (null otherwise), still reaching CCC.
  vpc_id            = local.function_vpc_id
  subnet_id         = local.function_subnet_id
  enable_public_net = local.use_redis ? true : null

  lifecycle {
    precondition {
      condition     = local.package_given
      error_message = "No code to deploy: give package_zip (infra/ finds it after `make package`) or package_cos, exactly one."
    }
    precondition {
      condition     = local.package_for_us
      error_message = "package_zip is built for another runtime than var.runtime; rebuild it with `make package RUNTIME=<runtime>` or set runtime to match."
    }
  }

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
