"""In the student's kernel: answer the judge's questions about the notebook's names, for one test cell.

At each test cell the grader runs ``serve(globals(), path)`` in the kernel instead of the test. The
judge, outside the sandbox, runs the instructor's test and sends here every question it has: the value
of a name, an attribute of an object, a call of a student's function with the test's arguments. Each
answer goes back through the codec (codec.py): plain data as such, any other object as a handle that
the judge can ask about in turn. A function or object of the test's own (a callback passed to the
student's function) arrives as a ``JudgeObject``; using it asks the judge, which answers from there.
This runs student code and is student code's to change; the judge relies on none of it, only on the
strict decoding of what comes back.
"""

from __future__ import annotations

import itertools
import operator
import pickle
import socket

import msgpack

from .. import codec

OPERATORS = {
    name: getattr(operator, name)
    for name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "neg", "pos", "abs", "invert")
}
CONVERSIONS = {"len": len, "bool": bool, "float": float, "int": int, "index": operator.index, "complex": complex, "repr": repr, "str": str}


def serve(namespace: dict, path: str) -> None:
    """Connect to the judge at ``path`` and answer its requests until it says it is done."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as channel:
        channel.connect(path)
        Session(channel, namespace).run()


class Session:
    """One test's conversation with the judge: the objects handed out so far, by number."""

    def __init__(self, channel: socket.socket, namespace: dict):
        self.channel, self.namespace = channel, namespace
        self.objects: dict[int, object] = {}

    def keep(self, value) -> int:
        self.objects[len(self.objects)] = value
        return len(self.objects) - 1

    def send(self, message: list) -> None:
        try:
            data = codec.encode(message, self.keep)
        except Exception as error:  # noqa: BLE001
            data = codec.encode(["refused", f"the answer could not be encoded: {type(error).__name__}"], self.keep)
        codec.send_frame(self.channel, data)

    def run(self) -> None:
        """Answer requests until the judge is done; a reply to a callback ends the wait for it."""
        while True:
            try:
                message = msgpack.unpackb(codec.receive_frame(self.channel), raw=False)
            except codec.BoundaryError:  # the judge closed the channel
                return None
            if message[0] == "done":
                return None
            if message[0] in ("result", "error"):
                return message
            try:
                reply = ["ok", *self.answer(message)] if message[0] == "call" else ["ok", self.answer(message)]
            except KeyboardInterrupt:
                raise
            except BaseException as error:  # noqa: BLE001 (the student's code failed: tell the judge what it raised)
                reply = ["error", type(error).__name__, message_of(error)]
            self.send(reply)

    def load(self, name):
        """pickle's persistent_load: ['handle', n] is one of ours, ['judge', n] one of the test's."""
        kind, key = name
        return self.objects[key] if kind == "handle" else JudgeObject(self, key)

    def answer(self, request: list):
        """What one request asks for; see remote.Remote for the questions the judge asks."""
        op = request[0]
        if op == "get":
            if request[1] not in self.namespace:
                raise NameError(request[1])
            return self.namespace[request[1]]
        target = self.objects[request[1]]
        arguments = codec.unpack_arguments(request[-1], self.load) if isinstance(request[-1], bytes) else None
        if op == "getattr":
            return getattr(target, request[2])
        if op == "setattr":
            return setattr(target, request[2], arguments)
        if op == "call":
            return self.call(target, *arguments)
        if op == "getitem":
            return target[arguments]
        if op == "setitem":
            key, value = arguments
            target[key] = value
            return None
        if op == "iter":
            items = list(itertools.islice(iter(target), codec.MAX_ITEMS + 1))
            if len(items) > codec.MAX_ITEMS:
                raise ValueError(f"more than {codec.MAX_ITEMS} items")
            return items
        if op == "operator":
            function = OPERATORS[request[2]]
            if arguments is None:
                return function(target)
            other, reflected = arguments
            return function(other, target) if reflected else function(target, other)
        if op == "array":
            import numpy as np

            return np.asarray(target)
        if op == "format":
            return format(target, request[2])
        return CONVERSIONS[op](target)

    def call(self, target, args, kwargs) -> tuple:
        """Call a student's function: its result, and the arguments it changed in place ([position or
        name, value]), which the judge writes back into its own copies, as they would change in a kernel."""
        given = list(enumerate(args)) + list(kwargs.items())
        before = {key: snapshot(value) for key, value in given}
        result = target(*args, **kwargs)
        changed = [[key, value] for key, value in given if before[key] is not None and snapshot(value) != before[key]]
        return result, changed

    def ask_judge(self, key: int, op: str, payload):
        """Use one of the test's objects: the judge answers, and may ask questions of its own meanwhile."""
        self.send(["callback", key, op, payload])
        reply = self.run()
        if reply is None:
            raise ConnectionError("the judge closed the channel")
        if reply[0] == "error":
            raise RuntimeError(f"{reply[1]}: {reply[2]}")
        return codec.unpack_arguments(reply[1], self.load)


class JudgeObject:
    """A function or object of the test's own: it stays in the judge, and using it asks there."""

    __slots__ = ("_session", "_key")

    def __init__(self, session: Session, key: int):
        object.__setattr__(self, "_session", session)
        object.__setattr__(self, "_key", key)

    def __call__(self, *args, **kwargs):
        return self._session.ask_judge(self._key, "call", (args, kwargs))

    def __getattr__(self, name: str):
        if name.startswith("_"):  # the judge answers only public names; pickle and copy probe these
            raise AttributeError(name)
        return self._session.ask_judge(self._key, "getattr", name)


def snapshot(value) -> bytes | None:
    """The contents of an argument that a function could change in place (plain data), else None."""
    if type(value) not in (list, dict, set) and not (codec.is_data_type(type(value)) and hasattr(value, "shape")):
        return None
    try:
        return pickle.dumps(value)
    except Exception:  # noqa: BLE001 (holds something that cannot be copied: not plain data)
        return None


def message_of(error: BaseException) -> str:
    try:
        return str(error)[:2000]
    except BaseException:  # noqa: BLE001 (an exception whose message itself fails)
        return "(no message)"
