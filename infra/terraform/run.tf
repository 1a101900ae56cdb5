# The Cloud Run service: the API, the web pages and the worker endpoints Cloud Tasks and Cloud Scheduler call,
# in one container, with the Managed Service for Prometheus collector beside it. Cloud Build deploys every
# revision after the first (cloudbuild.yaml: deploy with no traffic, smoke test, move traffic), so Terraform
# owns the shape of the service and ignores the image and traffic those deployments change.
locals {
  redis_ca_dir  = "/secrets/redis-ca"
  redis_ca_file = "${local.redis_ca_dir}/ca.pem"
  metrics_port  = 9464 # CF_METRICS_PORT: /metrics on 127.0.0.1 only, for the collector beside the app

  # The environment variable the model API key goes in; none for the offline engine or through Vertex AI.
  model_api_key_env = var.vertex_ai || var.llm_provider == "extractive" ? null : (
    var.llm_provider == "openai" ? "OPENAI_API_KEY" : "GEMINI_API_KEY"
  )

  # Secrets the app reads, as environment variables: variable name => key in google_secret_manager_secret.secret.
  secret_env = merge(
    {
      CF_KEY_PEPPER          = "key_pepper"
      CF_BOOTSTRAP_ADMIN_KEY = "bootstrap_admin_key"
      CF_METRICS_TOKEN       = "metrics_token"
      CF_REDIS_URL           = "redis_url"
    },
    local.model_api_key_env == null ? {} : { (local.model_api_key_env) = "model_api_key" },
  )

  # The production adapters (app/config.py), and how the worker endpoints are called back. Empty values are left
  # out (the app ignores them anyway).
  plain_env = { for name, value in local.all_plain_env : name => value if value != "" }
  all_plain_env = merge(
    {
      CF_ENVIRONMENT                    = "production"
      CF_STORE                          = "firestore"
      GOOGLE_CLOUD_PROJECT              = var.project_id
      CF_FIRESTORE_DATABASE             = google_firestore_database.main.name
      CF_QUEUE                          = "cloudtasks"
      CF_CLOUD_TASKS_QUEUE              = google_cloud_tasks_queue.steps.id
      CF_WORKER_BASE_URL                = local.service_url
      CF_TASKS_SERVICE_ACCOUNT          = google_service_account.tasks.email
      CF_TASK_DISPATCH_DEADLINE_SECONDS = tostring(var.task_dispatch_deadline_seconds)
      CF_STEP_TIMEOUT_SECONDS           = tostring(var.step_timeout_seconds)
      # Cloud Run sends SIGTERM and kills the container 10 s later. uvicorn's --timeout-graceful-shutdown (the
      # Dockerfile's CMD) and the pipeline's hand-back of steps in flight both use this, so it stays below 10;
      # a step handed back is delivered again by Cloud Tasks.
      CF_SHUTDOWN_GRACE_SECONDS = tostring(var.shutdown_grace_seconds)
      CF_CACHE                  = "redis"
      CF_STORAGE                = "gcs"
      CF_GCS_BUCKET             = google_storage_bucket.blobs.name
      CF_PUBSUB_TOPIC           = google_pubsub_topic.events.id
      CF_SPEECH                 = var.speech
      CF_LLM_PROVIDER           = var.llm_provider
      CF_TRUSTED_PROXY_HOPS     = "1" # Cloud Run's front end appends one X-Forwarded-For entry
      CF_LOG_FORMAT             = "json"
      CF_METRICS_PORT           = tostring(local.metrics_port)
      CF_CORS_ORIGINS           = join(",", var.cors_origins)
    },
    var.vertex_ai ? {
      GOOGLE_GENAI_USE_VERTEXAI = "true"
      GOOGLE_CLOUD_LOCATION     = var.region
    } : {},
    var.extra_env,
  )
}

