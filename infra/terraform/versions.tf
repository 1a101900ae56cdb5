# Terraform and provider versions, and the provider's project and region.
terraform {
  required_version = ">= 1.6"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.0"
    }
  }

  # State: keep it in a Cloud Storage bucket made beforehand (see README.md), for example
  #   terraform init -backend-config="bucket=PROJECT-tfstate" -backend-config="prefix=content-factory"
  # Without -backend-config the backend block below is partial and terraform asks for the bucket.
  backend "gcs" {}
}

provider "google" {
  project = var.project_id
  region  = var.region

  default_labels = {
    app        = "content-factory"
    managed-by = "terraform"
  }
}

# The project number names the service's deterministic URL (https://SERVICE-NUMBER.REGION.run.app), which the
# service itself must know (CF_WORKER_BASE_URL) before it exists.
data "google_project" "this" {
  project_id = var.project_id
}

locals {
  service_url  = "https://${var.service}-${data.google_project.this.number}.${var.region}.run.app"
  queue_config = yamldecode(file("${path.module}/../cloudtasks/queue.yaml"))
  sweep_config = yamldecode(file("${path.module}/../cloudscheduler/sweep.yaml"))
}
