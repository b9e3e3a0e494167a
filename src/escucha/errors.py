"""One exception tree for escucha, each with a stable code.

    EscuchaError                 code
    ├── ConfigError              config_invalid
    ├── ValidationError          invalid_input      (record + field + reason)
    ├── MappingError             mapping_invalid
    ├── PipelineError            pipeline_invalid
    ├── ModelError               model_unavailable
    ├── MissingExtraError        missing_extra      (names the extra to install)
    ├── StoreError               store_error
    │   └── WorkspaceBusyError   workspace_busy
    ├── NotFoundError            not_found
    └── ConflictError            conflict

The REST API turns these into HTTP errors in one place; the CLI prints ``message``.
"""

from __future__ import annotations


class EscuchaError(Exception):
    """Base class of every error escucha raises on purpose."""

    code = "escucha_error"
    http_status = 500

    def __init__(self, message: str, *, field: str | None = None, record: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.record = record

    def to_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "field": self.field, "record": self.record}


class ConfigError(EscuchaError):
    code = "config_invalid"
    http_status = 400


class ValidationError(EscuchaError):
    """A record failed validation; ``record`` and ``field`` say where."""

    code = "invalid_input"
    http_status = 422


class MappingError(EscuchaError):
    code = "mapping_invalid"
    http_status = 400


class PipelineError(EscuchaError):
    code = "pipeline_invalid"
    http_status = 400


class ModelError(EscuchaError):
    code = "model_unavailable"
    http_status = 503


class MissingExtraError(EscuchaError):
    """An optional dependency is missing; the message names the extra to install."""

    code = "missing_extra"
    http_status = 501

    def __init__(self, package: str, extra: str, feature: str):
        super().__init__(
            f"{feature} needs the package '{package}': install it with "
            f"pip install 'escucha[{extra}]'"
        )
        self.package = package
        self.extra = extra


class StoreError(EscuchaError):
    code = "store_error"
    http_status = 500


class WorkspaceBusyError(StoreError):
    code = "workspace_busy"
    http_status = 503


class NotFoundError(EscuchaError):
    code = "not_found"
    http_status = 404


class ConflictError(EscuchaError):
    """The change would break an invariant (e.g. removing the last admin)."""

    code = "conflict"
    http_status = 409
