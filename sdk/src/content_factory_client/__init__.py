"""Content Factory's Python client: ``Client`` and ``AsyncClient``, typed models, safe retries, live progress.

The exceptions are drawn as a tree in ``content_factory_client._errors``; the retry rules are in
``content_factory_client._retry``; the models, and the server components they mirror, in ``.models``.
"""

from content_factory_client._async_client import AsyncClient, AsyncJobs, AsyncSources
from content_factory_client._client import Client, Jobs, Sources
from content_factory_client._clock import Clock, SystemClock
from content_factory_client._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadGatewayError,
    BadRequestError,
    ConflictError,
    ContentFactoryError,
    InternalServerError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitError,
    RetriesExhausted,
    ServiceUnavailableError,
    UnprocessableEntityError,
    UnsupportedMediaTypeError,
    WaitTimeout,
)
from content_factory_client._results import Download, GenerationResult
from content_factory_client._retry import RetryPolicy
from content_factory_client._version import VERSION
from content_factory_client.models import (
    Artifact,
    ArtifactState,
    ContentType,
    ContentTypeList,
    ErrorInfo,
    Evidence,
    GeneratedBy,
    Grounding,
    Job,
    JobChange,
    JobPage,
    JobRequest,
    JobSummary,
    Progress,
    Source,
    SourcePage,
    SourceSpan,
    Usage,
)

__version__ = VERSION

__all__ = [
    "VERSION",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "Artifact",
    "ArtifactState",
    "AsyncClient",
    "AsyncJobs",
    "AsyncSources",
    "AuthenticationError",
    "BadGatewayError",
    "BadRequestError",
    "Client",
    "Clock",
    "ConflictError",
    "ContentFactoryError",
    "ContentType",
    "ContentTypeList",
    "Download",
    "ErrorInfo",
    "Evidence",
    "GeneratedBy",
    "GenerationResult",
    "Grounding",
    "InternalServerError",
    "Job",
    "JobChange",
    "JobPage",
    "JobRequest",
    "JobSummary",
    "Jobs",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "Progress",
    "RateLimitError",
    "RetriesExhausted",
    "RetryPolicy",
    "ServiceUnavailableError",
    "Source",
    "SourcePage",
    "SourceSpan",
    "Sources",
    "SystemClock",
    "UnprocessableEntityError",
    "UnsupportedMediaTypeError",
    "Usage",
    "WaitTimeout",
    "__version__",
]
