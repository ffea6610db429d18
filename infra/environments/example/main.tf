module "autocallout" {
  source = "../../modules/autocallout"
  # From another repository: source = "git::https://example.com/your/autocallout.git//infra/modules/autocallout?ref=v1.2.0"

  region      = var.region
  package_zip = var.package_zip
  package_cos = var.package_cos

  allowed_sdk_app_ids = var.allowed_sdk_app_ids

  tags = {
    environment = var.environment
  }
}

output "url" {
  description = "The environment's HTTPS URL."
  value       = module.autocallout.url
}
