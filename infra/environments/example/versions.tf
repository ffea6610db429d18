# One environment of a team's deployment: its own state (a COS backend), its own provider
# configuration, the shared module. Copy this directory per environment (staging, production...)
# or per region; each gets its own backend.hcl and terraform.tfvars.
terraform {
  required_version = ">= 1.10"

  required_providers {
    tencentcloud = {
      source  = "tencentcloudstack/tencentcloud"
      version = "~> 1.83.16"
    }
  }

  # Partial configuration: where the state lives is given at init, never committed
  # (`terraform init -backend-config=backend.hcl`; backend.hcl.example shows the settings).
  backend "cos" {}
}

provider "tencentcloud" {
  region = var.region
}
