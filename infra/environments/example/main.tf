module "autocallout" {
  source = "../../modules/autocallout"
  # From another repository: source = "git::https://<git host>/autocallout.git//infra/modules/autocallout?ref=<tag>"

  region      = var.region
  name_prefix = "${var.environment}-${var.region}" # CAM and Cloud Monitor names are account-wide
  package_zip = var.package_zip
  package_cos = var.package_cos

  allowed_sdk_app_ids = var.allowed_sdk_app_ids
  alarm_notice = {
    monitor_user_uids = var.alarm_receiver_uids
    cls_receiver_uins = var.alarm_receiver_uins
  }

  tags = {
    environment = var.environment
  }
}

output "url" {
  description = "The environment's HTTPS URL."
  value       = module.autocallout.url
}

output "function_name" {
  description = "The environment's function."
  value       = module.autocallout.function_name
}
