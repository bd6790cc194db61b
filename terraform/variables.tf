variable "alert_email" {
  type        = string
  description = "Email address the alerts are sent to (alerting.tf). Default: none; the alert policies still open incidents in the console."
  default     = null

  validation {
    condition     = var.alert_email == null || can(regex("^[^@ ]+@[^@ ]+\\.[^@ ]+$", var.alert_email))
    error_message = "The alert_email must be an email address, such as ops@example.com."
  }
}

variable "alerts" {
  type        = bool
  description = "Whether to create the alert policies of alerting.tf. Cloud Monitoring bills each condition (USD 1.50 a month at the time of writing): 2 in direct mode, 5 in queued mode."
  default     = true
}

variable "available_cpu" {
  type        = string
  description = "vCPUs of an instance. Serving more than one request at a time takes at least 1."
  default     = "1"

  validation {
    condition     = can(tonumber(var.available_cpu)) && try(tonumber(var.available_cpu) >= 0.083 && tonumber(var.available_cpu) <= 8, false)
    error_message = "The available_cpu must be a number of vCPUs between 0.083 and 8, such as \"1\"."
  }
}

variable "build_service_account" {
  type        = string
  description = "Email of an existing service account for Cloud Build to build the function as. Default: a dedicated one is created, with only the roles a build needs."
  default     = null

  validation {
    condition     = var.build_service_account == null || can(regex("^[a-z0-9-]+@[a-z0-9.-]+\\.gserviceaccount\\.com$", var.build_service_account))
    error_message = "The build_service_account must be a service account email, such as builder@my-project.iam.gserviceaccount.com."
  }
}

variable "config_file" {
  type        = string
  description = "Path of the Safeview configuration to deploy (sources, tables, columns). It is shipped with the function as safeview.yaml. Default: the example configuration, functions/webhook/safeview.yaml."
  default     = null

  validation {
    condition     = var.config_file == null || can(regex("\\.ya?ml$", var.config_file))
    error_message = "The config_file must be a YAML file (.yaml or .yml)."
  }
}

variable "destination_spreadsheet_ids" {
  type        = map(string)
  description = "Spreadsheet id of each destination of the configuration file, by name, when the file gives none (scripts/bootstrap-sheet creates the spreadsheets and prints their ids). A destination with no id anywhere is pending: nothing is written to it."
  default     = {}
}

variable "entra_client_id" {
  type        = string
  description = "Application (client) id of the Entra ID app registration that writes the Excel destinations of the configuration that name none (docs/excel.md). Empty: no Excel destination, or each names its own."
  default     = ""

  validation {
    condition     = var.entra_client_id == "" || can(regex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", var.entra_client_id))
    error_message = "The entra_client_id must be the app registration's Application (client) ID, a GUID such as 00000000-0000-0000-0000-000000000000."
  }
}

variable "entra_tenant_id" {
  type        = string
  description = "Directory (tenant) id of the Entra ID tenant holding the app registration and the workbooks of the Excel destinations (docs/excel.md). Empty: no Excel destination, or each names its own."
  default     = ""

  validation {
    condition     = var.entra_tenant_id == "" || can(regex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", var.entra_tenant_id))
    error_message = "The entra_tenant_id must be the Directory (tenant) ID, a GUID such as 00000000-0000-0000-0000-000000000000."
  }
}

variable "labels" {
  type        = map(string)
  description = "Labels added to every resource that takes labels."
  default     = {}
}

variable "max_instance_count" {
  type        = number
  description = "Most instances of the webhook function. Keep 1: one writer per spreadsheet batches writes into the Sheets quota, more instances only race for it (docs/sheet.md, \"One instance, many concurrent requests\")."
  default     = 1

  validation {
    condition     = var.max_instance_count >= 1 && var.max_instance_count <= 1000 && floor(var.max_instance_count) == var.max_instance_count
    error_message = "The max_instance_count must be a whole number from 1 to 1000."
  }
}

variable "max_instance_request_concurrency" {
  type        = number
  description = "Requests one instance serves at once. High, since the one instance waits on the Sheets API most of the time."
  default     = 80

  validation {
    condition     = var.max_instance_request_concurrency >= 1 && var.max_instance_request_concurrency <= 1000 && floor(var.max_instance_request_concurrency) == var.max_instance_request_concurrency
    error_message = "The max_instance_request_concurrency must be a whole number from 1 to 1000."
  }

  validation {
    condition     = var.max_instance_request_concurrency == 1 || try(tonumber(var.available_cpu) >= 1, false)
    error_message = "Serving more than one request at a time needs available_cpu of at least 1."
  }
}

variable "memory" {
  type        = string
  description = "Memory of an instance, such as 256Mi or 1Gi."
  default     = "256Mi"

  validation {
    condition     = can(regex("^[0-9]+(k|M|G|Mi|Gi)$", var.memory))
    error_message = "The memory must be a size such as 256Mi, 512M or 1Gi."
  }
}

variable "min_instance_count" {
  type        = number
  description = "Instances kept warm. 0 (the default) costs nothing while idle; 1 removes the cold start of the first delivery after a pause, at the price of an always-on instance."
  default     = 0

  validation {
    condition     = var.min_instance_count >= 0 && var.min_instance_count <= var.max_instance_count && floor(var.min_instance_count) == var.min_instance_count
    error_message = "The min_instance_count must be a whole number from 0 to max_instance_count."
  }
}

variable "name_prefix" {
  type        = string
  description = "Prefix of the names of everything created: functions, service accounts, bucket, repository."
  default     = "safeview"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,18}[a-z0-9]$", var.name_prefix))
    error_message = "The name_prefix must be 2 to 20 lower-case letters, digits and dashes, starting with a letter (service account ids are short)."
  }
}

