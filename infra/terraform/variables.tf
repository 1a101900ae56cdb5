# Inputs. Only project_id has no default; everything else fits a first production deployment.

variable "project_id" {
  description = "The Google Cloud project to deploy into (an empty project is enough)."
  type        = string
}

variable "region" {
  description = "Region of the Cloud Run service, queue, Memorystore, bucket, repository and Firestore database (cloudbuild.yaml _REGION)."
  type        = string
  default     = "us-central1"
}

variable "service" {
  description = "Name of the Cloud Run service and of the Artifact Registry repository (cloudbuild.yaml _SERVICE and _REPOSITORY)."
  type        = string
  default     = "content-factory"
}

variable "image" {
  description = "Container image of the first revision. Cloud Build deploys every later revision (run.tf ignores image changes), so a public placeholder is enough for the first apply."
  type        = string
  default     = "us-docker.pkg.dev/cloudrun/container/hello"
}

variable "min_instances" {
  description = "Instances kept warm (0 lets the service scale to zero)."
  type        = number
  default     = 0
}

variable "max_instances" {
  description = "Upper bound on instances: caps cost, Firestore and Memorystore connections."
  type        = number
  default     = 10
}

variable "concurrency" {
  description = "Requests one instance serves at once (max_instance_request_concurrency); event streams count."
  type        = number
  default     = 80

  validation {
    condition     = var.concurrency >= 1 && var.concurrency <= 1000
    error_message = "concurrency must be between 1 and 1000."
  }
}

variable "cpu" {
  description = "CPU limit of the app container."
  type        = string
  default     = "1"
}

variable "memory" {
  description = "Memory limit of the app container (PDF extraction and audio encoding need room)."
  type        = string
  default     = "1Gi"
}

variable "ingress" {
  description = "Cloud Run ingress: INGRESS_TRAFFIC_ALL (default; Cloud Tasks and Cloud Scheduler call the run.app URL), INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER behind a load balancer."
  type        = string
  default     = "INGRESS_TRAFFIC_ALL"

  validation {
    condition     = contains(["INGRESS_TRAFFIC_ALL", "INGRESS_TRAFFIC_INTERNAL_ONLY", "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"], var.ingress)
    error_message = "ingress must be INGRESS_TRAFFIC_ALL, INGRESS_TRAFFIC_INTERNAL_ONLY or INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER."
  }
}

variable "public" {
  description = "Grant allUsers roles/run.invoker on the service, so browsers and API clients reach it with API keys alone. false: Cloud Run IAM admits only callers with an ID token of a principal holding run.invoker."
  type        = bool
  default     = false
}

variable "vertex_ai" {
  description = "Reach Gemini through Vertex AI (GOOGLE_GENAI_USE_VERTEXAI=true): enables aiplatform.googleapis.com and grants the runtime roles/aiplatform.user; no model API key is read."
  type        = bool
  default     = false
}

variable "llm_provider" {
  description = "CF_LLM_PROVIDER: extractive (offline engine, no key), gemini or openai."
  type        = string
  default     = "gemini"

  validation {
    condition     = contains(["extractive", "gemini", "openai"], var.llm_provider)
    error_message = "llm_provider must be extractive, gemini or openai."
  }
}

variable "speech" {
  description = "CF_SPEECH: cloud (Cloud Text-to-Speech), espeak or off."
  type        = string
  default     = "cloud"

  validation {
    condition     = contains(["cloud", "espeak", "off"], var.speech)
    error_message = "speech must be cloud, espeak or off."
  }
}

variable "cors_origins" {
  description = "CF_CORS_ORIGINS: browser origins allowed to call the API."
  type        = list(string)
  default     = []
}

variable "extra_env" {
  description = "More plain environment variables of the app container (CF_* settings not set here, such as CF_RATE_LIMIT_PER_KEY)."
  type        = map(string)
  default     = {}
}

variable "step_timeout_seconds" {
  description = "CF_STEP_TIMEOUT_SECONDS: one attempt at a step; must stay below task_dispatch_deadline_seconds."
  type        = number
  default     = 600
}

variable "task_dispatch_deadline_seconds" {
  description = "CF_TASK_DISPATCH_DEADLINE_SECONDS: how long Cloud Tasks waits for a step's request; also the Cloud Run request timeout."
  type        = number
  default     = 900

  validation {
    condition     = var.task_dispatch_deadline_seconds >= 15 && var.task_dispatch_deadline_seconds <= 1800
    error_message = "task_dispatch_deadline_seconds must be between 15 and 1800 (Cloud Tasks' limit for HTTP targets)."
  }
}

variable "shutdown_grace_seconds" {
  description = "CF_SHUTDOWN_GRACE_SECONDS: after SIGTERM, how long steps in flight get before they are handed back. Cloud Run kills the container 10 s after SIGTERM, so keep it below 10."
  type        = number
  default     = 7

  validation {
    condition     = var.shutdown_grace_seconds >= 0 && var.shutdown_grace_seconds <= 9
    error_message = "shutdown_grace_seconds must be between 0 and 9: Cloud Run sends SIGKILL 10 s after SIGTERM."
  }
}

variable "deletion_protection" {
  description = "Refuse to destroy the Cloud Run service, the bucket's contents and the Memorystore instance by accident."
  type        = bool
  default     = true
}

variable "network_cidr" {
  description = "Range of the subnet Cloud Run instances take addresses from (Direct VPC egress; /26 at least, /24 leaves room for scaling)."
  type        = string
  default     = "10.8.0.0/24"
}

variable "redis_tier" {
  description = "Memorystore tier: BASIC (one node) or STANDARD_HA (a replica with automatic failover)."
  type        = string
  default     = "STANDARD_HA"

  validation {
    condition     = contains(["BASIC", "STANDARD_HA"], var.redis_tier)
    error_message = "redis_tier must be BASIC or STANDARD_HA."
  }
}

variable "redis_memory_gb" {
  description = "Memorystore capacity in GiB (the artifact cache, rate-limit windows, single-flight locks)."
  type        = number
  default     = 1
}

variable "redis_version" {
  description = "Memorystore Redis version."
  type        = string
  default     = "REDIS_7_2"
}

variable "exports_retention_days" {
  description = "Days an object under exports/ (rendered downloads and podcast audio, re-made on request) is kept."
  type        = number
  default     = 30
}

variable "noncurrent_retention_days" {
  description = "Days a replaced or deleted object version stays recoverable (bucket versioning)."
  type        = number
  default     = 7
}

variable "events_subscription" {
  description = "Create a pull subscription, with message ordering, on the job events topic."
  type        = bool
  default     = false
}

variable "metrics_sidecar_image" {
  description = "The Managed Service for Prometheus collector run beside the app (scrapes /metrics on port 8080 and writes to Cloud Monitoring)."
  type        = string
  default     = "us-docker.pkg.dev/cloud-ops-agents-artifacts/cloud-run-gmp-sidecar/cloud-run-gmp-sidecar:1.2.0"
}

variable "paging_webhook_url" {
  description = "Webhook (token in the URL) that pages someone for severity=page alerts; empty: no paging channel."
  type        = string
  default     = ""
  sensitive   = true
}

variable "alert_email" {
  description = "Address that receives every alert (page and ticket); empty: no email channel."
  type        = string
  default     = ""
}
