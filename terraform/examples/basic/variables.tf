variable "config_file" {
  type        = string
  description = "Path of your Safeview configuration, relative to this directory. Default: the example configuration of the repository."
  default     = null
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
