# The rate limit's shared store (rate_limit_store = "redis"): an existing TencentDB for Redis
# instance, or a new one in a VPC of its own, reachable only from the function's subnet. The
# Redis password lives in an SSM secret that only this function's role may read; the function
# reads it at start, so it is never a plain-text environment value in the console.

locals {
  use_redis    = var.rate_limit_store == "redis"
  create_redis = local.use_redis && var.redis_host == ""

  # The new instance's address, known once it exists (settings.tf has everything else).
  created_redis_environment = local.create_redis ? {
    RATE_LIMIT_REDIS_URL = "redis://${one(tencentcloud_redis_instance.rate_limit[*].ip)}:6379/0"
  } : {}
  redis_secret_name = split(":", local.function_environment.RATE_LIMIT_REDIS_PASSWORD_SECRET)[0]

  # The function joins the Redis VPC; null leaves it outside any VPC.
  function_vpc_id    = local.create_redis ? one(tencentcloud_vpc.rate_limit[*].id) : (local.use_redis ? var.vpc_id : null)
  function_subnet_id = local.create_redis ? one(tencentcloud_subnet.function[*].id) : (local.use_redis ? var.subnet_id : null)
  function_subnet    = cidrsubnet(var.redis_vpc_cidr, 8, 1)
}

# --- a new instance: VPC, the function's subnet, Redis's subnet, a security group ---------------

resource "tencentcloud_vpc" "rate_limit" {
  count = local.create_redis ? 1 : 0

  name       = "${var.function_name}-rate-limit"
  cidr_block = var.redis_vpc_cidr
  tags       = var.tags
}

# Only the function runs here: the security group below admits this range and nothing else.
resource "tencentcloud_subnet" "function" {
  count = local.create_redis ? 1 : 0

  vpc_id            = tencentcloud_vpc.rate_limit[0].id
  availability_zone = var.redis_availability_zone
  name              = "${var.function_name}-function"
  cidr_block        = local.function_subnet
  tags              = var.tags
}

resource "tencentcloud_subnet" "redis" {
  count = local.create_redis ? 1 : 0

  vpc_id            = tencentcloud_vpc.rate_limit[0].id
  availability_zone = var.redis_availability_zone
  name              = "${var.function_name}-redis"
  cidr_block        = cidrsubnet(var.redis_vpc_cidr, 8, 2)
  tags              = var.tags
}

resource "tencentcloud_security_group" "redis" {
  count = local.create_redis ? 1 : 0

  name        = "${var.function_name}-redis"
  description = "Redis of ${var.function_name}: port 6379 from the function's subnet only"
  tags        = var.tags
}

resource "tencentcloud_security_group_rule_set" "redis" {
  count = local.create_redis ? 1 : 0

  security_group_id = tencentcloud_security_group.redis[0].id

  ingress {
    action      = "ACCEPT"
    cidr_block  = local.function_subnet
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

resource "tencentcloud_redis_instance" "rate_limit" {
  count = local.create_redis ? 1 : 0

  name               = "${var.function_name}-rate-limit"
  availability_zone  = var.redis_availability_zone
  type_id            = 17 # Redis 7.0, standard architecture: one shard, so EVAL on any key
  mem_size           = var.redis_mem_size
  redis_replicas_num = 1
  password           = var.redis_password
  port               = 6379
  vpc_id             = tencentcloud_vpc.rate_limit[0].id
  subnet_id          = tencentcloud_subnet.redis[0].id
  security_groups    = [tencentcloud_security_group.redis[0].id]
  tags               = var.tags
}

resource "tencentcloud_ssm_secret" "redis_password" {
  count = local.create_redis ? 1 : 0

  secret_name = "${var.function_name}-redis-password"
  description = "Password of the rate limit's Redis, read by ${var.function_name}"
  tags        = var.tags
}

resource "tencentcloud_ssm_secret_version" "redis_password" {
  count = local.create_redis ? 1 : 0

  secret_name   = tencentcloud_ssm_secret.redis_password[0].secret_name
  version_id    = "v1" # settings.tf names this version in RATE_LIMIT_REDIS_PASSWORD_SECRET
  secret_string = var.redis_password
}

# --- the function's role may read that one secret ----------------------------------------------

resource "tencentcloud_cam_policy" "read_redis_password" {
  count = local.use_redis ? 1 : 0

  name        = "${var.function_name}-read-redis-password"
  description = "Lets ${var.function_name} read the password of its rate limit's Redis"
  document = jsonencode({
    version = "2.0"
    statement = [{
      effect   = "allow"
      action   = ["ssm:GetSecretValue"]
      resource = ["qcs::ssm:${var.region}:uin/${data.tencentcloud_user_info.current.owner_uin}:secret/creatorUin/${data.tencentcloud_user_info.current.owner_uin}/${local.redis_secret_name}"]
    }]
  })
}

resource "tencentcloud_cam_role_policy_attachment" "read_redis_password" {
  count = local.use_redis ? 1 : 0

  role_id   = tencentcloud_cam_role.function.id
  policy_id = tencentcloud_cam_policy.read_redis_password[0].id
}
