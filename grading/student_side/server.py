"""In the student's kernel: answer the judge's questions about the notebook's names, for one test cell.

At each test cell the grader runs ``serve(globals(), path)`` in the kernel instead of the test. The
judge, outside the sandbox, runs the instructor's test and sends here every question it has: the value
of a name, an attribute of an object, a call of a student's function with the test's arguments. Each
answer goes back through the codec (codec.py): plain data as such, any other object as a handle that
the judge can ask about in turn. This runs student code and is student code's to change; the judge
relies on none of it, only on the strict decoding of what comes back.
"""

from __future__ import annotations

import itertools
import operator
import socket

import msgpack

from .. import codec

OPERATORS = {
    name: getattr(operator, name)
    for name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "neg", "pos", "abs", "invert")
}


def serve(namespace: dict, path: str) -> None:
    """Connect to the judge at ``path`` and answer its requests until it says it is done."""
    objects: dict[int, object] = {}

    def keep(value) -> int:
        objects[len(objects)] = value
        return len(objects) - 1

    channel = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    channel.connect(path)
    with channel:
        while True:
            try:
                request = msgpack.unpackb(codec.receive_frame(channel), raw=False)
            except codec.BoundaryError:  # the judge closed the channel
                return
            if request[0] == "done":
                return
            try:
                reply = ["ok", answer(request, namespace, objects)]
            except KeyboardInterrupt:
                raise
            except BaseException as error:  # noqa: BLE001 (the student's code failed: tell the judge what it raised)
                reply = ["error", type(error).__name__, message(error)]
            try:
                data = codec.encode(reply, keep)
            except Exception as error:  # noqa: BLE001
                data = codec.encode(["refused", f"the answer could not be encoded: {type(error).__name__}"], keep)
            codec.send_frame(channel, data)


def answer(request: list, namespace: dict, objects: dict):
    """What one request asks for; see remote.Remote for the questions the judge asks."""
    op = request[0]
    if op == "get":
        if request[1] not in namespace:
            raise NameError(request[1])
        return namespace[request[1]]
    target = objects[request[1]]
    arguments = codec.unpack_arguments(request[-1], objects) if isinstance(request[-1], bytes) else None
    if op == "getattr":
        return getattr(target, request[2])
    if op == "setattr":
        return setattr(target, request[2], arguments)
    if op == "call":
        args, kwargs = arguments
        return target(*args, **kwargs)
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
    conversions = {"len": len, "bool": bool, "float": float, "int": int, "index": operator.index, "complex": complex,
                   "repr": repr, "str": str}  # fmt: skip
    if op == "format":
        return format(target, request[2])
    return conversions[op](target)


def message(error: BaseException) -> str:
    try:
        return str(error)[:2000]
    except BaseException:  # noqa: BLE001 (an exception whose message itself fails)
        return "(no message)"
