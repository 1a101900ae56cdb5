# Service accounts and every IAM binding of the deployment, each on the narrowest resource that allows it.
# docs/iam.md has one row per binding below (what it allows, why, what calls it); tests/infra/test_terraform.py
# holds the two to each other and refuses primitive roles, project-wide run.invoker and project-wide
# secretAccessor.

resource "google_service_account" "runtime" {
  account_id   = "runtime" # cloudbuild.yaml _RUNTIME_SA
  display_name = "Content Factory runtime (the Cloud Run service)"
  depends_on   = [google_project_service.enabled]
}

resource "google_service_account" "tasks" {
  account_id   = "tasks"
  display_name = "Content Factory worker caller (OIDC identity of Cloud Tasks and Cloud Scheduler requests)"
  depends_on   = [google_project_service.enabled]
}

resource "google_service_account" "build" {
  account_id   = "build" # cloudbuild.yaml _BUILD_SA
  display_name = "Content Factory build (Cloud Build: test, push, deploy, smoke test)"
  depends_on   = [google_project_service.enabled]
}

# ---------------------------------------------------------------------------------------------------------------
# Runtime: the service's own account.

# Firestore grants access only on the whole project (there is no per-database IAM resource).
resource "google_project_iam_member" "runtime_datastore_user" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = google_service_account.runtime.member
}

# The metrics collector beside the app writes time series; Cloud Monitoring has no narrower scope than the project.
resource "google_project_iam_member" "runtime_metric_writer" {
  project = var.project_id
  role    = "roles/monitoring.metricWriter"
  member  = google_service_account.runtime.member
}

# Gemini through Vertex AI only; Vertex AI grants on the project alone.
resource "google_project_iam_member" "runtime_vertex_ai" {
  count = var.vertex_ai ? 1 : 0

  project = var.project_id
  role    = "roles/aiplatform.user"
  member  = google_service_account.runtime.member
}

resource "google_cloud_tasks_queue_iam_member" "runtime_enqueuer" {
  name     = google_cloud_tasks_queue.steps.name
  location = google_cloud_tasks_queue.steps.location
  role     = "roles/cloudtasks.enqueuer"
  member   = google_service_account.runtime.member
}

# Tasks carry an OIDC token of the tasks account: creating them needs actAs on that account, and on no other.
resource "google_service_account_iam_member" "runtime_acts_as_tasks" {
  service_account_id = google_service_account.tasks.name
  role               = "roles/iam.serviceAccountUser"
  member             = google_service_account.runtime.member
}

# Signed export URLs: Cloud Run's credentials hold no private key, so the app signs through IAM signBlob as itself.
resource "google_service_account_iam_member" "runtime_signs_as_itself" {
  service_account_id = google_service_account.runtime.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = google_service_account.runtime.member
}

resource "google_storage_bucket_iam_member" "runtime_objects" {
  bucket = google_storage_bucket.blobs.name
  role   = "roles/storage.objectUser"
  member = google_service_account.runtime.member
}

resource "google_pubsub_topic_iam_member" "runtime_publisher" {
  topic  = google_pubsub_topic.events.id
  role   = "roles/pubsub.publisher"
  member = google_service_account.runtime.member
}

# One binding per secret the service reads, never on the project.
resource "google_secret_manager_secret_iam_member" "runtime_key_pepper" {
  secret_id = google_secret_manager_secret.secret["key_pepper"].id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.runtime.member
}

resource "google_secret_manager_secret_iam_member" "runtime_bootstrap_admin_key" {
  secret_id = google_secret_manager_secret.secret["bootstrap_admin_key"].id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.runtime.member
}

resource "google_secret_manager_secret_iam_member" "runtime_metrics_token" {
  secret_id = google_secret_manager_secret.secret["metrics_token"].id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.runtime.member
}

resource "google_secret_manager_secret_iam_member" "runtime_redis_url" {
  secret_id = google_secret_manager_secret.secret["redis_url"].id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.runtime.member
}

resource "google_secret_manager_secret_iam_member" "runtime_redis_ca" {
  secret_id = google_secret_manager_secret.secret["redis_ca"].id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.runtime.member
}

# The metrics collector runs as the service's account and reads its configuration from this secret.
resource "google_secret_manager_secret_iam_member" "runtime_scrape_config" {
  secret_id = google_secret_manager_secret.secret["scrape"].id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.runtime.member
}

# Only when a model API key is read (not for the offline engine, not through Vertex AI).
resource "google_secret_manager_secret_iam_member" "runtime_model_api_key" {
  count = local.model_api_key_env == null ? 0 : 1

  secret_id = google_secret_manager_secret.secret["model_api_key"].id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.runtime.member
}

# ---------------------------------------------------------------------------------------------------------------
# Tasks: the identity Cloud Tasks and Cloud Scheduler present to the worker endpoints.

resource "google_cloud_run_v2_service_iam_member" "tasks_invoker" {
  name     = google_cloud_run_v2_service.app.name
  location = google_cloud_run_v2_service.app.location
  role     = "roles/run.invoker"
  member   = google_service_account.tasks.member
}

# ---------------------------------------------------------------------------------------------------------------
# Build: what cloudbuild.yaml does as _BUILD_SA.

resource "google_artifact_registry_repository_iam_member" "build_writer" {
  repository = google_artifact_registry_repository.images.name
  location   = google_artifact_registry_repository.images.location
  role       = "roles/artifactregistry.writer"
  member     = google_service_account.build.member
}

resource "google_cloud_run_v2_service_iam_member" "build_developer" {
  name     = google_cloud_run_v2_service.app.name
  location = google_cloud_run_v2_service.app.location
  role     = "roles/run.developer"
  member   = google_service_account.build.member
}

# The smoke test calls the new revision's tag URL with the build account's ID token.
resource "google_cloud_run_v2_service_iam_member" "build_invoker" {
  name     = google_cloud_run_v2_service.app.name
  location = google_cloud_run_v2_service.app.location
  role     = "roles/run.invoker"
  member   = google_service_account.build.member
}

# Deploying a revision that runs as the runtime account needs actAs on it (and on no other account).
resource "google_service_account_iam_member" "build_acts_as_runtime" {
  service_account_id = google_service_account.runtime.name
  role               = "roles/iam.serviceAccountUser"
  member             = google_service_account.build.member
}

# A build running as a user-specified account writes its own logs (options.logging: CLOUD_LOGGING_ONLY).
resource "google_project_iam_member" "build_log_writer" {
  project = var.project_id
  role    = "roles/logging.logWriter"
  member  = google_service_account.build.member
}

resource "google_secret_manager_secret_iam_member" "build_smoke_api_key" {
  secret_id = google_secret_manager_secret.secret["smoke_api_key"].id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.build.member
}

# ---------------------------------------------------------------------------------------------------------------
# Public: anyone may reach the service (which still requires an API key or ID token on every /v1 route).

resource "google_cloud_run_v2_service_iam_member" "public_invoker" {
  count = var.public ? 1 : 0

  name     = google_cloud_run_v2_service.app.name
  location = google_cloud_run_v2_service.app.location
  role     = "roles/run.invoker"
  member   = "allUsers"
}
