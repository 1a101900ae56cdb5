# The Firestore database (CF_STORE=firestore) and its indexes. The composite indexes, the single-field exemptions
# and the TTL policy are generated from infra/firestore/firestore.indexes.json, the file `firebase deploy --only
# firestore:indexes` reads too, so the two ways of deploying them cannot drift.
resource "google_firestore_database" "main" {
  name        = "(default)"
  location_id = var.region
  type        = "FIRESTORE_NATIVE"

  point_in_time_recovery_enablement = "POINT_IN_TIME_RECOVERY_ENABLED"
  delete_protection_state           = "DELETE_PROTECTION_ENABLED"
  deletion_policy                   = "ABANDON" # terraform destroy leaves the data where it is

  depends_on = [google_project_service.enabled]
}

locals {
  firestore_json = jsondecode(file("${path.module}/../firestore/firestore.indexes.json"))

  # Every field as one shape: its path, and its order or its array config (the other null).
  firestore_index_fields = [
    for index in local.firestore_json.indexes : [
      for f in index.fields : {
        path         = f.fieldPath
        order        = try(f.order, null)
        array_config = try(f.arrayConfig, null)
      }
    ]
  ]

  # Firestore ends every composite index with __name__, in the direction of the last field (ASCENDING after an
  # array field), when the index does not name it; it is added here the same way, so that the plan matches what
  # the server reports.
  firestore_indexes = {
    for i, index in local.firestore_json.indexes :
    join(":", concat([index.collectionGroup, index.queryScope], [for f in local.firestore_index_fields[i] : "${f.path}.${coalesce(f.order, f.array_config)}"])) => {
      collection  = index.collectionGroup
      query_scope = index.queryScope
      fields = concat(
        local.firestore_index_fields[i],
        local.firestore_index_fields[i][length(index.fields) - 1].path == "__name__" ? [] : [{
          path         = "__name__"
          order        = coalesce(local.firestore_index_fields[i][length(index.fields) - 1].order, "ASCENDING")
          array_config = null
        }],
      )
    }
  }

  firestore_fields = {
    for field in local.firestore_json.fieldOverrides :
    "${field.collectionGroup}:${field.fieldPath}" => {
      collection = field.collectionGroup
      field      = field.fieldPath
      ttl        = try(field.ttl, false)
      indexes = [for index in try(field.indexes, []) : {
        query_scope  = try(index.queryScope, "COLLECTION")
        order        = try(index.order, null)
        array_config = try(index.arrayConfig, null)
      }]
    }
  }
}

resource "google_firestore_index" "composite" {
  for_each = local.firestore_indexes

  database    = google_firestore_database.main.name
  collection  = each.value.collection
  query_scope = each.value.query_scope

  dynamic "fields" {
    for_each = each.value.fields
    content {
      field_path   = fields.value.path
      order        = fields.value.order
      array_config = fields.value.array_config
    }
  }
}

# Single-field overrides: an empty "indexes" list switches the field's automatic indexes off (large values such
# as a job's request or an artifact's content are never queried); "ttl": true makes it the collection's TTL field.
resource "google_firestore_field" "override" {
  for_each = local.firestore_fields

  database   = google_firestore_database.main.name
  collection = each.value.collection
  field      = each.value.field

  index_config {
    dynamic "indexes" {
      for_each = each.value.indexes
      content {
        query_scope  = indexes.value.query_scope
        order        = indexes.value.order
        array_config = indexes.value.array_config
      }
    }
  }

  dynamic "ttl_config" {
    for_each = each.value.ttl ? [1] : []
    content {}
  }
}
