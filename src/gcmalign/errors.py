"""The one exception family that front ends turn into a one-line message."""


class GcmalignError(Exception):
    """An error the user can act on; its message names the file and the problem."""


class InputError(GcmalignError):
    """A document that cannot be read: empty, binary, undecodable, too large, malformed."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem
