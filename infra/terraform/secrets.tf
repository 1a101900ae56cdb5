# Secret Manager secrets. Terraform creates every secret but writes a value only where it knows it: the Redis URL
# (it holds the instance's AUTH string) and the instance's server CA. The operator adds the first version of each
# other secret out of band, before the first full apply (README.md, "Apply order"): Cloud Run refuses a revision
# whose secret has no version.
locals {
  # Secrets the operator fills, by key: the secret's id in Secret Manager.
  operator_secrets = {
    key_pepper          = "key-pepper"          # CF_KEY_PEPPER, 16+ characters
    bootstrap_admin_key = "bootstrap-admin-key" # CF_BOOTSTRAP_ADMIN_KEY, "cf_" and 43 url-safe characters
    metrics_token       = "metrics-token"       # CF_METRICS_TOKEN, 16+ characters
    model_api_key       = "model-api-key"       # GEMINI_API_KEY or OPENAI_API_KEY (unused with vertex_ai)
    smoke_api_key       = "smoke-api-key"       # cloudbuild.yaml _SMOKE_KEY_SECRET: a key with jobs:read, jobs:write
  }
  # Secrets Terraform fills.
  managed_secrets = {
    redis_url = "redis-url"             # CF_REDIS_URL: rediss://:AUTH@HOST:PORT/0?ssl_ca_certs=...
    redis_ca  = "redis-ca"              # the Memorystore instance's server CA, mounted as a file
    scrape    = "metrics-scrape-config" # the collector's RunMonitoring: scrape the app's loopback metrics port
  }
}

# Automatic replication, Google-managed encryption keys.
resource "google_secret_manager_secret" "secret" {
  for_each = merge(local.operator_secrets, local.managed_secrets)

  secret_id = each.value

  replication {
    auto {}
  }

  depends_on = [google_project_service.enabled]
}

# The URL checks the server's certificate against the instance's own CA (ssl_ca_certs, a CA Memorystore makes for
# this instance alone, so it authenticates the instance); the host is dialled by IP address, which that certificate
# does not name, hence ssl_check_hostname=false. redis-py reads both from the URL's query.
resource "google_secret_manager_secret_version" "redis_url" {
  secret = google_secret_manager_secret.secret["redis_url"].id
  secret_data = format(
    "rediss://:%s@%s:%d/0?ssl_ca_certs=%s&ssl_check_hostname=false",
    urlencode(google_redis_instance.cache.auth_string),
    google_redis_instance.cache.host,
    google_redis_instance.cache.port,
    local.redis_ca_file,
  )
}

resource "google_secret_manager_secret_version" "redis_ca" {
  secret      = google_secret_manager_secret.secret["redis_ca"].id
  secret_data = join("\n", [for ca in google_redis_instance.cache.server_ca_certs : ca.cert])
}

# The metrics collector's configuration (RunMonitoring, read from /etc/rungmp/config.yaml): the app's
# loopback-only port (CF_METRICS_PORT), which serves /metrics without the token the service port requires.
resource "google_secret_manager_secret_version" "scrape" {
  secret = google_secret_manager_secret.secret["scrape"].id
  secret_data = yamlencode({
    apiVersion = "monitoring.googleapis.com/v1beta"
    kind       = "RunMonitoring"
    metadata   = { name = var.service }
    spec = {
      endpoints = [{ port = local.metrics_port, path = "/metrics", interval = "30s" }]
    }
  })
}
