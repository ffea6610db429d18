# Makes the function's log lines queryable field by field. SCF parses a log line that is one JSON
# object and ships its first-level number and text fields to CLS as fields of their own (SCF
# document 583/55595); the platform adds its SCF_* fields (583/60336). The key-value index below
# covers both, with analysis (SQL) on, so that docs/operations.md's queries and the CLS alarms
# in alarms.tf work as written. CLS accepts index changes on a topic of our own, not on SCF's
# default SCF_LogTopic_* topic; changes apply to logs written afterwards.

locals {
  # Every field the function writes (LOG_FIELDS in callout_task/logs.py), by CLS type. A field the
  # code gains must be added here: tests/infra/test_log_index.py and CKV_CALLOUT_8 fail until it is.
  function_log_fields = {
    level               = "text"
    message             = "text"
    time                = "double" # Unix seconds, 3 decimals
    request_id          = "text"   # also X-Request-Id and the problem's request_id
    scf_request_id      = "text"   # SCF's own context.request_id
    trigger             = "text"
    sdk_app_id          = "long"
    task_id             = "long"
    status              = "long"
    upstream_code       = "text"
    upstream_request_id = "text"
    attempts            = "long"
    latency_ms          = "double"
    detail              = "text"
    traceback           = "text"
    # A successful lookup's task: its state and callee counts, to chart progress in CLS.
    task_state            = "text"
    task_state_code       = "long"
    callees_total         = "long"
    callees_initial       = "long"
    callees_answered      = "long"
    callees_not_answered  = "long"
    callees_calling       = "long"
    callees_waiting_retry = "long"
    callees_unknown       = "long"
  }

  # Fields SCF adds to every line it ships (default format, document 583/60336).
  platform_log_fields = {
    SCF_FunctionName = "text"
    SCF_Namespace    = "text"
    SCF_Qualifier    = "text"
    SCF_Alias        = "text"
    SCF_RequestId    = "text"
    SCF_Type         = "text"
    SCF_Level        = "text"
    SCF_Message      = "text"
    SCF_StartTime    = "long"
    SCF_LogTime      = "long"
    SCF_Duration     = "long"
    SCF_MemUsage     = "double"
    SCF_StatusCode   = "long"
    SCF_RetryNum     = "long"
  }

  log_index_fields = merge(local.platform_log_fields, local.function_log_fields)

  # CLS's default delimiters, without the control characters (a line is one JSON object with
  # no raw newline in it) and with "." so that "AuthFailure.SignatureFailure" matches
  # upstream_code:"AuthFailure". "-" is no delimiter: request ids (UUIDs) stay one word.
  log_index_tokenizer = "@&?|#()='\",;:<>[]{}/ \\."
}

resource "tencentcloud_cls_index" "this" {
  count = var.log_index_enabled ? 1 : 0

  topic_id = local.log_topic_id
  status   = true

  rule {
    full_text {
      case_sensitive = false
      tokenizer      = local.log_index_tokenizer
      contain_z_h    = false
    }

    key_value {
      case_sensitive = true

      dynamic "key_values" {
        for_each = local.log_index_fields
        content {
          key = key_values.key
          value {
            type        = key_values.value
            tokenizer   = key_values.value == "text" ? local.log_index_tokenizer : null
            sql_flag    = true
            contain_z_h = false
          }
        }
      }
    }
  }
}
