# Partner and franchisee destinations (docs/sheet.md, "Partner views").
# Each destination of the configuration file gets a service account of its
# own, which alone is shared on the destination's spreadsheet: a grant that
# leaks exposes one partner's rows, and each destination has its own
# per-user Sheets quota. The webhook function acts as each one through the
# IAM Credentials API (roles/iam.serviceAccountTokenCreator on exactly
# these accounts, nothing project-wide); no key is ever created.

locals {
  # The Google spreadsheet destinations, read from the configuration file
  # as the function reads them (Excel destinations sign in to
  # Microsoft instead: docs/excel.md), with the account id each gets: name_prefix-d-NAME, "_"
  # made "-" (an account id takes lowercase letters, digits and hyphens,
  # 6 to 30 of them).
  destinations = {
    for name, d in try(local.config.destinations, {}) : name => {
      account_id = "${var.name_prefix}-d-${replace(name, "_", "-")}"
      title      = try(tostring(d.spreadsheet.title), "")
      id         = try(coalesce(try(var.destination_spreadsheet_ids[name], ""), try(tostring(d.spreadsheet.id), "")), "")
      share      = [for s in try(d.share, []) : "${tostring(s.email)} (${try(tostring(s.role), "reader")})"]
    } if try(tostring(d.kind), "google-sheets") == "google-sheets"
  }
}

resource "google_service_account" "destination" {
  for_each = local.destinations

  project      = var.project_id
  account_id   = each.value.account_id
  display_name = "Safeview destination ${each.key}"
  description  = "Writes the spreadsheet of the Safeview destination ${each.key}, the only one shared with it. The webhook function acts as it, without a key."

  lifecycle {
    precondition {
      condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", each.value.account_id))
      error_message = "Destination ${each.key}: the account id ${each.value.account_id} is not 6 to 30 lowercase letters, digits and hyphens: shorten the destination's name or var.name_prefix."
    }
  }

  depends_on = [google_project_service.main]
}

# The function that writes the sheets (the writer in queued mode) may mint
# tokens of exactly these accounts.
resource "google_service_account_iam_member" "destination_token_creator" {
  for_each = local.destinations

  service_account_id = google_service_account.destination[each.key].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = google_service_account.function[local.sheet_writer].member
}

locals {
  # Read by functions/webhook (SAFEVIEW_DESTINATION_ACCOUNTS and
  # SAFEVIEW_DESTINATION_SPREADSHEETS): empty objects without destinations.
  destination_accounts_json     = jsonencode({ for name, sa in google_service_account.destination : name => sa.email })
  destination_spreadsheets_json = jsonencode({ for name, id in var.destination_spreadsheet_ids : name => id })
}

check "destination_spreadsheet_ids" {
  assert {
    condition     = alltrue([for name in keys(var.destination_spreadsheet_ids) : contains(keys(local.destinations), name)])
    error_message = "var.destination_spreadsheet_ids names destinations the configuration file does not declare (${jsonencode(keys(local.destinations))}): the function refuses to start with them."
  }
}
