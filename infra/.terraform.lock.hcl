# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/tencentcloudstack/tencentcloud" {
  version     = "1.83.25"
  constraints = ">= 1.83.16, ~> 1.83.16"
  hashes = [
    "h1:KP3OlPEAoG4gh/LqwSjfE7zM2/QHCekQ27IfXCdl5I4=",
  ]
}
