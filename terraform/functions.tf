# The functions, Cloud Functions gen2 (Cloud Run functions), built by the Go
# buildpack from their zip. The runtime must match the go line of go.mod
# (hcl_test.go checks it): go125 for go 1.25.
resource "google_cloudfunctions2_function" "main" {
  for_each = local.deployed_functions

  project     = var.project_id
  location    = var.region
  name        = "${var.name_prefix}-${each.key}"
  description = each.value.description
  labels      = local.labels

  build_config {
    runtime           = "go125"
    entry_point       = each.value.entry_point
    docker_repository = google_artifact_registry_repository.functions.id
    service_account   = "projects/${var.project_id}/serviceAccounts/${local.build_service_account_email}"

    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source[each.key].name
      }
    }
  }

  service_config {
    available_cpu    = var.available_cpu
    available_memory = var.memory
    timeout_seconds  = var.timeout
    # The writer holds each push until its row is written (about one flush,
    # ~1.1 s): its concurrency bounds the rows a flush can carry
    # (docs/queued.md, "How fast").
    max_instance_request_concurrency = each.key == "writer" ? var.writer_max_instance_request_concurrency : var.max_instance_request_concurrency
    # One writer drains the queue, as one webhook function writes in
    # direct mode; the queued webhook function only publishes, and scales.
    max_instance_count             = each.key == "writer" ? 1 : (local.queued ? var.queued_max_instance_count : var.max_instance_count)
    min_instance_count             = each.key == "writer" ? min(var.min_instance_count, 1) : var.min_instance_count
    ingress_settings               = "ALLOW_ALL"
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.function[each.key].email

    # Read by functions/webhook/function.go. The configuration itself is
    # in the zip, as safeview.yaml.
    environment_variables = merge({
      SAFEVIEW_SPREADSHEET_ID  = var.spreadsheet_id
      SAFEVIEW_SECRETS         = "secretmanager"
      SAFEVIEW_PROJECT         = var.project_id
      SAFEVIEW_SERVICE_ACCOUNT = google_service_account.function[each.key].email
      # The app registration of the Excel destinations (docs/excel.md).
      SAFEVIEW_ENTRA_TENANT_ID = var.entra_tenant_id
      SAFEVIEW_ENTRA_CLIENT_ID = var.entra_client_id
      # Each destination is written as its own account (destinations.tf).
      SAFEVIEW_DESTINATION_ACCOUNTS     = local.destination_accounts_json
      SAFEVIEW_DESTINATION_SPREADSHEETS = local.destination_spreadsheets_json
      }, each.key == "webhook" && local.queued ? {
      SAFEVIEW_TOPIC = google_pubsub_topic.rows[0].id
      } : {}, each.key == "writer" ? {
      # Read by functions/writer/function.go.
      SAFEVIEW_PUSH_AUDIENCE         = local.writer_url
      SAFEVIEW_PUSH_SERVICE_ACCOUNT  = google_service_account.push[0].email
      SAFEVIEW_MAX_DELIVERY_ATTEMPTS = tostring(var.queue_max_delivery_attempts)
      # Each destination keeps its share of it (functions/writer/share.go).
      SAFEVIEW_WRITER_CONCURRENCY = tostring(var.writer_max_instance_request_concurrency)
    } : {})
  }

  lifecycle {
    precondition {
      condition     = alltrue([for name, d in local.excel_destinations : (var.entra_tenant_id != "" || try(d.excel.tenant_id, "") != "") && (var.entra_client_id != "" || try(d.excel.client_id, "") != "")])
      error_message = "The configuration's Excel destinations (${join(", ", keys(local.excel_destinations))}) need the app registration: set entra_tenant_id and entra_client_id (docs/excel.md), or remove them from ${local.config_file}."
    }
    precondition {
      condition     = length(local.config_sources) > 0
      error_message = "The configuration file ${local.config_file} declares no source."
    }
    precondition {
      condition     = var.sources == null || jsonencode(coalesce(var.sources, {})) == jsonencode(local.config_sources)
      error_message = "The sources of the configuration file (${jsonencode(local.config_sources)}) are not those of var.sources (${jsonencode(coalesce(var.sources, {}))}): change one of them."
    }
  }

  # The function reads its secrets when its first request arrives, and the
  # build needs its grants: both are in place before it is deployed.
  depends_on = [
    google_secret_manager_secret_iam_member.function,
    google_service_account_iam_member.destination_token_creator,
    google_project_iam_member.build_logs,
    google_storage_bucket_iam_member.build_source,
    google_artifact_registry_repository_iam_member.build_images,
    # Queued mode: a destination's subscription exists before the webhook
    # function publishes its rows (Pub/Sub keeps a message only for the
    # subscriptions its filter matches), and goes after the function has
    # stopped publishing them (create_before_destroy there).
    google_pubsub_subscription.destination,
  ]
}

# Square signs the notification URL with the body, and the function checks
# against notification_url in the configuration: a difference from the URL
# registered in Square fails every delivery with 401. Warn when a square
# source's notification_url is not one of the function's URLs.
check "square_notification_urls" {
  assert {
    condition = alltrue([
      for name, url in local.square_notification_urls : contains([
        "${google_cloudfunctions2_function.main["webhook"].url}/${name}",
        "${google_cloudfunctions2_function.main["webhook"].service_config[0].uri}/${name}",
      ], url)
    ])
    error_message = "In ${local.config_file}, set notification_url of each square source to its webhook URL (terraform output webhook_urls), exactly as registered in Square, then apply again: ${jsonencode(local.square_notification_urls)}."
  }
}
