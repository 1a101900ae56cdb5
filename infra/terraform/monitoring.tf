# Alerting in Cloud Monitoring, on the series Managed Service for Prometheus collects (the collector in run.tf).
# Every rule of infra/prometheus/alerts.yml becomes an alert policy with the same PromQL expression, duration and
# severity: severity=page notifies the paging webhook and the email channel, severity=ticket the email channel.
resource "google_monitoring_notification_channel" "paging" {
  count = nonsensitive(var.paging_webhook_url != "") ? 1 : 0

  display_name = "Content Factory paging"
  type         = "webhook_tokenauth"
  labels = {
    url = var.paging_webhook_url
  }

  depends_on = [google_project_service.enabled]
}

resource "google_monitoring_notification_channel" "email" {
  count = var.alert_email != "" ? 1 : 0

  display_name = "Content Factory alerts"
  type         = "email"
  labels = {
    email_address = var.alert_email
  }

  depends_on = [google_project_service.enabled]
}

locals {
  alert_groups = yamldecode(file("${path.module}/../prometheus/alerts.yml")).groups

  alert_rules = {
    for rule in flatten([
      for group in local.alert_groups : [
        for item in group.rules : merge(item, { group = group.name }) if can(item.alert) # recording rules have none
      ]
    ]) : rule.alert => rule
  }

  # A Prometheus duration ("5m") in seconds, as Cloud Monitoring writes durations ("300s").
  duration_units = { s = 1, m = 60, h = 3600, d = 86400 }

  paging_channels = concat(google_monitoring_notification_channel.paging[*].id, google_monitoring_notification_channel.email[*].id)
  ticket_channels = google_monitoring_notification_channel.email[*].id
}

resource "google_monitoring_alert_policy" "prometheus" {
  for_each = local.alert_rules

  display_name = each.key
  combiner     = "OR"
  severity     = each.value.labels.severity == "page" ? "CRITICAL" : "WARNING"

  conditions {
    display_name = each.key
    condition_prometheus_query_language {
      query = trimspace(each.value.expr)
      duration = format("%ds",
        tonumber(regex("^([0-9]+)([smhd])$", try(each.value["for"], "0s"))[0]) *
        local.duration_units[regex("^([0-9]+)([smhd])$", try(each.value["for"], "0s"))[1]]
      )
      evaluation_interval = "60s"
      rule_group          = each.value.group
      alert_rule          = each.key
      labels              = { severity = each.value.labels.severity }
    }
  }

  notification_channels = each.value.labels.severity == "page" ? local.paging_channels : local.ticket_channels

  alert_strategy {
    auto_close = "1800s"
  }

  documentation {
    mime_type = "text/markdown"
    subject   = each.value.annotations.summary
    content   = "${each.value.annotations.description}\n\nRunbook: ${each.value.annotations.runbook_url}"
  }

  user_labels = {
    severity = each.value.labels.severity
    service  = var.service
  }

  depends_on = [google_project_service.enabled]
}
