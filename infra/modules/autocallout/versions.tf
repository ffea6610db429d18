# The module's requirements. No provider block and no backend: the root that sources the module
# configures both (infra/ for a newcomer, environments/example/ for a team). `>=` lower bounds
# only, so that a root may pin tighter: 1.83.16 is the first provider release whose
# tencentcloud_scf_trigger can create a Function URL (type "http").
terraform {
  required_version = ">= 1.10"

  required_providers {
    tencentcloud = {
      source  = "tencentcloudstack/tencentcloud"
      version = ">= 1.83.16"
    }
  }
}
