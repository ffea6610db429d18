# Inputs of the rate limit's store (rate_limit_store.tf): "local" (each instance its own bucket
# of total_qps) or "redis" (one budget shared by every instance). With redis, either an existing
# instance (redis_host, its password in an SSM secret, the function joins vpc_id/subnet_id) or a
# new one (redis_availability_zone + redis_password), in a VPC Terraform creates or in yours
# (vpc_id, subnet_id for the function, redis_subnet_id for Redis). null means "not given".
# Each rule below refuses a half-configured combination, naming what is missing or extra.

variable "rate_limit_store" {
  description = "Where the rate limit lives: \"local\" (per instance; CCC's own limit is the backstop) or \"redis\" (one budget for all instances). See README.md, \"Rate limit modes\"."
  type        = string
  default     = "local"
  nullable    = false

  validation {
    condition     = contains(["local", "redis"], var.rate_limit_store)
    error_message = "rate_limit_store must be \"local\" or \"redis\"."
  }

  validation {
    condition     = var.watch == null || var.rate_limit_store == "redis"
    error_message = "watch needs rate_limit_store = \"redis\": without Redis the function cannot remember what it told, and would tell nothing (docs/integrations.md §5)."
  }
}

variable "redis_host" {
  description = "redis only: private address of an existing Redis instance. null: Terraform creates one (redis_availability_zone, redis_password)."
  type        = string
  default     = null

  validation {
    condition     = var.redis_host == null || var.rate_limit_store == "redis"
    error_message = "redis_host is set but rate_limit_store is \"local\": set rate_limit_store = \"redis\" or remove redis_host."
  }
  validation {
    condition     = var.redis_host == null || can(regex("^[A-Za-z0-9.-]{1,253}$", var.redis_host))
    error_message = "redis_host must be a host name or IP address, e.g. 10.0.1.12."
  }
}

variable "redis_port" {
  description = "redis only: port of the existing instance."
  type        = number
  default     = 6379
  nullable    = false

  validation {
    condition     = var.redis_port >= 1 && var.redis_port <= 65535 && floor(var.redis_port) == var.redis_port
    error_message = "redis_port must be a whole number from 1 to 65535."
  }
}

variable "redis_password_secret" {
  description = "Existing instance only: \"<SSM secret name>:<version id>\" holding its password. The function reads it with its role at start; the password never appears in its configuration or in Terraform's state."
  type        = string
  default     = null

  validation {
    condition     = var.redis_password_secret == null || can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}:[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$", var.redis_password_secret))
    error_message = "redis_password_secret must be \"<SSM secret name>:<version id>\", e.g. \"callout-redis:v1\"."
  }
  validation {
    condition     = (var.redis_password_secret != null) == (var.rate_limit_store == "redis" && var.redis_host != null)
    error_message = "redis_password_secret goes with redis_host, and only with it: an existing Redis needs the SSM secret of its password; a new one gets its secret from Terraform."
  }
}

variable "redis_password" {
  description = "New instance only: its password (8-16 characters). Set it as TF_VAR_redis_password; Terraform keeps it in an SSM secret the function reads. It is also in Terraform's state (instance and secret version): README.md, \"State and secrets\"."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = (var.redis_password != null) == (var.rate_limit_store == "redis" && var.redis_host == null)
    error_message = "redis_password is for a Redis that Terraform creates (rate_limit_store = \"redis\" without redis_host), and that one needs it."
  }
  validation {
    condition     = var.redis_password == null ? true : (length(var.redis_password) >= 8 && length(var.redis_password) <= 16)
    error_message = "redis_password must have 8 to 16 characters."
  }
}

variable "redis_availability_zone" {
  description = "New instance only: zone of the Redis instance (and of the subnets Terraform creates), e.g. ap-guangzhou-3."
  type        = string
  default     = null

  validation {
    condition     = (var.redis_availability_zone != null) == (var.rate_limit_store == "redis" && var.redis_host == null)
    error_message = "redis_availability_zone is needed for a Redis that Terraform creates, and only then."
  }
}

variable "redis_vpc_cidr" {
  description = "New instance in a new VPC only: address range of the VPC Terraform creates; the function's and Redis's subnets are its /24s number 1 and 2."
  type        = string
  default     = "10.20.0.0/16"
  nullable    = false

  validation {
    condition     = can(cidrsubnet(var.redis_vpc_cidr, 8, 2))
    error_message = "redis_vpc_cidr must be an IPv4 range of /16 to /22, e.g. 10.20.0.0/16."
  }
}

variable "redis_mem_size" {
  description = "New instance only: memory in MB (the limiter keeps one small key). See tencentcloud_redis_zone_config for the sizes a zone sells."
  type        = number
  default     = 1024
  nullable    = false
}

variable "vpc_id" {
  description = "redis only: an existing VPC the function joins (subnet_id): the VPC of an existing Redis (redis_host), or the one a new Redis goes into (redis_subnet_id). null with a new Redis: Terraform creates a VPC."
  type        = string
  default     = null

  validation {
    condition     = var.vpc_id == null || var.rate_limit_store == "redis"
    error_message = "vpc_id is only for rate_limit_store = \"redis\" (the function joins the Redis VPC)."
  }
  validation {
    condition     = var.vpc_id != null || !(var.rate_limit_store == "redis" && var.redis_host != null)
    error_message = "vpc_id is needed with redis_host: the function joins the VPC of the existing Redis."
  }
}

variable "subnet_id" {
  description = "With vpc_id: subnet of vpc_id the function runs in. A new Redis's security group admits this subnet only; for an existing Redis, let its security group admit it."
  type        = string
  default     = null

  validation {
    condition     = (var.subnet_id != null) == (var.vpc_id != null)
    error_message = "subnet_id and vpc_id go together."
  }
}

variable "redis_subnet_id" {
  description = "New instance in your VPC (vpc_id) only: subnet of the Redis instance. null: subnet_id."
  type        = string
  default     = null

  validation {
    condition     = var.redis_subnet_id == null || (var.vpc_id != null && var.redis_host == null)
    error_message = "redis_subnet_id is for a new Redis in your VPC (vpc_id set, no redis_host)."
  }
}

variable "rate_limit_redis_key" {
  description = "RATE_LIMIT_REDIS_KEY: the Redis key of the budget. Deployments reading one CCC account through one Redis should share it."
  type        = string
  default     = "autocallout:ccc-rate"
  nullable    = false
}

variable "rate_limit_redis_timeout_seconds" {
  description = "RATE_LIMIT_REDIS_TIMEOUT_SECONDS: the most one check may wait on Redis (never more than a tenth of the time left); then the instance's own bucket answers."
  type        = number
  default     = 0.1
  nullable    = false

  validation {
    condition     = var.rate_limit_redis_timeout_seconds >= 0.001 && var.rate_limit_redis_timeout_seconds <= 1
    error_message = "rate_limit_redis_timeout_seconds must be between 0.001 and 1."
  }
}
