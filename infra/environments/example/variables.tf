variable "region" {
  description = "Region of this environment (the provider's, and the module's)."
  type        = string
}

variable "environment" {
  description = "Name of this environment, e.g. production: with the region, the prefix of every account-wide name."
  type        = string
}

variable "package_zip" {
  description = "The zip CI built for this release (`make package` prints its path; dist/describe_auto_callout_task.json names it). null with package_cos."
  type        = string
  default     = null
}

variable "package_cos" {
  description = "Or the release's zip already in COS."
  type = object({
    bucket = string
    object = string
    region = string
  })
  default = null
}

variable "allowed_sdk_app_ids" {
  description = "CCC SdkAppIds this environment may read."
  type        = list(string)
}

variable "alarm_receiver_uids" {
  description = "Cloud Monitor user UIDs (not UINs) who hear of this environment's alarms."
  type        = list(string)
}

variable "alarm_receiver_uins" {
  description = "The same people's UINs, for the CLS log alarms."
  type        = list(string)
}
