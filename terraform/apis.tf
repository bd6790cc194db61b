# The APIs the deployment uses. They stay enabled on destroy: other things
# in the project may use them, and turning an API off can break them.
locals {
  apis = [
    "artifactregistry.googleapis.com", # the function's container image
    "cloudbuild.googleapis.com",       # builds the function from its zip
    "cloudfunctions.googleapis.com",
    "cloudresourcemanager.googleapis.com", # project IAM of the build account
    "drive.googleapis.com",                # scripts/bootstrap-sheet shares the spreadsheet
    "iam.googleapis.com",
    "iamcredentials.googleapis.com", # the function acts as each destination's account
    "logging.googleapis.com",
    "monitoring.googleapis.com", # alert policies (alerting.tf)
    "pubsub.googleapis.com",     # queued mode (queue.tf)
    "run.googleapis.com",        # gen2 functions run on Cloud Run
    "secretmanager.googleapis.com",
    "sheets.googleapis.com", # the function writes the sheet
    "storage.googleapis.com",
  ]
}

resource "google_project_service" "main" {
  for_each = toset(local.apis)

  project            = var.project_id
  service            = each.key
  disable_on_destroy = false
}
