# The code to deploy: a zip on the machine that runs Terraform (package_zip), or an object in COS
# (package_cos). The module never looks for a build itself: the root says where it is (infra/
# reads the manifest `make package` writes). Only creating or updating the function needs it, so
# `terraform destroy` works without any build.

variable "package_zip" {
  description = "Path of the zip to deploy (`make package` names it by its content hash, so new code is a new path and the provider uploads it; the same build is the same path, nothing to do). null: use package_cos."
  type        = string
  default     = null
}

variable "package_zip_runtime" {
  description = "Runtime package_zip was built for (the manifest's `runtime`); the plan stops when it is not var.runtime. null: not checked."
  type        = string
  default     = null
}

variable "package_cos" {
  description = "Code already uploaded to COS instead of a local zip: bucket (name-appid), object key and the bucket's region. null: use package_zip."
  type = object({
    bucket = string
    object = string
    region = string
  })
  default = null

  validation {
    condition     = var.package_cos == null || can(regex("^/?[^/].*\\.zip$", var.package_cos.object))
    error_message = "package_cos.object must be the key of a .zip object, e.g. \"autocallout/describe_auto_callout_task-py312-0123abcd.zip\"."
  }
}

locals {
  # Checked by the function's preconditions (function.tf), which Terraform evaluates only when
  # it creates or updates the function.
  package_given  = (var.package_zip != null) != (var.package_cos != null)
  package_for_us = var.package_zip_runtime == null || var.package_zip_runtime == var.runtime
}
