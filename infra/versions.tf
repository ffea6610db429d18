# The working root's requirements and its provider. The module (modules/autocallout) asks only for
# `>= 1.83.16`; this root pins the release line it is tested with, and .terraform.lock.hcl (committed)
# records the exact build `terraform init` chose (README.md, "Getting the provider").
terraform {
  required_version = ">= 1.10"

  required_providers {
    tencentcloud = {
      source  = "tencentcloudstack/tencentcloud"
      version = "~> 1.83.16"
    }
  }
}

# Credentials come from the environment (TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY, or a
# profile): never put them in .tf or .tfvars files.
provider "tencentcloud" {
  region = var.region
}
