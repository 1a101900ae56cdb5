# What other tools and people need after an apply.

output "service_url" {
  description = "The service's URL as Cloud Run reports it."
  value       = google_cloud_run_v2_service.app.uri
}

output "worker_base_url" {
  description = "The service's deterministic URL, set as CF_WORKER_BASE_URL and used as the OIDC audience of task and sweep requests."
  value       = local.service_url
}

output "service_name" {
  description = "The Cloud Run service (cloudbuild.yaml _SERVICE)."
  value       = google_cloud_run_v2_service.app.name
}

output "runtime_service_account" {
  description = "Email of the account the service runs as (cloudbuild.yaml _RUNTIME_SA)."
  value       = google_service_account.runtime.email
}

output "tasks_service_account" {
  description = "Email of the OIDC identity of Cloud Tasks and Cloud Scheduler requests (CF_TASKS_SERVICE_ACCOUNT)."
  value       = google_service_account.tasks.email
}

output "build_service_account" {
  description = "Email of the account Cloud Build runs as (cloudbuild.yaml _BUILD_SA)."
  value       = google_service_account.build.email
}

output "queue_id" {
  description = "The Cloud Tasks queue (CF_CLOUD_TASKS_QUEUE)."
  value       = google_cloud_tasks_queue.steps.id
}

output "bucket" {
  description = "The Cloud Storage bucket of sources and exports (CF_GCS_BUCKET)."
  value       = google_storage_bucket.blobs.name
}

output "topic" {
  description = "The Pub/Sub topic of job events (CF_PUBSUB_TOPIC)."
  value       = google_pubsub_topic.events.id
}

output "redis_host" {
  description = "Private address of the Memorystore instance (reachable from the service's VPC only)."
  value       = google_redis_instance.cache.host
}

output "redis_port" {
  description = "Port of the Memorystore instance (TLS)."
  value       = google_redis_instance.cache.port
}

output "repository" {
  description = "Docker repository images are pushed to."
  value       = "${google_artifact_registry_repository.images.location}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.images.repository_id}"
}

output "operator_secrets" {
  description = "Secrets whose versions the operator adds (gcloud secrets versions add NAME --data-file=-)."
  value       = [for key, id in local.operator_secrets : id]
}

output "alert_policies" {
  description = "Alert policy names, one per rule of infra/prometheus/alerts.yml."
  value       = keys(google_monitoring_alert_policy.prometheus)
}
