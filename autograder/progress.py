"""A progress bar for the grade command: redrawn in place on a terminal, one line per
finished submission otherwise (logs, pipes, CI)."""
import sys


class ProgressBar:
    """Call `finished(line)` once per submission; `total` is how many there are."""

    width = 30

    def __init__(self, total, stream=sys.stderr):
        self.total, self.done, self.stream = total, 0, stream
        self.interactive = stream.isatty()

    def finished(self, line):
        self.done += 1
        if not self.interactive:
            print(f"[{self.done}/{self.total}] {line}", file=self.stream, flush=True)
            return
        filled = self.width * self.done // max(self.total, 1)
        bar = "#" * filled + "." * (self.width - filled)
        print(f"\r\033[K{line}\n[{bar}] {self.done}/{self.total}", end="", file=self.stream, flush=True)
        if self.done == self.total:
            print(file=self.stream)

    def message(self, line):
        """A line that is not about one submission (a warning, say)."""
        print(("\r\033[K" if self.interactive else "") + line, file=self.stream, flush=True)
