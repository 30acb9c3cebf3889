"""The judge's end of the channel to a student's kernel, and proxies for objects that stay there.

Every question a test asks about the student's work (a name's value, an attribute, a call) goes
through ``Channel.ask`` and its answer through the strict decoder (codec.py): plain data comes back
as genuine library objects; anything else as a ``Remote``, a proxy that forwards only questions
about the student's own object. A proxy never answers a comparison: ``==`` or ``<`` on it would let
student code see the expected value and say "equal", so they raise a BoundaryError that fails the
test with its reason; conversions to plain data (``np.asarray``, ``float``, ``len``, iteration) are
the way to compare. Names starting with ``_`` are never forwarded, so numpy's and pandas' protocol
probes (``__array_interface__``, ``_typ``) cannot be answered by student code.
"""

from __future__ import annotations

import builtins
import importlib
import socket
import sys

import msgpack

from . import codec
from .codec import BoundaryError

TEST_MODULE = "__test__"  # the module name of a test cell's code: what it defines is never sent
# Student exceptions that tests may rely on come back as these genuine classes; others as StudentError.
BUILTIN_ERRORS = {
    name: kind for name, kind in vars(builtins).items() if isinstance(kind, type) and issubclass(kind, Exception)
}


class StudentError(Exception):
    """An exception of a class of the student's own, raised in the student's process."""


class Channel:
    """One test's connection to the student's kernel: accepted on first use, closed when the test ends.

    The test's own functions and objects that it passes to student code (a loss function, a stand-in
    estimator) are ``exported``: they stay here, and student code that uses them sends a callback,
    answered here while the judge waits for its reply. Only their public attributes are readable."""

    def __init__(self, listener: socket.socket, timeout: float, libraries: set[str]):
        self.listener, self.timeout, self.libraries = listener, timeout, libraries
        self.connection: socket.socket | None = None
        self.refusals: list[str] = []
        self.exported: list = []

    def ask(self, *request):
        return self.exchange(*request)[1]

    def exchange(self, *request) -> list:
        """Send a request and return its reply (["ok", value, ...]), answering callbacks meanwhile."""
        self.send(list(request))
        while True:
            reply = self.receive()
            if not (isinstance(reply, list) and len(reply) == 4 and reply[0] == "callback"):
                return self.reply(reply)
            self.send(self.callback(*reply[1:]))

    def call(self, key: int, args: tuple, kwargs: dict):
        """Call a student's function; arguments it changed in place are changed here too."""
        reply = self.exchange("call", key, self.arguments((args, kwargs)))
        changed = reply[2] if len(reply) == 3 and isinstance(reply[2], list) else []
        for entry in changed:
            if isinstance(entry, list) and len(entry) == 2:
                where, value = entry
                original = args[where] if type(where) is int and 0 <= where < len(args) else kwargs.get(where) if type(where) is str else None
                write_back(original, value)
        return reply[1]

    def send(self, message: list) -> None:
        if self.connection is None:
            self.listener.settimeout(self.timeout)
            try:
                self.connection, _ = self.listener.accept()
            except OSError:
                raise self.refuse(f"the student's kernel did not connect within {self.timeout:g} s") from None
            self.connection.settimeout(self.timeout)
        try:
            codec.send_frame(self.connection, msgpack.packb(message, use_bin_type=True))
        except OSError as error:
            raise self.refuse(f"the channel to the student's kernel failed: {error.strerror}") from None

    def receive(self):
        try:
            return codec.decode(codec.receive_frame(self.connection), self.handle)
        except TimeoutError:
            raise self.refuse(f"the student's kernel did not answer within {self.timeout:g} s") from None
        except OSError as error:
            raise self.refuse(f"the channel to the student's kernel failed: {error.strerror}") from None
        except BoundaryError as error:
            raise self.refuse(str(error)) from None

    def callback(self, key, op, payload) -> list:
        """Student code uses one of the test's exported objects: the result, or the error it raised."""
        try:
            if type(key) is not int or not 0 <= key < len(self.exported):
                raise BoundaryError("a callback to an unknown object")
            target = self.exported[key]
            if op == "call" and isinstance(payload, (list, tuple)) and len(payload) == 2 and isinstance(payload[1], dict):
                result = target(*payload[0], **payload[1])
            elif op == "getattr" and type(payload) is str and not payload.startswith("_"):
                result = getattr(target, payload)
            else:
                raise BoundaryError(f"a callback the judge does not answer ({op!r})")
            return ["result", self.arguments(result)]
        except Exception as error:  # noqa: BLE001 (student code gets the test's error, as it would in a kernel)
            return ["error", type(error).__name__, str(error)[:500]]

    def reply(self, reply):
        if isinstance(reply, list) and len(reply) in (2, 3) and reply[0] == "ok":
            return reply
        if isinstance(reply, list) and len(reply) == 3 and reply[0] == "error" and all(type(r) is str for r in reply[1:]):
            raise student_exception(reply[1], reply[2])
        if isinstance(reply, list) and len(reply) == 2 and reply[0] == "refused" and type(reply[1]) is str:
            raise self.refuse(reply[1][:300])
        raise self.refuse("the student's kernel sent a malformed answer")

    def refuse(self, reason: str) -> BoundaryError:
        self.refusals.append(reason)
        return BoundaryError(reason)

    def arguments(self, value) -> bytes:
        return codec.pack_arguments(value, self.handle_id)

    def handle_id(self, value):
        """pickle's persistent_id: the student's own objects go back by number, the test's own
        functions and objects are exported; everything else is copied."""
        if type(value) is Remote:
            if object.__getattribute__(value, "_channel") is not self:
                raise BoundaryError("an object of another test's student process")
            return ("handle", object.__getattribute__(value, "_key"))
        if getattr(value, "__module__", None) == TEST_MODULE or type(value).__module__ == TEST_MODULE:
            self.exported.append(value)
            return ("judge", len(self.exported) - 1)
        return None

    def handle(self, key: int, module: str, qualname: str, library: bool):
        """A library object names itself: the judge's own copy is used when it is one of the lab's
        libraries. Any other object stays in the student's process behind a proxy."""
        if library:
            genuine = self.library_object(module, qualname, may_import=True)
            if genuine is not None:
                return genuine
        claimed = None if library else self.library_object(module, qualname, may_import=False)
        return Remote(self, key, claimed if isinstance(claimed, type) else None)

    def library_object(self, module: str, qualname: str, may_import: bool):
        if module.split(".")[0] not in self.libraries:
            return None
        try:
            found = importlib.import_module(module) if may_import else sys.modules.get(module)
            for part in qualname.split(".") if qualname else []:
                found = getattr(found, part)
        except (ImportError, AttributeError, ValueError):
            return None
        return found

    def close(self) -> None:
        if self.connection is not None:
            try:
                codec.send_frame(self.connection, msgpack.packb(["done"]))
            except OSError:
                pass
            self.connection.close()


def write_back(original, new) -> None:
    """Give ``original`` (the test's own argument) the contents the student's function left in its copy,
    where both are the same kind of plain data; anything else is left as it was. Rows a function dropped
    or added in place (``dropna(inplace=True)``) are dropped or added here too."""
    import numpy as np
    import pandas as pd

    kind = type(original)
    if kind is not type(new):
        return
    if kind is np.ndarray and original.shape == new.shape:
        original[...] = new
    elif kind is list:
        original[:] = new
    elif kind in (dict, set):
        original.clear()
        original.update(new)
    elif kind in (pd.Series, pd.DataFrame):
        if kind is pd.DataFrame:  # columns first, so that the rows below have the new frame's columns
            for column in [c for c in original.columns if c not in new.columns]:
                del original[column]
            for column in [c for c in new.columns if c not in original.columns]:
                original[column] = np.nan
        if not original.index.equals(new.index) and original.index.is_unique and new.index.is_unique:
            original.drop(index=original.index.difference(new.index), inplace=True)
            for label in new.index.difference(original.index):
                original.loc[label] = new.loc[label] if kind is pd.Series else new.loc[label, original.columns].to_numpy()
        if len(original) != len(new):
            return
        original.index = new.index
        if kind is pd.Series:
            original[:] = new.to_numpy()
        else:
            for column in new.columns:
                original[column] = new[column].to_numpy()


