# Where this root finds the code: the manifest `make package` writes names the zip (by its content
# hash) and the runtime it is built for. Nothing here needs a build to exist: without one the
# module gets no package, and only a plan that would create or update the function stops (the
# output below says what to run). `terraform destroy` therefore works from a fresh clone.

variable "package_manifest" {
  description = "The manifest `make package` writes (relative to infra/, or absolute): it names the zip to deploy and the runtime it is built for."
  type        = string
  default     = "../dist/describe_auto_callout_task.json"
  nullable    = false
}

locals {
  package_manifest_file = startswith(var.package_manifest, "/") ? var.package_manifest : "${path.module}/${var.package_manifest}"
  package_manifest      = fileexists(local.package_manifest_file) ? jsondecode(file(local.package_manifest_file)) : null
  package_path          = local.package_manifest == null ? null : "${dirname(local.package_manifest_file)}/${local.package_manifest.zip}"
  # Unset runtime: the one the package is built for (`make package RUNTIME=Python3.10` is enough).
  package_runtime = try(local.package_manifest.runtime, null)
  runtime         = var.runtime != null ? var.runtime : local.package_runtime # null: the module's default
}

output "package_zip" {
  description = "The zip this root deploys (from package_manifest), or null with package_cos."
  value       = var.package_cos == null ? local.package_path : null

  # Outputs' preconditions hold a plan that creates or updates, never a destroy.
  precondition {
    condition     = var.package_cos != null || local.package_path != null
    error_message = "package_manifest: no such file (${var.package_manifest}); run `make package` (RUNTIME=Python3.10 or Python3.12) first, or set package_cos."
  }
  precondition {
    condition     = var.package_cos != null || var.runtime == null || local.package_runtime == null || local.package_runtime == var.runtime
    error_message = "package_manifest: the package is built for another runtime than var.runtime; rebuild it with `make package RUNTIME=<runtime>` or set runtime to match."
  }
}
