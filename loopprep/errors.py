"""Errors that reach a user: each carries a message and a hint that says how to fix it."""

from __future__ import annotations


class LoopprepError(Exception):
    """A problem the user can act on.  Adapters show ``message`` and ``hint``, never a traceback."""

    status_code = 400

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class NotFound(LoopprepError):
    status_code = 404


class InvalidInput(LoopprepError):
    """Bad user input; ``field`` names the offending field when there is one."""

    status_code = 422

    def __init__(
        self,
        message: str,
        hint: str = "",
        *,
        field: str | None = None,
        fields: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message, hint)
        self.field = field
        self.fields = fields or ({field: message} if field else {})


class ContentError(LoopprepError):
    """A content file that breaks its schema: names the file, the entry and the field."""

    def __init__(self, problems: list[ContentProblem]) -> None:
        self.problems = problems
        lines = "\n".join(str(p) for p in problems)
        super().__init__(
            f"{len(problems)} problem(s) in the content files:\n{lines}",
            "Fix the fields named above; `loopprep content check` re-checks them.",
        )


class ContentProblem:
    def __init__(self, file: str, entry: str | None, field: str | None, message: str) -> None:
        self.file = file
        self.entry = entry
        self.field = field
        self.message = message

    def __str__(self) -> str:
        where = self.file
        if self.entry:
            where += f", entry '{self.entry}'"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, str | None]:
        return {"file": self.file, "entry": self.entry, "field": self.field, "message": self.message}


class DatabaseTooNew(LoopprepError):
    status_code = 500


class BackupError(LoopprepError):
    status_code = 422