def student_exception(name: str, text: str) -> Exception:
    kind = BUILTIN_ERRORS.get(name)
    return kind(text) if kind is not None else StudentError(f"{name}: {text}")


def _typed(value, kinds, what: str):
    if type(value) not in kinds:
        raise BoundaryError(f"the student's object gave {type(value).__name__} for {what}")
    return value


class Remote:
    """An object that stays in the student's process; see the module docstring for what it forwards."""

    __slots__ = ("_channel", "_key", "_claimed", "__weakref__")

    def __init__(self, channel: Channel, key: int, claimed: type | None):
        object.__setattr__(self, "_channel", channel)
        object.__setattr__(self, "_key", key)
        object.__setattr__(self, "_claimed", claimed)

    @property
    def __class__(self):  # isinstance(proxy, Structure) holds for a Structure that stayed behind
        return object.__getattribute__(self, "_claimed") or Remote

    def _ask(self, op: str, *rest):
        return object.__getattribute__(self, "_channel").ask(op, object.__getattribute__(self, "_key"), *rest)

    def _pack(self, value) -> bytes:
        return object.__getattribute__(self, "_channel").arguments(value)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return self._ask("getattr", name)

    def __setattr__(self, name: str, value) -> None:
        if name.startswith("_"):
            raise AttributeError(name)
        self._ask("setattr", name, self._pack(value))

    def __call__(self, *args, **kwargs):
        return object.__getattribute__(self, "_channel").call(object.__getattribute__(self, "_key"), args, kwargs)

    def __getitem__(self, key):
        return self._ask("getitem", self._pack(key))

    def __setitem__(self, key, value) -> None:
        self._ask("setitem", self._pack((key, value)))

    def __len__(self) -> int:
        return _typed(self._ask("len"), (int,), "len()")

    def __iter__(self):
        return iter(_typed(self._ask("iter"), (list,), "iteration"))

    def __bool__(self) -> bool:
        return _typed(self._ask("bool"), (bool,), "truth")

    def __float__(self) -> float:
        return _typed(self._ask("float"), (float,), "float()")

    def __int__(self) -> int:
        return _typed(self._ask("int"), (int,), "int()")

    def __index__(self) -> int:
        return _typed(self._ask("index"), (int,), "an index")

    def __complex__(self) -> complex:
        return _typed(self._ask("complex"), (complex,), "complex()")

    def __array__(self, dtype=None, copy=None):
        import numpy as np

        array = self._ask("array")
        if type(array) is not np.ndarray:
            raise BoundaryError(f"{self._describe()} cannot be turned into a plain array")
        return array if dtype is None else array.astype(dtype)

    def __repr__(self) -> str:
        return _typed(self._ask("repr"), (str,), "repr()")[:2000]

    def __str__(self) -> str:
        return _typed(self._ask("str"), (str,), "str()")[:2000]

    def __format__(self, spec: str) -> str:
        return _typed(self._ask("format", spec), (str,), "format()")[:2000]

    def _describe(self) -> str:
        claimed = object.__getattribute__(self, "_claimed")
        return f"a {claimed.__name__} that stays in the student's process" if claimed else "an object of the student's own"

    def _compare(self, other):
        raise BoundaryError(f"{self._describe()} cannot be compared; the test must compare plain data")

    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _compare
    __hash__ = object.__hash__


def _operator(name: str, reflected: bool = False, unary: bool = False):
    def forward(self, other=None):
        if unary:
            return self._ask("operator", name)
        return self._ask("operator", name, self._pack((other, reflected)))

    return forward


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul"):
    setattr(Remote, f"__{_name}__", _operator(_name))
    setattr(Remote, f"__r{_name}__", _operator(_name, reflected=True))
for _name in ("neg", "pos", "abs", "invert"):
    setattr(Remote, f"__{_name}__", _operator(_name, unary=True))
