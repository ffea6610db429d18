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
  role        = local.role_name # iam.tf: the module's role, or execution_role_name

  # package.tf: a local zip, or an object in COS (exactly one; checked below).
  zip_file          = var.package_zip
  cos_bucket_name   = try(var.package_cos.bucket, null)
  cos_object_name   = try(var.package_cos.object, null)
  cos_bucket_region = try(var.package_cos.region, null)

  cls_logset_id = local.log_logset_id
  cls_topic_id  = local.log_topic_id

  environment = merge(local.function_environment, local.created_redis_environment)
  tags        = local.tags

  # In the rate limit's VPC with rate_limit_store = "redis" (null otherwise). Public network
  # access on in every mode: the function calls CCC's public endpoint. The provider's default is
  # false, and it sends PublicNetStatus = DISABLE for it (resource_tc_scf_function.go), so it is
  # set here explicitly (SCF's PublicNetConfigIn: ENABLE or DISABLE).
  vpc_id            = local.function_vpc_id
  subnet_id         = local.function_subnet_id
  enable_public_net = true

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

  # The role must carry its policy, and the password its secret, before the first invocation.
  depends_on = [
    tencentcloud_cam_role_policy_attachment.this,
    tencentcloud_ssm_secret_version.this,
  ]
}

# Reserved concurrency is counted in MB: instances x memory per instance.
resource "tencentcloud_scf_reserved_concurrency_config" "this" {
  function_name            = tencentcloud_scf_function.this.name
  namespace                = var.namespace
  reserved_concurrency_mem = var.max_instances * var.memory_size
}
