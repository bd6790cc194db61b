output "build_service_account_email" {
  description = "The service account Cloud Build builds the functions as."
  value       = local.build_service_account_email
}

output "dead_letter_subscription" {
  description = "Queued mode: the subscription where dead letters wait, for scripts/replay -subscription; null in direct mode."
  value       = try(google_pubsub_subscription.dead_letters[0].name, null)
}

output "destinations" {
  description = "Each destination of the configuration: the service account to share its spreadsheet with (as an Editor; scripts/bootstrap-sheet does it), its spreadsheet id and title, and the people it is shared with."
  value = {
    for name, d in local.destinations : name => {
      service_account_email = google_service_account.destination[name].email
      spreadsheet_id        = d.id
      title                 = d.title
      share                 = d.share
    }
  }
}

output "entra_federated_credential" {
  description = "The federated credential to add to the Entra ID app registration of the Excel destinations, so that the function that writes them signs in with its Google identity and no secret (docs/excel.md): subject is that function's service account's unique id (the writer's in queued mode)."
  value = {
    issuer   = "https://accounts.google.com"
    subject  = google_service_account.function[local.queued ? "writer" : "webhook"].unique_id
    audience = "api://AzureADTokenExchange"
  }
}

output "function_urls" {
  description = "Base URL of each function."
  value       = { for name, f in google_cloudfunctions2_function.main : name => f.url }
}

output "next_steps" {
  description = "What to run after the first apply, in order."
  value       = <<-EOT
    From the root of the repository:
    1. Add the value of every secret (read from stdin, never echoed):
    %{for name in local.secret_names~}
         go run ./scripts/set-secret -project ${var.project_id} ${name}
    %{endfor~}
    2. Create the tabs and share the spreadsheet with the function:
         go run ./scripts/bootstrap-sheet -project ${var.project_id} -config ${abspath(local.config_file)} -spreadsheet ${var.spreadsheet_id} -share ${google_service_account.function[local.sheet_writer].email}
    %{if length(local.destinations) > 0~}
    3. Prepare every destination's spreadsheet (created when it has no id,
       given its tabs, Today and Summary, shared with its account alone and
       its people), then set the printed ids in var.destination_spreadsheet_ids
       and apply again:
         go run ./scripts/bootstrap-sheet -project ${var.project_id} -config ${abspath(local.config_file)} -spreadsheet ${var.spreadsheet_id} -share ${google_service_account.function[local.sheet_writer].email} -destination-accounts '${local.destination_accounts_json}' -destination-spreadsheets '${local.destination_spreadsheets_json}'
       Fill a new destination with the orders from before it: docs/backfill.md.
    %{endif~}
    ${length(local.destinations) > 0 ? 4 : 3}. Register these URLs with the platforms:
    %{for name, url in local.webhook_urls~}
         ${name}: ${url}
    %{endfor~}
    %{if length(local.excel_destinations) > 0~}
    4. Excel destinations (${join(", ", keys(local.excel_destinations))}): add the output
       entra_federated_credential to the app registration, then create or check the named tables:
         go run ./scripts/bootstrap-sheet -config ${abspath(local.config_file)} -excel NAME -service-account ${google_service_account.function["webhook"].email} -entra-tenant-id ${var.entra_tenant_id} -entra-client-id ${var.entra_client_id}
    %{endif~}
  EOT
}

output "secret_ids" {
  description = "Full name of every secret, by the name the configuration uses."
  value       = { for name, s in google_secret_manager_secret.main : name => s.id }
}

output "service_account_email" {
  description = "The service account that writes the spreadsheet (the webhook function's; the writer's in queued mode): share the spreadsheet with it, as an Editor."
  value       = google_service_account.function[local.sheet_writer].email
}

output "source_bucket" {
  description = "The bucket holding the functions' source zips."
  value       = google_storage_bucket.source.name
}

output "topic" {
  description = "Queued mode: the topic the writer drains, for scripts/replay -topic; null in direct mode."
  value       = try(google_pubsub_topic.rows[0].name, null)
}

output "webhook_urls" {
  description = "The URL to register with each source's platform: {function URL}/{source}."
  value       = local.webhook_urls
}
