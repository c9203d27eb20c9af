"""Valgrind client requests from Python, for callgrind's counters.

A client request is a no-op instruction sequence that valgrind recognizes while it runs
the program: valgrind.h's macros compile to it, and this module puts the same sequence for
x86-64 (``rolq`` by 3, 13, 61 and 51 bits, then ``xchgq %rbx,%rbx``, with the request's
arguments pointed to by ``%rax``) into one small executable page and calls it through
ctypes. The request takes effect at that exact point of the program, which is what makes
counts repeat: sending the same commands from outside with ``callgrind_control`` lands
wherever the program happens to be when the command arrives, and moved counts by 0.3%
under load.
"""

from __future__ import annotations

import ctypes
import mmap
import platform

# mov %rdi,%rax; xor %edx,%edx; the preamble; xchg %rbx,%rbx; mov %rdx,%rax; ret
_X86_64_CODE = bytes.fromhex("4889f831d248c1c70348c1c70d48c1c73d48c1c7334887db4889d0c3")

RUNNING_ON_VALGRIND = 0x1001
_CALLGRIND_BASE = (ord("C") << 24) | (ord("T") << 16)
DUMP_STATS_AT = _CALLGRIND_BASE + 3
ZERO_STATS = _CALLGRIND_BASE + 1
TOGGLE_COLLECT = _CALLGRIND_BASE + 2
START_INSTRUMENTATION = _CALLGRIND_BASE + 4
STOP_INSTRUMENTATION = _CALLGRIND_BASE + 5


def supported() -> bool:
    """Whether this machine's architecture has the request sequence here (x86-64 only)."""
    return platform.machine().lower() in ("x86_64", "amd64")


class ClientRequests:
    """Issue callgrind's client requests from this process.

    Raises:
        OSError: this architecture is not supported, or no executable page can be mapped.
    """

    def __init__(self) -> None:
        if not supported():
            raise OSError(f"valgrind client requests are not available on {platform.machine()}")
        self._page = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
        self._page.write(_X86_64_CODE)
        address = ctypes.addressof(ctypes.c_char.from_buffer(self._page))
        self._call = ctypes.CFUNCTYPE(ctypes.c_size_t, ctypes.c_void_p)(address)
        self._arguments = (ctypes.c_size_t * 6)()
        self._address = ctypes.addressof(self._arguments)
        self._labels: dict[str, ctypes.Array] = {}
        self._collecting = True
        # The first call through ctypes costs more than the later ones: make it here, so
        # that every request in a counted stretch costs the same.
        self.running_on_valgrind()

    def request(self, code: int, first: int = 0) -> int:
        """Send request ``code`` with one argument; valgrind's answer, or 0 outside valgrind."""
        self._arguments[0] = code
        self._arguments[1] = first
        return int(self._call(self._address))

    def running_on_valgrind(self) -> bool:
        """Whether the process runs under valgrind (a request answers 0 otherwise)."""
        return self.request(RUNNING_ON_VALGRIND) != 0

    def start_instrumentation(self) -> None:
        """Start collecting: callgrind counts from here on."""
        self.request(START_INSTRUMENTATION)

    def stop_instrumentation(self) -> None:
        """Stop collecting: nothing is counted until the next start."""
        self.request(STOP_INSTRUMENTATION)

    def zero(self) -> None:
        """Set every counter to zero."""
        self.request(ZERO_STATS)

    def collect(self, on: bool) -> bool:
        """Collect costs from here on, or not; return whether it was collecting.

        While instrumented and not collecting, callgrind still runs its cache simulation:
        what the program touches then is in the simulated caches, at no cost counted.
        Callgrind collects from the start (``--collect-atstart`` is left as it is).
        """
        was = self._collecting
        if on != was:
            self.request(TOGGLE_COLLECT)
            self._collecting = on
        return was

    def prepare(self, *labels: str) -> None:
        """Make the labels :meth:`dump` will use beforehand, so that no dump builds one."""
        for label in labels:
            self._labels.setdefault(label, ctypes.create_string_buffer(label.encode()))

    def dump(self, label: str) -> None:
        """Dump the counters to a new file whose trigger line names ``label`` (prepared or not)."""
        if label not in self._labels:
            self.prepare(label)
        self.request(DUMP_STATS_AT, ctypes.addressof(self._labels[label]))
