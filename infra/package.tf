# The code package. `make package` names the zip by its content hash and writes a manifest beside
# it that names the current zip and its runtime. The provider uploads zip_file only when its path
# changes, so reading the path from the manifest makes every rebuild with other content a new
# upload, and the same build the same path (no change, no upload).

variable "package_manifest" {
  description = "The manifest `make package` writes (relative to infra/, or absolute): it names the zip to deploy and the runtime it is built for."
  type        = string
  default     = "../dist/describe_auto_callout_task.json"

  validation {
    condition     = fileexists(startswith(var.package_manifest, "/") ? var.package_manifest : "${path.module}/${var.package_manifest}")
    error_message = "package_manifest: no such file; run `make package` (RUNTIME=Python3.10 or Python3.12) first."
  }

  validation {
    condition     = try(jsondecode(file(startswith(var.package_manifest, "/") ? var.package_manifest : "${path.module}/${var.package_manifest}")).runtime == var.runtime, true)
    error_message = "package_manifest: the package is built for another runtime than var.runtime; rebuild it with `make package RUNTIME=<runtime>` or set runtime to match."
  }
}

locals {
  package_manifest_file = startswith(var.package_manifest, "/") ? var.package_manifest : "${path.module}/${var.package_manifest}"
  package_manifest      = jsondecode(file(local.package_manifest_file))
  package_path          = "${dirname(local.package_manifest_file)}/${local.package_manifest.zip}"
}
