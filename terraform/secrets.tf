# One secret per name in the configuration: the signing secrets of the
# sources and the pseudonym key. Terraform creates the secrets, never their
# values: a value in Terraform would sit in its state, readable by anyone
# who can read the state. Values are added afterwards, as versions, with
# scripts/set-secret or gcloud (see outputs.next_steps).
#
# Destroying a secret destroys its versions. Losing the pseudonym key
# changes every pseudonym in the sheet: keep a copy somewhere safe.
resource "google_secret_manager_secret" "main" {
  for_each = toset(local.secret_names)

  project   = var.project_id
  secret_id = each.key
  labels    = local.labels

  replication {
    auto {}
  }

  depends_on = [google_project_service.main]
}