variable "project_id" {
  type        = string
  description = "Id of the Google Cloud project to deploy into. Its billing must be enabled."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "The project_id must be a project id (6 to 30 lower-case letters, digits and dashes), not its name or number."
  }
}

variable "queue_max_delivery_attempts" {
  type        = number
  description = "Queued mode: deliveries of a message to the writer before it goes to the dead-letter topic. With the 10 s to 600 s backoff, 20 attempts last about 2 h 35 min of outage."
  default     = 20

  validation {
    condition     = var.queue_max_delivery_attempts >= 5 && var.queue_max_delivery_attempts <= 100 && floor(var.queue_max_delivery_attempts) == var.queue_max_delivery_attempts
    error_message = "The queue_max_delivery_attempts must be a whole number from 5 to 100 (Pub/Sub's bounds)."
  }
}

variable "queued_max_instance_count" {
  type        = number
  description = "Queued mode: most instances of the webhook function, which then only verifies and publishes. The writer keeps one."
  default     = 10

  validation {
    condition     = var.queued_max_instance_count >= 1 && var.queued_max_instance_count <= 1000 && floor(var.queued_max_instance_count) == var.queued_max_instance_count
    error_message = "The queued_max_instance_count must be a whole number from 1 to 1000."
  }
}

variable "region" {
  type        = string
  description = "Region of the function, its bucket and its image repository, such as europe-west1."

  validation {
    condition     = can(regex("^[a-z]+(-[a-z]+)+[0-9]+$", var.region))
    error_message = "The region must be a Google Cloud region, such as europe-west1 or us-central1."
  }
}

variable "sources" {
  type        = map(list(string))
  description = "Optional: the sources the configuration file must declare, each with its secret names. The secrets are read from the configuration file; when this is set, the plan fails unless the file declares exactly these, so that a reviewer of the tfvars sees every public URL and secret."
  default     = null

  validation {
    condition     = var.sources == null || alltrue([for name, secrets in coalesce(var.sources, {}) : can(regex("^[a-z0-9][a-z0-9_-]{0,62}$", name)) && alltrue([for s in secrets : can(regex("^[A-Za-z0-9_-]{1,255}$", s))])])
    error_message = "Each source name must be a URL path segment (lower-case letters, digits, - and _), and each secret name 1 to 255 letters, digits, - and _."
  }
}

variable "spreadsheet_id" {
  type        = string
  description = "Id of the spreadsheet to write to: the long part of its URL, between /d/ and /edit."

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{20,}$", var.spreadsheet_id))
    error_message = "The spreadsheet_id must be the id from the spreadsheet's URL (https://docs.google.com/spreadsheets/d/ID/edit), not the whole URL."
  }
}

variable "timeout" {
  type        = number
  description = "Seconds a request may run before it is cut. A backstop: the configuration's limits.deadline answers 503 long before."
  default     = 60

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 3600 && floor(var.timeout) == var.timeout
    error_message = "The timeout must be a whole number of seconds from 1 to 3600."
  }
}

variable "writer_max_instance_request_concurrency" {
  type        = number
  description = "Queued mode: pushes the one writer instance holds at once. Each waits about a second for its flush, so this bounds the rows a second the writer can write: 1,000 carries about 13,000 events a minute to four destinations, Cloud Run's default of 80 about 1,100 (docs/queued.md)."
  default     = 1000

  validation {
    condition     = var.writer_max_instance_request_concurrency >= 1 && var.writer_max_instance_request_concurrency <= 1000 && floor(var.writer_max_instance_request_concurrency) == var.writer_max_instance_request_concurrency
    error_message = "The writer_max_instance_request_concurrency must be a whole number from 1 to 1000."
  }

  validation {
    condition     = var.writer_max_instance_request_concurrency == 1 || try(tonumber(var.available_cpu) >= 1, false)
    error_message = "Serving more than one push at a time needs available_cpu of at least 1."
  }
}
