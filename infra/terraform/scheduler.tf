# The sweeper's clock: Cloud Scheduler calls POST /internal/sweep with an OIDC token of the tasks account, the
# identity the worker endpoints accept (app/api/internal.py). Schedule, deadline and retries come from
# infra/cloudscheduler/sweep.yaml; its ${CF_WORKER_BASE_URL} and ${CF_TASKS_SERVICE_ACCOUNT} placeholders are
# filled here.
resource "google_cloud_scheduler_job" "sweep" {
  name             = local.sweep_config.name
  region           = var.region
  schedule         = local.sweep_config.schedule
  time_zone        = local.sweep_config.timeZone
  attempt_deadline = local.sweep_config.attemptDeadline

  retry_config {
    retry_count = local.sweep_config.retryConfig.retryCount
  }

  http_target {
    http_method = local.sweep_config.httpTarget.httpMethod
    uri         = replace(local.sweep_config.httpTarget.uri, "$${CF_WORKER_BASE_URL}", local.service_url)

    oidc_token {
      service_account_email = google_service_account.tasks.email
      audience              = replace(local.sweep_config.httpTarget.oidcToken.audience, "$${CF_WORKER_BASE_URL}", local.service_url)
    }
  }

  depends_on = [google_project_service.enabled, google_cloud_run_v2_service_iam_member.tasks_invoker]
}
