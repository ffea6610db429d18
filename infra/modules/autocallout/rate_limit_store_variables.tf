# Inputs of the rate limit's store (rate_limit_store.tf): "local" (each instance its own bucket
# of total_qps) or "redis" (one budget shared by every instance). With redis, either an existing
# instance (redis_host, its password in an SSM secret, the function joins vpc_id/subnet_id) or a
# new one (redis_availability_zone + redis_password; Terraform creates the VPC around it).
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
  description = "redis only: private address of an existing Redis instance. Empty: Terraform creates one (redis_availability_zone, redis_password)."
  type        = string
  default     = ""
  nullable    = false

  validation {
    condition     = var.redis_host == "" || var.rate_limit_store == "redis"
    error_message = "redis_host is set but rate_limit_store is \"local\": set rate_limit_store = \"redis\" or remove redis_host."
  }
  validation {
    condition     = var.redis_host == "" || can(regex("^[A-Za-z0-9.-]{1,253}$", var.redis_host))
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
  description = "Existing instance only: \"<SSM secret name>:<version id>\" holding its password. The function reads it with its role at start; the password never appears in its configuration."
  type        = string
  default     = ""
  nullable    = false

  validation {
    condition     = var.redis_password_secret == "" || can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}:[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$", var.redis_password_secret))
    error_message = "redis_password_secret must be \"<SSM secret name>:<version id>\", e.g. \"callout-redis:v1\"."
  }
  validation {
    condition     = (var.redis_password_secret != "") == (var.rate_limit_store == "redis" && var.redis_host != "")
    error_message = "redis_password_secret goes with redis_host, and only with it: an existing Redis needs the SSM secret of its password; a new one gets its secret from Terraform."
  }
}

variable "redis_password" {
  description = "New instance only: its password (8-16 characters). Set it as TF_VAR_redis_password; Terraform keeps it in an SSM secret the function reads (and, marked sensitive, in its state)."
  type        = string
  default     = ""
  nullable    = false
  sensitive   = true

  validation {
    condition     = (var.redis_password != "") == (var.rate_limit_store == "redis" && var.redis_host == "")
    error_message = "redis_password is for a Redis that Terraform creates (rate_limit_store = \"redis\" without redis_host), and that one needs it."
  }
  validation {
    condition     = var.redis_password == "" || (length(var.redis_password) >= 8 && length(var.redis_password) <= 16)
    error_message = "redis_password must have 8 to 16 characters."
  }
}

variable "redis_availability_zone" {
  description = "New instance only: zone of the Redis instance and of the subnets, e.g. ap-guangzhou-3."
  type        = string
  default     = ""
  nullable    = false

  validation {
    condition     = (var.redis_availability_zone != "") == (var.rate_limit_store == "redis" && var.redis_host == "")
    error_message = "redis_availability_zone is needed for a Redis that Terraform creates, and only then."
  }
}

variable "redis_vpc_cidr" {
  description = "New instance only: address range of the VPC Terraform creates; the function's and Redis's subnets are its /24s number 1 and 2."
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
  description = "Existing instance only: VPC the function joins to reach redis_host."
  type        = string
  default     = ""
  nullable    = false

  validation {
    condition     = (var.vpc_id != "") == (var.rate_limit_store == "redis" && var.redis_host != "")
    error_message = "vpc_id goes with redis_host, and only with it: the function joins the VPC of an existing Redis (Terraform creates the VPC of a new one)."
  }
}

variable "subnet_id" {
  description = "Existing instance only: subnet of vpc_id the function runs in. Let the Redis security group admit this subnet only."
  type        = string
  default     = ""
  nullable    = false

  validation {
    condition     = (var.subnet_id != "") == (var.vpc_id != "")
    error_message = "subnet_id and vpc_id go together."
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
