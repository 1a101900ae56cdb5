# The Docker repository Cloud Build pushes to: REGION-docker.pkg.dev/PROJECT/content-factory/content-factory:SHA
# (cloudbuild.yaml _REPOSITORY). Old images are cleaned up; the most recent ones are always kept for rollbacks.
resource "google_artifact_registry_repository" "images" {
  # checkov:skip=CKV_GCP_84: images hold no secrets; Google-managed encryption at rest is enough and a CMEK key would need its own lifecycle
  location      = var.region
  repository_id = var.service
  description   = "Content Factory images, pushed by Cloud Build"
  format        = "DOCKER"

  docker_config {
    immutable_tags = true # a commit's tag always names the image built from that commit
  }

  cleanup_policy_dry_run = false

  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = 20
    }
  }

  cleanup_policies {
    id     = "delete-older-than-90-days"
    action = "DELETE"
    condition {
      tag_state  = "ANY"
      older_than = "7776000s"
    }
  }

  depends_on = [google_project_service.enabled]
}
