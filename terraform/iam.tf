# Least privilege. Each function runs as its own service account, which has
# no project-wide role at all: it may read its secrets (granted on each
# secret), and write the one spreadsheet that is shared with it
# (scripts/bootstrap-sheet does that; Sheets access comes from the share,
# not from IAM). Logs need no role: Cloud Run collects stdout.

resource "google_service_account" "function" {
  for_each = local.deployed_functions

  project      = var.project_id
  account_id   = "${var.name_prefix}-${each.key}"
  display_name = "Safeview ${each.key} function"
  description  = "Runs the Safeview ${each.key} function. No project roles: reads its own secrets, writes the spreadsheet shared with it."

  depends_on = [google_project_service.main]
}

locals {
  # Listing versions (to find the newest enabled ones) takes
  # secretmanager.versions.list, which is in roles/secretmanager.viewer and
  # not in secretAccessor; viewer holds no secret value.
  secret_roles = ["roles/secretmanager.secretAccessor", "roles/secretmanager.viewer"]
  secret_grants = merge([
    for fn, f in local.deployed_functions : {
      for pair in setproduct(local.secret_names, local.secret_roles) :
      "${fn} ${pair[0]} ${pair[1]}" => { function = fn, secret = pair[0], role = pair[1] }
    } if f.reads_secrets
  ]...)
}

resource "google_secret_manager_secret_iam_member" "function" {
  for_each = local.secret_grants

  project   = var.project_id
  secret_id = google_secret_manager_secret.main[each.value.secret].secret_id
  role      = each.value.role
  member    = google_service_account.function[each.value.function].member
}

# Anyone may call the webhook function: platforms cannot authenticate to
# Google, and every delivery is verified by its signature instead. The
# grant is on the function's Cloud Run service (which has the function's
# name): the Cloud Functions IAM API rejects roles/run.invoker.
resource "google_cloud_run_service_iam_member" "public" {
  for_each = { for name, f in local.deployed_functions : name => f if f.public }

  project  = var.project_id
  location = google_cloudfunctions2_function.main[each.key].location
  service  = google_cloudfunctions2_function.main[each.key].name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# The account Cloud Build builds the functions as. Since 2024 new projects
# build as the Compute Engine default service account, which may have no
# role at all (or Editor, far too much); a dedicated one gets exactly what
# a function build needs: write its logs, read the source zip, push the
# image to this deployment's repository.
resource "google_service_account" "build" {
  count = var.build_service_account == null ? 1 : 0

  project      = var.project_id
  account_id   = "${var.name_prefix}-build"
  display_name = "Safeview function builds"
  description  = "Cloud Build builds the Safeview functions as this account: writes build logs, reads the source bucket, pushes to the Safeview image repository."

  depends_on = [google_project_service.main]
}

# Logs have no narrower resource than the project; logWriter only writes.
resource "google_project_iam_member" "build_logs" {
  count = var.build_service_account == null ? 1 : 0

  project = var.project_id
  role    = "roles/logging.logWriter"
  member  = google_service_account.build[0].member
}

resource "google_storage_bucket_iam_member" "build_source" {
  count = var.build_service_account == null ? 1 : 0

  bucket = google_storage_bucket.source.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.build[0].member
}

resource "google_artifact_registry_repository_iam_member" "build_images" {
  count = var.build_service_account == null ? 1 : 0

  project    = var.project_id
  location   = google_artifact_registry_repository.functions.location
  repository = google_artifact_registry_repository.functions.name
  role       = "roles/artifactregistry.writer"
  member     = google_service_account.build[0].member
}
