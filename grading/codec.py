"""The plain-data codec: the only thing that crosses from a student's process to the judge's.

A reply from student code is MessagePack (the `msgpack` library) whose only extension types are the
ones below, each rebuilt here as a genuine library object (a real ``ndarray`` through
``numpy.load(allow_pickle=False)``, a real ``pandas.DataFrame``, a real ``float``) before any test sees
it. Anything that is not plain data arrives as a *handle*: a number naming the object in the student's
process and the class it claims, which the judge wraps in a proxy (remote.py). Nothing is guessed:
an unknown extension, an object array holding anything but plain scalars, a structured dtype or a
frame too large is a ``BoundaryError`` naming what was refused.

``encode`` runs in the student's process, so the judge never relies on it: whatever bytes arrive,
``decode`` builds plain data and handles, nothing else. Requests the other way (the test's arguments
to student functions) are pickled by ``pack_arguments``: that is safe because the student's process
is the one that unpickles them. Functions and objects defined in a test cell never travel: they stay
in the judge behind a name, and student code that calls them is answered from there (a callback), so
no test code reaches the student.
"""

from __future__ import annotations

import io
import pickle
import struct
import sys

import msgpack

MAX_FRAME = 512 * 2**20  # bytes of one message, either way
MAX_ITEMS = 1_000_000  # items of one iteration or object array
NUMERIC_KINDS = frozenset("biufcSUMm")  # bool, ints, floats, complex, bytes, str, datetime, timedelta
PLAIN_SCALARS = (type(None), bool, int, float, str)

# Extension type codes.
ARRAY, OBJECT_ARRAY, NUMPY_SCALAR, TUPLE, COMPLEX, SET, FROZENSET, BIG_INT = 1, 2, 3, 4, 5, 6, 7, 8
SERIES, DATAFRAME, INDEX, HANDLE, RANGE = 9, 10, 11, 12, 13


class BoundaryError(Exception):
    """A value that cannot cross between the student's process and the judge's, and why."""


# --- framing: length-prefixed messages on a stream socket --------------------------------------


def send_frame(sock, payload: bytes) -> None:
    if len(payload) > MAX_FRAME:
        raise BoundaryError(f"a message of {len(payload)} bytes is over the {MAX_FRAME}-byte limit")
    sock.sendall(struct.pack("!Q", len(payload)) + payload)


def receive_frame(sock) -> bytes:
    (size,) = struct.unpack("!Q", _receive_exactly(sock, 8))
    if size > MAX_FRAME:
        raise BoundaryError(f"the student's process sent a message of {size} bytes, over the {MAX_FRAME}-byte limit")
    return _receive_exactly(sock, size)