resource "google_cloud_run_v2_service" "app" {
  name                = var.service
  location            = var.region
  ingress             = var.ingress
  deletion_protection = var.deletion_protection

  template {
    service_account                  = google_service_account.runtime.email
    max_instance_request_concurrency = var.concurrency
    execution_environment            = "EXECUTION_ENVIRONMENT_GEN2"

    # A request may be a pipeline step that runs up to CF_STEP_TIMEOUT_SECONDS; Cloud Tasks waits for it up to
    # CF_TASK_DISPATCH_DEADLINE_SECONDS, so Cloud Run must not cut the request off sooner. Event streams
    # (CF_EVENTS_MAX_SECONDS, 900 s by default) fit in the same timeout.
    timeout = "${var.task_dispatch_deadline_seconds}s"

    scaling {
      min_instance_count = var.min_instances
      max_instance_count = var.max_instances
    }

    # Direct VPC egress: only private ranges (Memorystore) go through the VPC; Google APIs and model providers
    # are reached as before.
    vpc_access {
      egress = "PRIVATE_RANGES_ONLY"
      network_interfaces {
        network    = google_compute_network.vpc.id
        subnetwork = google_compute_subnetwork.run.id
      }
    }

    containers {
      name  = "app"
      image = var.image

      ports {
        container_port = 8080
      }

      resources {
        limits = {
          cpu    = var.cpu
          memory = var.memory
        }
        cpu_idle          = true # CPU only while requests run: every step is a request
        startup_cpu_boost = true
      }

      dynamic "env" {
        for_each = local.plain_env
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = local.secret_env
        content {
          name = env.key
          value_source {
            secret_key_ref {
              secret  = google_secret_manager_secret.secret[env.value].secret_id
              version = "latest"
            }
          }
        }
      }

      volume_mounts {
        name       = "redis-ca"
        mount_path = local.redis_ca_dir
      }

      # /healthz answers once the app has started (its lifespan opened every adapter); it checks no backend,
      # so a Firestore or Redis outage never restarts instances (/readyz reports those).
      startup_probe {
        http_get {
          path = "/healthz"
          port = 8080
        }
        period_seconds    = 2
        timeout_seconds   = 2
        failure_threshold = 30
      }

      liveness_probe {
        http_get {
          path = "/healthz"
          port = 8080
        }
        period_seconds    = 30
        timeout_seconds   = 5
        failure_threshold = 3
      }
    }

    # The Managed Service for Prometheus collector: scrapes the app's loopback metrics port (the scrape-config
    # secret) and writes the series to Cloud Monitoring, where the alert policies of monitoring.tf query them.
    containers {
      name       = "metrics"
      image      = var.metrics_sidecar_image
      depends_on = ["app"]

      volume_mounts {
        name       = "scrape-config"
        mount_path = "/etc/rungmp"
      }

      resources {
        limits = {
          cpu    = "500m"
          memory = "256Mi"
        }
        cpu_idle = true
      }
    }

    volumes {
      name = "scrape-config"
      secret {
        secret = google_secret_manager_secret.secret["scrape"].secret_id
        items {
          version = "latest"
          path    = "config.yaml"
        }
      }
    }

    volumes {
      name = "redis-ca"
      secret {
        secret       = google_secret_manager_secret.secret["redis_ca"].secret_id
        default_mode = 292 # 0444: readable by the image's non-root user
        items {
          version = "latest"
          path    = "ca.pem"
        }
      }
    }
  }

  lifecycle {
    # Cloud Build deploys the image by digest and moves traffic to each revision that passed its smoke test;
    # a later apply must not roll either back.
    ignore_changes = [
      template[0].containers[0].image,
      client,
      client_version,
      traffic,
    ]
  }

  depends_on = [
    google_project_service.enabled,
    google_secret_manager_secret_iam_member.runtime_key_pepper,
    google_secret_manager_secret_iam_member.runtime_bootstrap_admin_key,
    google_secret_manager_secret_iam_member.runtime_metrics_token,
    google_secret_manager_secret_iam_member.runtime_redis_url,
    google_secret_manager_secret_iam_member.runtime_redis_ca,
    google_secret_manager_secret_iam_member.runtime_scrape_config,
    google_secret_manager_secret_iam_member.runtime_model_api_key,
    google_secret_manager_secret_version.redis_url,
    google_secret_manager_secret_version.redis_ca,
    google_secret_manager_secret_version.scrape,
  ]
}
