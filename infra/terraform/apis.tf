# The APIs the service and its deployment use. disable_on_destroy = false: destroying this configuration never
# switches off an API that something else in the project may use.
locals {
  apis = toset([
    "run.googleapis.com",
    "cloudtasks.googleapis.com",
    "firestore.googleapis.com",
    "redis.googleapis.com",
    "secretmanager.googleapis.com",
    "artifactregistry.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudscheduler.googleapis.com",
    "pubsub.googleapis.com",
    "storage.googleapis.com",
    "compute.googleapis.com", # the VPC and subnet of Direct VPC egress
    "monitoring.googleapis.com",
    "logging.googleapis.com",
    "iam.googleapis.com",
    "iamcredentials.googleapis.com", # signBlob for signed export URLs
    "texttospeech.googleapis.com",   # CF_SPEECH=cloud
    "cloudresourcemanager.googleapis.com",
  ])
}

resource "google_project_service" "enabled" {
  for_each = local.apis

  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

# Vertex AI only when the model is reached through it (GOOGLE_GENAI_USE_VERTEXAI=true).
resource "google_project_service" "aiplatform" {
  count = var.vertex_ai ? 1 : 0

  project            = var.project_id
  service            = "aiplatform.googleapis.com"
  disable_on_destroy = false
}
