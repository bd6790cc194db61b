variable "config_file" {
  type        = string
  description = "Path of your Safeview configuration, relative to this directory. Default: the example configuration of the repository."
  default     = null
}

variable "entra_client_id" {
  type        = string
  description = "Application (client) id of the Entra ID app registration, for Excel destinations (docs/excel.md). Empty without one."
  default     = ""
}

variable "entra_tenant_id" {
  type        = string
  description = "Directory (tenant) id of the Entra ID tenant, for Excel destinations (docs/excel.md). Empty without one."
  default     = ""
}

variable "project_id" {
  type        = string
  description = "Id of the Google Cloud project to deploy into."
}

variable "region" {
  type        = string
  description = "Region of the function, such as europe-west1."
}

variable "spreadsheet_id" {
  type        = string
  description = "Id of the spreadsheet: the part of its URL between /d/ and /edit."
}
