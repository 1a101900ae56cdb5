# The Cloud Tasks queue of pipeline steps (CF_CLOUD_TASKS_QUEUE). Its name, rates and retries are read from
# infra/cloudtasks/queue.yaml, the one place they are written.
resource "google_cloud_tasks_queue" "steps" {
  name     = local.queue_config.name
  location = var.region

  rate_limits {
    max_dispatches_per_second = local.queue_config.rateLimits.maxDispatchesPerSecond
    max_concurrent_dispatches = local.queue_config.rateLimits.maxConcurrentDispatches
  }

  retry_config {
    max_attempts       = local.queue_config.retryConfig.maxAttempts
    min_backoff        = local.queue_config.retryConfig.minBackoff
    max_backoff        = local.queue_config.retryConfig.maxBackoff
    max_doublings      = local.queue_config.retryConfig.maxDoublings
    max_retry_duration = local.queue_config.retryConfig.maxRetryDuration
  }

  stackdriver_logging_config {
    sampling_ratio = 0.1
  }

  depends_on = [google_project_service.enabled]
}
