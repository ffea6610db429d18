# Default front door: the function's own URL (SCF Function URL, free). Callers sign with CAM
# unless function_url_anonymous opts in to anonymous access.

locals {
  function_url_auth_type = var.function_url_anonymous ? "NONE" : "CAM"

  # CORS is answered by the URL itself, so preflight requests work even with CAM auth.
  function_url_cors = length(var.cors_allow_origins) == 0 ? {} : {
    CorsConfig = {
      Enable        = true
      Origins       = var.cors_allow_origins
      Methods       = ["GET", "POST", "OPTIONS"]
      Headers       = ["authorization", "content-type"]
      ExposeHeaders = ["x-request-id", "retry-after"]
      MaxAge        = 600
      Credentials   = false
    }
  }
}

resource "tencentcloud_scf_trigger" "function_url" {
  count = local.use_function_url ? 1 : 0

  function_name = tencentcloud_scf_function.this.name
  namespace     = var.namespace
  type          = "http"
  qualifier     = local.serving_qualifier
  enable        = "OPEN"
  description   = "Function URL of ${var.function_name}"
  trigger_desc = jsonencode(merge({
    AuthType = local.function_url_auth_type
    NetConfig = {
      EnableExtranet = var.function_url_public
      EnableIntranet = !var.function_url_public
    }
  }, local.function_url_cors))
}
