# The zip of each function, built from the repository by the archive
# provider: the function's package at the root, go.mod, go.sum, shared/
# and the configuration as safeview.yaml (see source_common in main.tf).
# archive_file writes `source` entries in name order, with no timestamp and
# no file mode, so the same files always give the same zip and the same
# hash, on any machine; the object is named by that hash, so a change of
# code or configuration uploads a new object and redeploys the function,
# and nothing else does. Every file must be UTF-8 text (file() reads it).
data "archive_file" "function" {
  for_each = local.deployed_functions

  type        = "zip"
  output_path = "${path.module}/.build/${var.name_prefix}-${each.key}.zip"

  dynamic "source" {
    for_each = local.function_files[each.key]
    content {
      filename = source.key
      content  = file("${local.source_root}/${source.value}")
    }
  }

  source {
    filename = "safeview.yaml"
    content  = local.config_yaml
  }
}

resource "google_storage_bucket" "source" {
  project  = var.project_id
  name     = "${var.project_id}-${var.name_prefix}-source"
  location = var.region
  labels   = local.labels

  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  # Only zips of this deployment live here; destroy removes them.
  force_destroy = true

  # Each zip is its own object, named by its hash, and Terraform deletes
  # the previous one when it uploads the next: no versions to keep. There
  # is no age-based deletion either, since Cloud Functions reads the
  # current zip again whenever the function is rebuilt.
  versioning {
    enabled = false
  }

  lifecycle_rule {
    condition {
      age = 1
    }
    action {
      type = "AbortIncompleteMultipartUpload"
    }
  }

  depends_on = [google_project_service.main]
}

resource "google_storage_bucket_object" "source" {
  for_each = local.deployed_functions

  bucket       = google_storage_bucket.source.name
  name         = "${each.key}-${data.archive_file.function[each.key].output_md5}.zip"
  source       = data.archive_file.function[each.key].output_path
  content_type = "application/zip"
}

# The functions' container images. A repository of this deployment's own
# (rather than the shared gcf-artifacts) lets the build account write here
# and nowhere else, and lets old images go: storage beyond 0.5 GB a month
# is billed.
resource "google_artifact_registry_repository" "functions" {
  project       = var.project_id
  location      = var.region
  repository_id = "${var.name_prefix}-functions"
  format        = "DOCKER"
  description   = "Container images of the Safeview functions, built by Cloud Build."
  labels        = local.labels

  cleanup_policy_dry_run = false

  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = 3
    }
  }

  cleanup_policies {
    id     = "delete-old"
    action = "DELETE"
    condition {
      older_than = "604800s" # a week; the three newest are kept whatever their age
    }
  }

  depends_on = [google_project_service.main]
}
