output "entra_federated_credential" {
  description = "For Excel destinations: the federated credential to add to the app registration (docs/excel.md)."
  value       = module.safeview.entra_federated_credential
}

output "function_url" {
  description = "The webhook function's base URL, for scripts/send -url."
  value       = module.safeview.function_urls["webhook"]
}

output "next_steps" {
  description = "What to run after the first apply, in order."
  value       = module.safeview.next_steps
}

output "service_account_email" {
  description = "Share the spreadsheet with this account, as an Editor."
  value       = module.safeview.service_account_email
}

output "replay_flags" {
  description = "Queued mode: the flags of scripts/replay; null in direct mode."
  value       = module.safeview.topic == null ? null : "-project ${var.project_id} -topic ${module.safeview.topic} -subscription ${module.safeview.dead_letter_subscription}"
}

output "webhook_urls" {
  description = "The URL to register with each platform."
  value       = module.safeview.webhook_urls
}
