# The smallest complete deployment of Safeview: the module with its
# defaults (one instance, high request concurrency, a dedicated service
# account per function and for builds) and the values of
# terraform.tfvars. From this directory:
#
#   cp terraform.tfvars.example terraform.tfvars   # then edit it
#   terraform init
#   terraform apply

# The module declares the Terraform and provider versions it needs;
# terraform init installs providers that satisfy them.
provider "google" {
  project = var.project_id
  region  = var.region
}

module "safeview" {
  source = "../.."

  project_id     = var.project_id
  region         = var.region
  spreadsheet_id = var.spreadsheet_id
  config_file    = var.config_file

  entra_tenant_id = var.entra_tenant_id
  entra_client_id = var.entra_client_id
}
