# Alerting: what a person must look at, by email (var.alert_email).
# Without an email, the policies still open incidents in the console.
# Cloud Monitoring bills each condition: var.alerts = false creates none.
#
#   - dead letters waiting (queued mode): messages the writer could not
#     write in all their attempts; fix the cause, then scripts/replay;
#   - the oldest message not yet written is over 10 minutes old (queued
#     mode): the destination is away, or the writer cannot keep up;
#   - either function answers 5xx: in direct mode the platforms retry, in
#     queued mode Pub/Sub does, but a lasting rate means something to fix;
#   - a source is not ready (its secret has no value, or may not be read):
#     its deliveries get 503 until it is.

locals {
  alert_channels = [for c in google_monitoring_notification_channel.email : c.name]
  alert_docs     = "Safeview (${var.name_prefix}, project ${var.project_id}). What to do: docs/queued.md, \"Watching it\", and docs/deploy.md, \"Check that it works\"."
}

resource "google_monitoring_notification_channel" "email" {
  count = var.alerts && var.alert_email != null ? 1 : 0

  project      = var.project_id
  display_name = "Safeview alerts (${var.name_prefix})"
  type         = "email"
  labels = {
    email_address = var.alert_email
  }

  depends_on = [google_project_service.main]
}

resource "google_monitoring_alert_policy" "dead_letters" {
  count = var.alerts && local.queued ? 1 : 0

  project               = var.project_id
  display_name          = "Safeview: dead letters waiting (${var.name_prefix})"
  combiner              = "OR"
  notification_channels = local.alert_channels

  conditions {
    display_name = "Messages in ${google_pubsub_subscription.dead_letters[0].name} > 0"
    condition_threshold {
      filter          = "resource.type = \"pubsub_subscription\" AND resource.labels.subscription_id = \"${google_pubsub_subscription.dead_letters[0].name}\" AND metric.type = \"pubsub.googleapis.com/subscription/num_undelivered_messages\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period   = "60s"
        per_series_aligner = "ALIGN_MAX"
      }
    }
  }

  documentation {
    content   = "Messages failed every delivery to the writer and wait in the dead-letter subscription (7 days at most). Read the writer's log for why, fix it, then run `go run ./scripts/replay -project ${var.project_id} -dry-run`, and without -dry-run. ${local.alert_docs}"
    mime_type = "text/markdown"
  }

  depends_on = [google_project_service.main]
}

resource "google_monitoring_alert_policy" "queue_age" {
  count = var.alerts && local.queued ? 1 : 0

  project               = var.project_id
  display_name          = "Safeview: rows waiting over 10 minutes (${var.name_prefix})"
  combiner              = "OR"
  notification_channels = local.alert_channels

  conditions {
    display_name = "Oldest unacknowledged message of a writer's subscription > 600 s"
    condition_threshold {
      # One series per destination's subscription: the alert names it.
      filter          = "resource.type = \"pubsub_subscription\" AND resource.labels.subscription_id = one_of(${join(", ", [for s in google_pubsub_subscription.destination : "\"${s.name}\""])}) AND metric.type = \"pubsub.googleapis.com/subscription/oldest_unacked_message_age\""
      comparison      = "COMPARISON_GT"
      threshold_value = 600
      duration        = "60s"
      aggregations {
        alignment_period   = "60s"
        per_series_aligner = "ALIGN_MAX"
      }
    }
  }

  documentation {
    content   = "A row has waited over 10 minutes to be written to the destination the subscription names (<prefix>-writer-<destination>, main for the main spreadsheet): it is unreachable (not shared with the writer's service account, deleted, full), its quota is exhausted, or the writer fails. Nothing is lost yet: Pub/Sub keeps retrying, then dead-letters. ${local.alert_docs}"
    mime_type = "text/markdown"
  }

  depends_on = [google_project_service.main]
}

resource "google_monitoring_alert_policy" "errors" {
  for_each = var.alerts ? local.deployed_functions : {}

  project               = var.project_id
  display_name          = "Safeview: ${each.key} function answers 5xx (${var.name_prefix})"
  combiner              = "OR"
  notification_channels = local.alert_channels

  conditions {
    display_name = "5xx answers of ${google_cloudfunctions2_function.main[each.key].name} > 1 a minute for 5 minutes"
    condition_threshold {
      filter          = "resource.type = \"cloud_run_revision\" AND resource.labels.service_name = \"${google_cloudfunctions2_function.main[each.key].name}\" AND metric.type = \"run.googleapis.com/request_count\" AND metric.labels.response_code_class = \"5xx\""
      comparison      = "COMPARISON_GT"
      threshold_value = 1 / 60
      duration        = "300s"
      aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_RATE"
        cross_series_reducer = "REDUCE_SUM"
      }
    }
  }

  documentation {
    content   = "The ${each.key} function keeps answering 5xx: 503 when the spreadsheet (or, in queued mode, Pub/Sub) cannot be reached or a secret has no value, 500 for a setup or a bug. Its log says which, without personal data. ${local.alert_docs}"
    mime_type = "text/markdown"
  }

  depends_on = [google_project_service.main]
}

# The webhook function logs "source not ready: ..." (with the source's
# name) when a source's secret cannot be read.
resource "google_logging_metric" "source_not_ready" {
  count = var.alerts ? 1 : 0

  project     = var.project_id
  name        = "${var.name_prefix}-source-not-ready"
  description = "Safeview: a source whose signing secret cannot be read; its deliveries get 503."
  filter      = "resource.type = \"cloud_run_revision\" AND resource.labels.service_name = \"${var.name_prefix}-webhook\" AND jsonPayload.message =~ \"^source not ready\""

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    labels {
      key         = "source"
      value_type  = "STRING"
      description = "The configured source's name."
    }
  }
  label_extractors = {
    source = "EXTRACT(jsonPayload.source)"
  }

  depends_on = [google_project_service.main]
}

resource "google_monitoring_alert_policy" "source_not_ready" {
  count = var.alerts ? 1 : 0

  project               = var.project_id
  display_name          = "Safeview: a source is not ready (${var.name_prefix})"
  combiner              = "OR"
  notification_channels = local.alert_channels

  conditions {
    display_name = "Log lines \"source not ready\" > 0"
    condition_threshold {
      filter          = "resource.type = \"cloud_run_revision\" AND metric.type = \"logging.googleapis.com/user/${google_logging_metric.source_not_ready[0].name}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.source"]
      }
    }
  }

  documentation {
    content   = "A source's signing secret has no value, or the webhook function may not read it: its deliveries get 503 until it is set (go run ./scripts/set-secret). The platform retries meanwhile. ${local.alert_docs}"
    mime_type = "text/markdown"
  }

  depends_on = [google_project_service.main]
}
