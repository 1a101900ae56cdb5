# The blob store (CF_STORAGE=gcs, app/adapters/gcs_storage.py). Keys (app/sources/models.py, app/jobs/exports.py):
#   sources/<source id>/original, sources/<source id>/text.txt   uploads and their extracted text, kept until
#                                                                the source is deleted through the API;
#   exports/<job id>/...                                         rendered downloads and podcast audio, made
#                                                                again on request when missing.
# Nothing in it is public: downloads are V4 signed URLs that the runtime account signs through IAM.
resource "google_storage_bucket" "blobs" {
  # checkov:skip=CKV_GCP_62: usage logs to another bucket are not kept; Cloud Audit Logs (Data Access, enable for storage.googleapis.com) record object access instead
  name     = "${var.project_id}-${var.service}"
  location = var.region

  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = !var.deletion_protection

  versioning {
    enabled = true
  }

  soft_delete_policy {
    retention_duration_seconds = 604800
  }

  # Exports are derived files: they go after exports_retention_days (the default matches CF_JOB_TTL_DAYS, 30,
  # after which Firestore's TTL deletes the job they belong to).
  lifecycle_rule {
    condition {
      age            = var.exports_retention_days
      matches_prefix = ["exports/"]
    }
    action {
      type = "Delete"
    }
  }

  # Versions replaced or deleted stay recoverable for a while, then go.
  lifecycle_rule {
    condition {
      days_since_noncurrent_time = var.noncurrent_retention_days
      with_state                 = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }

  # Resumable uploads (sources over 8 MiB) that never completed.
  lifecycle_rule {
    condition {
      age = 1
    }
    action {
      type = "AbortIncompleteMultipartUpload"
    }
  }

  depends_on = [google_project_service.enabled]
}
