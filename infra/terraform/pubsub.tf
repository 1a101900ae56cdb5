# Job events (docs/events.md; app/adapters/pubsub_events.py publishes each with the job id as ordering key).
resource "google_pubsub_topic" "events" {
  # checkov:skip=CKV_GCP_83: events carry job metadata, not secrets; Google-managed encryption at rest, no CMEK key to manage
  name                       = "${var.service}-events"
  message_retention_duration = "604800s" # a week: a consumer that was down can seek back

  depends_on = [google_project_service.enabled]
}

# An optional pull subscription that receives each job's events in order.
resource "google_pubsub_subscription" "events" {
  count = var.events_subscription ? 1 : 0

  name                       = "${var.service}-events"
  topic                      = google_pubsub_topic.events.id
  enable_message_ordering    = true
  ack_deadline_seconds       = 60
  message_retention_duration = "604800s"

  expiration_policy {
    ttl = "" # never expires for inactivity
  }
}
