# The rate limit's shared store (rate_limit_store = "redis"): an existing TencentDB for Redis
# instance, or a new one, in a VPC Terraform creates or in yours, reachable only from the
# function's subnet. The Redis password lives in an SSM secret that only this function's role may
# read; the function reads it at start, so it is never a plain-text environment value in the
# console.

locals {
  use_redis        = var.rate_limit_store == "redis"
  create_redis     = local.use_redis && var.redis_host == null
  create_redis_vpc = local.create_redis && var.vpc_id == null

  # The new instance's address, known once it exists (settings.tf has everything else).
  created_redis_environment = local.create_redis ? {
    RATE_LIMIT_REDIS_URL = "redis://${one(tencentcloud_redis_instance.this[*].ip)}:6379/0"
  } : {}
  redis_secret_name = split(":", local.function_environment.RATE_LIMIT_REDIS_PASSWORD_SECRET)[0]

  # SSM names a secret by the uin that created it (document 1078/38612, "$creatorUin: account ID
  # of the creator of the resource"): the creator SSM reports, for the secret created here as for
  # an existing one. For the one created here that is whoever ran the apply that created it (a
  # sub-user's uin when a sub-user's key was used, not the owner's), which is not whoever runs a
  # later plan (CI, a teammate): the current identity would rewrite the policy to a uin the secret
  # is not known by. Known after the first apply, read back on every plan after.
  redis_secret_creator_uin = one(flatten([for d in data.tencentcloud_ssm_secrets.redis_password[*] : [
    for secret in d.secret_list : secret.create_uin if secret.secret_name == local.redis_secret_name
  ]]))
  redis_secret_resource = (
    local.use_redis && local.redis_secret_creator_uin != null
    ? "qcs::ssm:${var.region}:uin/${data.tencentcloud_user_info.current.owner_uin}:secret/creatorUin/${local.redis_secret_creator_uin}/${local.redis_secret_name}"
    : null
  )

  # The function joins the Redis VPC; null leaves it outside any VPC.
  function_vpc_id = (
    !local.use_redis ? null : (local.create_redis_vpc ? one(tencentcloud_vpc.this[*].id) : var.vpc_id)
  )
  function_subnet_id = (
    !local.use_redis ? null : (local.create_redis_vpc ? one(tencentcloud_subnet.function[*].id) : var.subnet_id)
  )
  redis_subnet_id = local.create_redis_vpc ? one(tencentcloud_subnet.redis[*].id) : coalesce(var.redis_subnet_id, var.subnet_id, "-")
  # The one range the new Redis admits: the function's subnet.
  function_subnet_cidr = (
    local.create_redis_vpc ? cidrsubnet(var.redis_vpc_cidr, 8, 1) : one(flatten(data.tencentcloud_vpc_subnets.function[*].instance_list[*].cidr_block))
  )
}

# --- a new instance: in a new VPC (its own subnets) or in yours; a security group ---------------

resource "tencentcloud_vpc" "this" {
  count = local.create_redis_vpc ? 1 : 0

  name       = "${var.function_name}-rate-limit"
  cidr_block = var.redis_vpc_cidr
  tags       = local.tags
}

# Only the function runs here: the security group below admits this range and nothing else.
resource "tencentcloud_subnet" "function" {
  count = local.create_redis_vpc ? 1 : 0

  vpc_id            = tencentcloud_vpc.this[0].id
  availability_zone = var.redis_availability_zone
  name              = "${var.function_name}-function"
  cidr_block        = cidrsubnet(var.redis_vpc_cidr, 8, 1)
  tags              = local.tags
}

resource "tencentcloud_subnet" "redis" {
  count = local.create_redis_vpc ? 1 : 0

  vpc_id            = tencentcloud_vpc.this[0].id
  availability_zone = var.redis_availability_zone
  name              = "${var.function_name}-redis"
  cidr_block        = cidrsubnet(var.redis_vpc_cidr, 8, 2)
  tags              = local.tags
}

# In your VPC: the function's subnet's range, for the security group.
data "tencentcloud_vpc_subnets" "function" {
  count = local.create_redis && !local.create_redis_vpc ? 1 : 0

  vpc_id    = var.vpc_id
  subnet_id = var.subnet_id
}

resource "tencentcloud_security_group" "this" {
  count = local.create_redis ? 1 : 0

  name        = "${var.function_name}-redis"
  description = "Redis of ${var.function_name}: port 6379 from the function's subnet only"
  tags        = local.tags
}

resource "tencentcloud_security_group_rule_set" "this" {
  count = local.create_redis ? 1 : 0

  security_group_id = tencentcloud_security_group.this[0].id

  ingress {
    action      = "ACCEPT"
    cidr_block  = local.function_subnet_cidr
    protocol    = "TCP"
    port        = "6379"
    description = "the function"
  }
  ingress {
    action      = "DROP"
    cidr_block  = "0.0.0.0/0"
    protocol    = "ALL"
    port        = "ALL"
    description = "everyone else"
  }
}

resource "tencentcloud_redis_instance" "this" {
  count = local.create_redis ? 1 : 0

  name               = "${var.function_name}-rate-limit"
  availability_zone  = var.redis_availability_zone
  type_id            = 17 # Redis 7.0, standard architecture: one shard, so EVAL on any key
  mem_size           = var.redis_mem_size
  redis_replicas_num = 1
  password           = var.redis_password # in the state too: README.md, "State and secrets"
  port               = 6379
  vpc_id             = local.function_vpc_id
  subnet_id          = local.redis_subnet_id
  security_groups    = [tencentcloud_security_group.this[0].id]
  tags               = local.tags
}

# --- the password's secret (two blocks, as for the log topic: prevent_destroy is not variable) ----

resource "tencentcloud_ssm_secret" "protected" {
  count = local.create_redis && var.deletion_protection ? 1 : 0

  secret_name             = "${var.function_name}-redis-password"
  description             = "Password of the rate limit's Redis, read by ${var.function_name}"
  recovery_window_in_days = var.secret_recovery_window_days
  tags                    = local.tags

  lifecycle {
    prevent_destroy = true
  }
}

resource "tencentcloud_ssm_secret" "unprotected" {
  count = local.create_redis && !var.deletion_protection ? 1 : 0

  secret_name             = "${var.function_name}-redis-password"
  description             = "Password of the rate limit's Redis, read by ${var.function_name}"
  recovery_window_in_days = var.secret_recovery_window_days
  tags                    = local.tags
}

resource "tencentcloud_ssm_secret_version" "this" {
  count = local.create_redis ? 1 : 0

  secret_name   = one(concat(tencentcloud_ssm_secret.protected[*].secret_name, tencentcloud_ssm_secret.unprotected[*].secret_name))
  version_id    = "v1" # settings.tf names this version in RATE_LIMIT_REDIS_PASSWORD_SECRET
  secret_string = var.redis_password
}

# --- the password's secret, created here or existing: who created it -----------------------------

data "tencentcloud_ssm_secrets" "redis_password" {
  count = local.use_redis ? 1 : 0

  secret_name = local.redis_secret_name

  # A secret created here is read once it exists (on its first apply, after it is created).
  depends_on = [tencentcloud_ssm_secret.protected, tencentcloud_ssm_secret.unprotected]
}
