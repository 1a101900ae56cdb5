# A VPC of its own: Cloud Run instances get addresses in the subnet (Direct VPC egress, no connector) and reach
# Memorystore over its peering; every other destination leaves as before (egress PRIVATE_RANGES_ONLY).
resource "google_compute_network" "vpc" {
  name                    = "${var.service}-vpc"
  auto_create_subnetworks = false
  routing_mode            = "REGIONAL"

  depends_on = [google_project_service.enabled]
}

resource "google_compute_subnetwork" "run" {
  name                     = "${var.service}-run"
  region                   = var.region
  network                  = google_compute_network.vpc.id
  ip_cidr_range            = var.network_cidr
  private_ip_google_access = true # Google APIs stay reachable from the subnet's addresses

  log_config {
    aggregation_interval = "INTERVAL_10_MIN"
    flow_sampling        = 0.5
    metadata             = "INCLUDE_ALL_METADATA"
  }
}

# Nothing calls in: Cloud Run instances only open connections (to Memorystore), whose replies the firewall lets
# back as part of the connection. Written out so the network's ingress policy is explicit, with its denials logged.
resource "google_compute_firewall" "deny_ingress" {
  name      = "${var.service}-deny-ingress"
  network   = google_compute_network.vpc.id
  direction = "INGRESS"
  priority  = 65534

  deny {
    protocol = "all"
  }

  source_ranges = ["0.0.0.0/0"]

  log_config {
    metadata = "INCLUDE_ALL_METADATA"
  }
}