def _receive_exactly(sock, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = sock.recv(min(left, 2**20))
        if not chunk:
            raise BoundaryError("the student's process closed the channel")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


# --- student side: plain data out, everything else kept behind a handle --------------------------


class Encoder:
    """Turns a value into MessagePack; ``keep(obj) -> int`` registers what must stay behind a handle."""

    def __init__(self, keep):
        self.keep = keep
        self.active: set[int] = set()

    def encode(self, value) -> bytes:
        return self.pack(self.plain(value))

    def plain(self, value):
        kind = type(value)
        if kind in PLAIN_SCALARS:
            return msgpack.ExtType(BIG_INT, str(value).encode()) if kind is int and not -(2**63) <= value < 2**64 else value
        if kind is bytes:
            return value
        if kind is complex:
            return msgpack.ExtType(COMPLEX, struct.pack("!dd", value.real, value.imag))
        if kind in (list, tuple, set, frozenset, dict, range) or is_data_type(kind):
            if id(value) in self.active:  # a container holding itself
                return self.handle(value)
            self.active.add(id(value))
            try:
                return self.container(value)
            except (_Unplain, RecursionError):
                return self.handle(value)
            finally:
                self.active.discard(id(value))
        return self.handle(value)

    def container(self, value):
        kind = type(value)
        if kind is list:
            return [self.plain(item) for item in value]
        if kind is dict:
            return {self.plain(key): self.plain(item) for key, item in value.items()}
        if kind is range:
            return msgpack.ExtType(RANGE, self.pack([value.start, value.stop, value.step]))
        if kind in (tuple, set, frozenset):
            code = {tuple: TUPLE, set: SET, frozenset: FROZENSET}[kind]
            return msgpack.ExtType(code, self.pack([self.plain(item) for item in value]))
        return self.data(value)

    def data(self, value):
        """numpy arrays and scalars, pandas Series, DataFrame and Index of plain dtypes."""
        import numpy as np

        if isinstance(value, np.ndarray):
            return self.array(value)
        if isinstance(value, np.generic):
            if value.dtype.kind not in NUMERIC_KINDS:
                return self.handle(value)
            return msgpack.ExtType(NUMPY_SCALAR, _npy(np.asarray(value)))
        import pandas as pd

        if type(value) is pd.Series:
            return msgpack.ExtType(SERIES, self.pack({"values": self.column(value), "index": self.index(value.index), "name": self.plain(value.name)}))
        if type(value) is pd.DataFrame:
            columns = [self.column(value.iloc[:, i]) for i in range(value.shape[1])]
            return msgpack.ExtType(DATAFRAME, self.pack({"columns": self.index(value.columns), "index": self.index(value.index), "data": columns}))
        return self.index(value)

    def array(self, value):
        if value.dtype.kind in NUMERIC_KINDS and value.dtype.names is None:
            return msgpack.ExtType(ARRAY, _npy(value))
        if value.dtype.kind == "O" and value.size <= MAX_ITEMS and all(type(item) in PLAIN_SCALARS for item in value.flat):
            return msgpack.ExtType(OBJECT_ARRAY, self.pack({"shape": list(value.shape), "items": list(value.flat)}))
        raise _Unplain(f"an array of dtype {value.dtype}")

    def column(self, series):
        import numpy as np

        if not isinstance(series.dtype, np.dtype):
            raise _Unplain(f"a pandas column of dtype {series.dtype}")
        return self.array(series.to_numpy())

    def index(self, index):
        import numpy as np
        import pandas as pd

        if type(index) is pd.RangeIndex:
            return msgpack.ExtType(INDEX, self.pack({"range": [index.start, index.stop, index.step], "name": self.plain(index.name)}))
        if type(index) is pd.MultiIndex:
            levels = [self.array(index.get_level_values(i).to_numpy()) for i in range(index.nlevels)]
            return msgpack.ExtType(INDEX, self.pack({"levels": levels, "names": [self.plain(n) for n in index.names]}))
        if isinstance(index.dtype, np.dtype) and getattr(index, "tz", None) is None:
            return msgpack.ExtType(INDEX, self.pack({"values": self.array(index.to_numpy()), "name": self.plain(index.name)}))
        raise _Unplain(f"a pandas index of type {type(index).__name__}")

    def handle(self, value):
        """[id, module, qualname, library]: a library module, function or class names itself (the
        judge may use its own copy); any other object names its class."""
        reference = _library_reference(value)
        if reference:
            return msgpack.ExtType(HANDLE, self.pack([self.keep(value), *reference, True]))
        kind = type(value)
        return msgpack.ExtType(HANDLE, self.pack([self.keep(value), kind.__module__, kind.__qualname__, False]))

    def pack(self, value) -> bytes:
        return msgpack.packb(value, use_bin_type=True, strict_types=True)


class _Unplain(Exception):
    """Raised inside ``Encoder.data`` when a data object holds something that is not plain."""


def encode(value, keep) -> bytes:
    """What the student's process sends: ``value`` as plain data, with handles for everything else."""
    return Encoder(keep).encode(value)


def is_data_type(kind) -> bool:
    """Exactly numpy's ndarray or one of its scalar types, or pandas' Series, DataFrame or Index
    (checked without importing either library into a process that has not)."""
    np, pd = sys.modules.get("numpy"), sys.modules.get("pandas")
    if np is not None and (kind is np.ndarray or (issubclass(kind, np.generic) and kind.__module__ == "numpy")):
        return True
    return pd is not None and kind in (pd.Series, pd.DataFrame, pd.Index, pd.RangeIndex, pd.MultiIndex)


def _library_reference(value):
    """[module, qualname] for a module, or for a function or class that its module (not the
    notebook's own) holds under that name: the judge may use its own copy of such library objects."""
    import types

    if isinstance(value, types.ModuleType):
        return [value.__name__, ""]
    module, name = getattr(value, "__module__", None), getattr(value, "__qualname__", None)
    if not (isinstance(module, str) and isinstance(name, str)) or module == "__main__" or module not in sys.modules:
        return None
    found = sys.modules[module]
    for part in name.split("."):
        found = getattr(found, part, None)
    return [module, name] if found is value else None


def _npy(array) -> bytes:
    import numpy as np

    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


# --- judge side: strict decoding ---------------------------------------------------------------


def decode(data: bytes, handle):
    """Plain data from the student's bytes; ``handle(id, module, qualname, library)`` builds what is
    not plain (see Encoder.handle). Anything else is a BoundaryError."""

    def unpack(payload):
        return msgpack.unpackb(payload, ext_hook=rebuild, raw=False, strict_map_key=False)

    def rebuild(code, payload):
        try:
            return _REBUILDERS[code](unpack, payload, handle)
        except KeyError:
            raise BoundaryError(f"unknown data of kind {code}") from None
        except BoundaryError:
            raise
        except (ValueError, TypeError, struct.error, msgpack.UnpackException, RecursionError) as error:
            raise BoundaryError(f"malformed data of kind {code}: {type(error).__name__}: {error}"[:300]) from None

    try:
        return unpack(data)
    except BoundaryError:
        raise
    except (ValueError, TypeError, msgpack.UnpackException, RecursionError) as error:
        raise BoundaryError(f"not plain data: {type(error).__name__}: {error}"[:300]) from None


def _array(unpack, payload, handle):
    import numpy as np

    array = np.load(io.BytesIO(payload), allow_pickle=False)
    if type(array) is not np.ndarray or array.dtype.kind not in NUMERIC_KINDS or array.dtype.names is not None:
        raise BoundaryError(f"an array of dtype {array.dtype} is not plain data")
    return array


def _object_array(unpack, payload, handle):
    import numpy as np

    spec = _mapping(unpack(payload), {"shape", "items"})
    items, shape = spec["items"], spec["shape"]
    if not isinstance(items, list) or len(items) > MAX_ITEMS or not all(type(item) in PLAIN_SCALARS for item in items):
        raise BoundaryError("an object array may hold only None, bool, int, float and str")
    if not isinstance(shape, list) or not all(type(n) is int and n >= 0 for n in shape):
        raise BoundaryError("an object array with a malformed shape")
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array.reshape(shape)


def _numpy_scalar(unpack, payload, handle):
    array = _array(unpack, payload, handle)
    if array.shape != ():
        raise BoundaryError("a numpy scalar with a shape")
    return array[()]


def _items(unpack, payload):
    items = unpack(payload)
    if not isinstance(items, list):
        raise BoundaryError("a collection that is not a list of items")
    return items


def _complex(unpack, payload, handle):
    real, imag = struct.unpack("!dd", payload)
    return complex(real, imag)


def _big_int(unpack, payload, handle):
    text = payload.decode("ascii")
    if len(text) > 4000:
        raise BoundaryError("an integer with more than 4000 digits")
    return int(text)


def _mapping(value, keys: set[str]) -> dict:
    if not isinstance(value, dict) or not keys <= set(value):
        raise BoundaryError(f"expected fields {sorted(keys)}")
    return value


def _index(unpack, payload, handle):
    import numpy as np
    import pandas as pd

    spec = unpack(payload)
    if isinstance(spec, dict) and "range" in spec:
        start, stop, step = spec["range"]
        if not all(type(n) is int for n in (start, stop, step)):
            raise BoundaryError("a range index with bounds that are not integers")
        return pd.RangeIndex(start, stop, step, name=_label(spec.get("name")))
    if isinstance(spec, dict) and "levels" in spec:
        levels = spec["levels"]
        if not isinstance(levels, list) or not all(type(level) is np.ndarray for level in levels):
            raise BoundaryError("a multi-index with levels that are not arrays")
        return pd.MultiIndex.from_arrays(levels, names=[_label(n) for n in spec.get("names", [None] * len(levels))])
    spec = _mapping(spec, {"values"})
    if type(spec["values"]) is not np.ndarray:
        raise BoundaryError("an index whose values are not an array")
    return pd.Index(spec["values"], name=_label(spec.get("name")))


def _label(name):
    """A pandas name or label: a plain scalar or a tuple of them."""
    if type(name) in PLAIN_SCALARS or (type(name) is tuple and all(type(part) in PLAIN_SCALARS for part in name)):
        return name
    raise BoundaryError(f"a pandas name of type {type(name).__name__}")


def _series(unpack, payload, handle):
    import numpy as np
    import pandas as pd

    spec = _mapping(unpack(payload), {"values", "index", "name"})
    values, index = spec["values"], spec["index"]
    if type(values) is not np.ndarray or not isinstance(index, pd.Index) or len(index) != len(values):
        raise BoundaryError("a Series whose values and index do not match")
    return pd.Series(values, index=index, name=_label(spec["name"]), copy=False)


def _dataframe(unpack, payload, handle):
    import numpy as np
    import pandas as pd

    spec = _mapping(unpack(payload), {"columns", "index", "data"})
    columns, index, data = spec["columns"], spec["index"], spec["data"]
    if not isinstance(columns, pd.Index) or not isinstance(index, pd.Index) or not isinstance(data, list):
        raise BoundaryError("a DataFrame without columns, index and data")
    if len(data) != len(columns) or not all(type(c) is np.ndarray and c.ndim == 1 and len(c) == len(index) for c in data):
        raise BoundaryError("a DataFrame whose columns do not match its index")
    frame = pd.DataFrame({position: column for position, column in enumerate(data)}, index=index)
    frame.columns = columns
    return frame


def _handle(unpack, payload, handle):
    spec = unpack(payload)
    if not (isinstance(spec, list) and len(spec) == 4 and type(spec[0]) is int and type(spec[1]) is str
            and type(spec[2]) is str and type(spec[3]) is bool):
        raise BoundaryError("a malformed handle")
    return handle(*spec)


def _range(unpack, payload, handle):
    spec = unpack(payload)
    if not (isinstance(spec, list) and len(spec) == 3 and all(type(n) is int for n in spec)):
        raise BoundaryError("a malformed range")
    return range(*spec)


def _collection(kind):
    def rebuild(unpack, payload, handle):
        return kind(_items(unpack, payload))

    return rebuild


_REBUILDERS = {
    ARRAY: _array, OBJECT_ARRAY: _object_array, NUMPY_SCALAR: _numpy_scalar, TUPLE: _collection(tuple),
    COMPLEX: _complex, SET: _collection(set), FROZENSET: _collection(frozenset), BIG_INT: _big_int,
    SERIES: _series, DATAFRAME: _dataframe, INDEX: _index, HANDLE: _handle, RANGE: _range,
}  # fmt: skip


# --- requests: the judge's arguments to student code --------------------------------------------


def pack_arguments(value, persistent_id) -> bytes:
    """Pickle the test's arguments for the student's process. ``persistent_id(obj)`` names what must
    not be copied: the student's own objects (proxies), which arrive there as themselves, and the
    test's own functions and objects, which stay in the judge and are called back (remote.Channel)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.persistent_id = persistent_id
    try:
        pickler.dump(value)
    except (pickle.PicklingError, TypeError, AttributeError) as error:
        raise BoundaryError(f"the test passes a value that cannot be sent to the student's code: {error}") from None
    return buffer.getvalue()


def unpack_arguments(data: bytes, persistent_load):
    """In the student's process: the test's arguments, with what was named turned into objects."""
    unpickler = pickle.Unpickler(io.BytesIO(data))
    unpickler.persistent_load = persistent_load
    return unpickler.load()
