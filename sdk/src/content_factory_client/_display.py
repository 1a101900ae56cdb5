"""The command line's progress: a rich progress bar on a terminal, else one plain line per change on stderr
(``flashcards succeeded (3/9)``), so logs and pipes get text they can read."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from content_factory_client.models import JobChange


class ProgressDisplay:
    """An ``on_progress`` callback; use it as a context manager around the wait."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        self._last: JobChange | None = None

    def __enter__(self) -> ProgressDisplay:
        if self._console.is_terminal:
            self._bar = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self._console,
            )
            self._bar.start()
            self._task = self._bar.add_task("queued", total=None)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.stop()

    def __call__(self, change: JobChange) -> None:
        if self._bar is not None and self._task is not None:
            working = [name for name, status in change.artifacts.items() if status == "running"]
            description = f"{change.status}: {', '.join(working)}" if working else change.status
            self._bar.update(
                self._task, description=description, completed=change.progress.done, total=change.progress.total
            )
        else:
            for line in _lines(self._last, change):
                self._console.print(line, markup=False, highlight=False, soft_wrap=True)
        self._last = change


def _lines(before: JobChange | None, change: JobChange) -> list[str]:
    count = f"({change.progress.done}/{change.progress.total})"
    lines = []
    if before is not None:
        lines += [
            f"{name} {status} {count}"
            for name, status in change.artifacts.items()
            if before.artifacts.get(name) != status
        ]
    if before is None or before.status != change.status:
        lines.append(f"job {change.status} {count}")
    return lines
