# Memorystore for Redis: the artifact cache, the rate-limit windows and the single-flight locks shared by every
# instance (CF_CACHE=redis). AUTH and TLS are both on: the app connects with rediss://, the AUTH string and the
# instance's own server CA (mounted from Secret Manager, see run.tf).
resource "google_redis_instance" "cache" {
  name           = "${var.service}-cache"
  region         = var.region
  tier           = var.redis_tier
  memory_size_gb = var.redis_memory_gb
  redis_version  = var.redis_version

  authorized_network = google_compute_network.vpc.id
  connect_mode       = "DIRECT_PEERING"

  auth_enabled            = true
  transit_encryption_mode = "SERVER_AUTHENTICATION"

  redis_configs = {
    # Every key the app writes carries a TTL (cache entries, windows, locks): evict the least recently used.
    "maxmemory-policy" = "volatile-lru"
  }

  maintenance_policy {
    weekly_maintenance_window {
      day = "SUNDAY"
      start_time {
        hours   = 4
        minutes = 0
      }
    }
  }

  depends_on = [google_project_service.enabled]
}
