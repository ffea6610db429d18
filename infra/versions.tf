# Terraform and provider versions. tencentcloud 1.83.16 is the first release whose
# tencentcloud_scf_trigger can create a Function URL (type "http").
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
