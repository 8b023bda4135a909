"""Many files at once: walk folders, read files in parallel worker processes with limits.

Reading (ingest, layout, extract) is the CPU-heavy, model-free part, so it runs in a process
pool, one file per task, each with a time limit and the worker with a memory limit. A PDF or an
image goes to a worker even when it is the only file: its reader spends long stretches in C
(MuPDF, Tesseract), where only a worker's memory limit and the parent's hard kill hold. The
classifier stays in the parent (see :func:`gcmalign.pipeline.analyze_paths`), loaded once.

A file that fails (bad input, time limit, memory limit, crashed worker) becomes a
:class:`DocumentResult` with ``error`` set; the other files go on. Results come back in input order
whatever the order in which workers finish.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from gcmalign.errors import GcmalignError
from gcmalign.extract import activity_stubs, extract_fields
from gcmalign.ingest import FORMATS, format_for, read_document
from gcmalign.model import Activity, Document, DocumentResult

DEFAULT_TIMEOUT = 120.0
DEFAULT_MAX_MEMORY_MB = 2048
# Seconds the parent waits past a file's time limit before it kills a worker stuck in code
# that the in-worker alarm cannot interrupt (a long C call).
HARD_KILL_GRACE = 5.0

Reader = Callable[..., Document]
# Called with a file's source and its activity stubs (text, callouts, language: all that
# classifying needs) as soon as it is laid out, before its fields are extracted.
StubsHook = Callable[[str, list[Activity]], None]

# Formats read in a worker even when alone: their readers spend long stretches in C (MuPDF,
# Tesseract) that the alarm cannot interrupt. The others stay in this process when alone, as the
# alarm stops their Python readers and a worker costs about 0.3 s (forkserver start-up and imports;
# measured, a one-line file takes 0.1 s here, 0.37-0.5 s in a worker), more than reading them.
ISOLATED_FORMATS = frozenset({"pdf", "image"})
# Formats whose reader can lay out a long document's opening pages on their own (a preview):
# an idle worker does so while another reads the whole, so that classifying starts sooner.
PREVIEW_FORMATS = frozenset({"pdf"})


class FileTimeout(BaseException):  # not Exception: readers catch those and would go on
    """Raised inside a worker by the alarm when a file takes longer than its time limit."""


def document_suffixes(extra: Iterable[str] = ()) -> frozenset[str]:
    """The suffixes folder walking takes: every reader's in ``FORMATS`` (not the catch-all "")."""
    suffixes = {s.lower() for fmt in FORMATS for s in fmt.suffixes if s}
    return frozenset(suffixes | {s.lower() for s in extra if s})


def _is_hidden(name: str) -> bool:
    return name.startswith(".")


def walk_folder(root: Path, suffixes: frozenset[str]) -> list[Path]:
    """Files under ``root`` with a known suffix, recursively, sorted, hidden ones skipped."""
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not _is_hidden(d)]
        for name in files:
            if not _is_hidden(name) and Path(name).suffix.lower() in suffixes:
                found.append(Path(folder, name))
    return sorted(found, key=lambda p: p.relative_to(root).parts)


def collect_files(
    paths: Iterable[str | Path], *, suffixes: frozenset[str] | None = None
) -> list[Path | DocumentResult]:
    """Expand folders into their documents, in argument order.

    Files named on their own are kept whatever their suffix (a missing one fails later with
    "no such file"); duplicates are dropped. A folder that holds no document stands in its
    argument's place as a failed :class:`DocumentResult`.
    """
    suffixes = document_suffixes() if suffixes is None else suffixes
    entries: list[Path | DocumentResult] = []
    seen: set[Path] = set()
    for arg in paths:
        p = Path(arg)
        found = walk_folder(p, suffixes) if p.is_dir() else [p]
        if not found:
            known = " ".join(sorted(suffixes))
            entries.append(DocumentResult(source=str(p), error=f"{p}: no documents in this folder ({known})"))
        for f in found:
            key = f.resolve() if f.exists() else f
            if key not in seen:
                seen.add(key)
                entries.append(f)
    return entries


# ---- one file, in a worker or in-process ---------------------------------------------------


def _timeout_message(source: str | Path, timeout: float | None) -> str:
    return f"{source}: stopped after the time limit ({timeout or 0:g} s)"


def _alarm(signum, frame):  # pragma: no cover - runs as the signal handler
    raise FileTimeout()


def _can_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _reader_for(path: Path, readers: Mapping[str, Reader] | None) -> Reader | None:
    return readers.get(path.suffix.lower()) if readers else None


def _format_name(path: Path) -> str | None:
    fmt = format_for(path)
    return fmt.name if fmt is not None else None


def _isolated(path: Path) -> bool:
    """Whether ``path`` must be read in a worker even alone: see ``ISOLATED_FORMATS``."""
    return _format_name(path) in ISOLATED_FORMATS


def read_one(
    path: str | Path,
    *,
    timeout: float | None = None,
    reader: Reader | None = None,
    max_memory_mb: int | None = None,
    options: dict | None = None,
    on_stubs: Callable[[list[Activity]], None] | None = None,
    extract: bool = True,
) -> DocumentResult:
    """Read and extract one file; every failure is returned as ``error``, never raised.

    ``options`` go to the reader (e.g. ``{"lang": "fr"}`` for OCR); ``on_stubs`` is called
    with the activity stubs once the file is laid out, before their fields are extracted;
    with ``extract=False`` the result's activities are those stubs.
    """
    source = str(path)
    alarmed = bool(timeout) and _can_alarm()
    previous = None
    try:
        if alarmed:
            previous = signal.signal(signal.SIGALRM, _alarm)
            signal.setitimer(signal.ITIMER_REAL, float(timeout or 0))
        doc = reader(path, options=options) if reader else read_document(path, options=options)
        stubs = activity_stubs(doc)
        if on_stubs and stubs:
            on_stubs(stubs)
        activities = extract_fields(stubs) if extract else stubs
        result = DocumentResult(source=source, document=doc, activities=activities)
    except GcmalignError as exc:
        result = DocumentResult(source=source, error=str(exc))
    except FileTimeout:
        result = DocumentResult(source=source, error=_timeout_message(source, timeout))
    except MemoryError:
        limit = f" (the limit is {max_memory_mb} MB)" if max_memory_mb else ""
        result = DocumentResult(source=source, error=f"{source}: out of memory{limit}")
    except Exception as exc:
        result = DocumentResult(
            source=source, error=f"{source}: unexpected error ({type(exc).__name__}: {exc})"
        )
    finally:
        if alarmed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    return result


_WORKER_MAX_MEMORY_MB: int | None = None
_WORKER_STUBS: multiprocessing.Queue | None = None


def _init_worker(max_memory_mb: int | None, stubs: multiprocessing.Queue | None = None) -> None:
    """Worker initializer: cap the address space so one huge file cannot take the machine;
    keep the queue that activity stubs go back on (see ``read_files``' ``on_stubs``)."""
    global _WORKER_MAX_MEMORY_MB, _WORKER_STUBS
    _WORKER_MAX_MEMORY_MB = max_memory_mb
    _WORKER_STUBS = stubs
    if stubs is not None:
        stubs.cancel_join_thread()  # a worker must never wait at exit for the parent to read
    if not max_memory_mb:
        return
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        return
    limit = max_memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _stubs_sender(tag: int) -> Callable[[list[Activity]], None] | None:
    """In a worker: what sends a file's activity stubs to the parent, tagged with its index."""
    stubs_queue = _WORKER_STUBS
    if stubs_queue is None:
        return None

    def send(stubs: list[Activity]) -> None:
        # stubs are only a head start: failing to send them (no memory left for the queue's
        # feeder thread...) must not fail the file
        with contextlib.suppress(Exception):  # pickled here, not while extraction fills them in
            stubs_queue.put((tag, pickle.dumps(stubs, protocol=pickle.HIGHEST_PROTOCOL)))

    return send


def _worker_task(
    path: str, timeout: float | None, reader: Reader | None, options: dict | None = None, tag: int = 0
) -> DocumentResult:
    return read_one(
        path,
        timeout=timeout,
        reader=reader,
        max_memory_mb=_WORKER_MAX_MEMORY_MB,
        options=options,
        on_stubs=_stubs_sender(tag),
    )


def _preview_task(path: str, timeout: float | None, options: dict | None, tag: int) -> None:
    """Lay out the opening pages of a long PDF and send their stubs; the rest is not needed."""
    send = _stubs_sender(tag)
    if send is not None:
        read_one(
            path, timeout=timeout, options={**(options or {}), "preview": True}, on_stubs=send, extract=False
        )


def _previewable(path: Path, readers: Mapping[str, Reader] | None) -> bool:
    """Whether an idle worker can lay out the opening pages of ``path`` ahead of its own."""
    return _format_name(path) in PREVIEW_FORMATS and _reader_for(path, readers) is None


# ---- many files ----------------------------------------------------------------------------


def _workers_context() -> multiprocessing.context.BaseContext:
    # forkserver: workers start from a small clean process, not a copy of a parent that holds
    # the loaded models and the progress bar's thread (fork after threads can deadlock).
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["gcmalign.worker_preload"])  # readers loaded once per run
        return context
    return multiprocessing.get_context("spawn")  # pragma: no cover - not on POSIX


def start_workers_early(paths: Iterable[str | Path]) -> None:
    """Start the server that reading workers fork from, when reading ``paths`` will need one,
    so that it imports the readers while the caller loads its models."""
    paths = [Path(p) for p in paths]
    if not (len(paths) > 1 or any(p.is_dir() or _isolated(p) for p in paths)):
        return
    if _workers_context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


class _StubsInbox:
    """The activity stubs workers send, read off their queue by a thread.

    A worker killed halfway through writing a message (its own crash, or the pool's kill) leaves
    the rest of that message missing for good; a read of the queue in the main loop would wait
    for it forever. The thread takes that wait instead: it ends at the end of the pipe or on a
    bad message, and is otherwise left blocked (a daemon) when its pool is replaced.
    """

    def __init__(self, context: multiprocessing.context.BaseContext) -> None:
        self.queue = context.Queue()  # one per pool: a killed writer can leave it unusable
        self._received: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._pump, name="gcmalign-stubs", daemon=True).start()

    def _pump(self) -> None:
        while True:
            try:
                self._received.put(self.queue.get())
            except Exception:  # end of the pipe, a cut message, a closed queue
                return

    def take(self) -> list[tuple[int, bytes]]:
        """The (file index, pickled stubs) messages received so far."""
        out = []
        while True:
            try:
                out.append(self._received.get_nowait())
            except queue.Empty:
                return out

    def close(self) -> None:
        self.queue.close()
        self.queue.cancel_join_thread()


def _new_pool(
    workers: int, max_memory_mb: int | None, with_stubs: bool = False
) -> tuple[ProcessPoolExecutor, _StubsInbox | None]:
    """A pool of reading workers, and the inbox of their activity stubs (if asked)."""
    context = _workers_context()
    inbox = _StubsInbox(context) if with_stubs else None
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_init_worker,
        initargs=(max_memory_mb, inbox.queue if inbox else None),
    )
    return pool, inbox


def _kill_pool(pool: ProcessPoolExecutor) -> None:
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        proc.kill()
    pool.shutdown(wait=True, cancel_futures=True)


def read_files(
    files: Sequence[str | Path],
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
    max_memory_mb: int | None = DEFAULT_MAX_MEMORY_MB,
    workers: int | None = None,
    readers: Mapping[str, Reader] | None = None,
    on_done: Callable[[DocumentResult], None] | None = None,
    options: dict | None = None,
    on_stubs: StubsHook | None = None,
) -> list[DocumentResult]:
    """Read ``files`` (ingest, layout, extract), in parallel when there are several.

    ``workers`` defaults to ``min(len(files), os.cpu_count())``. With one file or one worker,
    PDFs and images still go to a worker process, with both limits; other files are read in
    this process (where the time limit holds on the main thread, the memory limit does not).
    ``readers`` maps a suffix to a reader that takes precedence over ``FORMATS`` (a hook for
    tests and plug-ins; it must be picklable). ``options`` go to every reader. Results are in
    the order of ``files``.

    ``on_stubs(source, stubs)`` is called here with the activity stubs of a file read in a
    worker as soon as the worker has laid it out, while it extracts their fields: the caller
    can classify them meanwhile, so that even a single file keeps both cores busy. It may not
    be called for every file (a file read here, a file whose result came first), and may be
    called twice for one: when a worker is idle (``workers`` not given), it lays out the
    opening half of a long PDF being read by another, and sends those stubs first.
    """
    paths = [Path(f) for f in files]
    n_workers = min(len(paths), workers or os.cpu_count() or 1)
    results: list[DocumentResult | None] = [None] * len(paths)

    def done(i: int, result: DocumentResult) -> None:
        results[i] = result
        if on_done:
            on_done(result)

    pooled = {i for i, p in enumerate(paths) if n_workers > 1 or _isolated(p)}
    pool_size = max(1, n_workers)
    preview = on_stubs is not None and workers is None
    if preview:  # room for a worker to preview a long PDF
        pool_size = max(pool_size, min(os.cpu_count() or 1, 2 * len(pooled)))
    for i, p in enumerate(paths):
        if i not in pooled:
            done(i, read_one(p, timeout=timeout, reader=_reader_for(p, readers), options=options))
    if pooled:
        _read_in_pool(
            paths,
            sorted(pooled),
            workers=pool_size,
            timeout=timeout,
            max_memory_mb=max_memory_mb,
            readers=readers,
            options=options,
            done=done,
            on_stubs=on_stubs,
            preview=preview,
        )
    return [r for r in results if r is not None]


def _read_in_pool(
    paths: list[Path],
    todo: list[int],
    *,
    workers: int,
    timeout: float | None,
    max_memory_mb: int | None,
    readers: Mapping[str, Reader] | None,
    options: dict | None,
    done: Callable[[int, DocumentResult], None],
    on_stubs: StubsHook | None = None,
    preview: bool = False,
) -> None:
    """Read ``paths[i]`` for each ``i`` in ``todo`` (ascending) in a pool of ``workers``; each ends
    with ``done(i, result)``. A stuck worker is killed, a crash is retried alone, then reported."""
    todo = list(todo)  # not yet submitted, in order
    suspects: list[int] = []  # running when a worker crashed: rerun one at a time
    crashed_once: set[int] = set()
    running: dict[Future, tuple[int, float]] = {}
    previews: dict[Future, float] = {}  # preview tasks (see _preview_task) and their start
    previewed: set[int] = set()
    pool, inbox = _new_pool(workers, max_memory_mb, with_stubs=on_stubs is not None)
    # with stubs to pass on, look at the inbox often: the caller works on them while we wait
    poll = 0.02 if on_stubs else 0.25
    pool_broke = False  # a submit found the pool broken (a worker died after its last result)

    def submit(i: int) -> bool:
        nonlocal pool_broke
        try:
            fut = pool.submit(
                _worker_task, str(paths[i]), timeout, _reader_for(paths[i], readers), options, i
            )
        except BrokenProcessPool:
            pool_broke = True
            return False
        running[fut] = (i, time.monotonic())
        return True

    def preview_on_idle_workers() -> None:
        for fut in [f for f in previews if f.done()]:
            del previews[fut]  # its stubs came on the queue; its result is nothing
        if not preview or todo or suspects or pool_broke:
            return
        for i, _ in list(running.values()):
            if len(running) + len(previews) >= workers:
                return
            if i not in previewed and _previewable(paths[i], readers):
                previewed.add(i)
                try:
                    previews[pool.submit(_preview_task, str(paths[i]), timeout, options, i)] = (
                        time.monotonic()
                    )
                except BrokenProcessPool:
                    return  # the running files find it out

    def pass_on_stubs() -> None:
        if inbox is None or on_stubs is None:
            return
        for i, payload in inbox.take():
            if any(i == j for j, _ in running.values()):  # else its result came first
                on_stubs(str(paths[i]), pickle.loads(payload))

    try:
        while todo or suspects or running:
            if not running and suspects and submit(suspects[0]):
                suspects.pop(0)  # alone, so that a second crash names the right file
            if not suspects and not any(i in crashed_once for i, _ in running.values()):
                while todo and len(running) < workers and submit(todo[0]):
                    todo.pop(0)
                preview_on_idle_workers()
            pass_on_stubs()
            finished, _ = wait(running, timeout=poll, return_when=FIRST_COMPLETED)
            broken = False
            for fut in finished:
                i, _ = running.pop(fut)
                try:
                    done(i, fut.result())
                except BrokenProcessPool:
                    broken = True
                    running[fut] = (i, 0.0)  # dealt with below, with the others that were running
                except Exception as exc:  # e.g. a result that cannot be sent back
                    done(i, DocumentResult(str(paths[i]), error=f"{paths[i]}: unexpected error ({exc})"))
            now = time.monotonic()
            overdue = [
                fut
                for fut, (_, start) in running.items()
                # done() may have kept the parent busy (classifying): a finished file is not late
                if timeout and start and not fut.done() and now - start > timeout + HARD_KILL_GRACE
            ]
            stuck_preview = any(
                timeout and not fut.done() and now - start > timeout + HARD_KILL_GRACE
                for fut, start in previews.items()
            )
            if not (overdue or broken or stuck_preview or pool_broke):
                continue
            # Kill the pool (a stuck worker ignores everything else) and start a new one. Files
            # running beside an overdue one go back to the queue; after a crash they are rerun
            # one at a time, and a file that crashes its worker twice is reported.
            for fut in overdue:
                i, _ = running.pop(fut)
                done(i, DocumentResult(str(paths[i]), error=_timeout_message(paths[i], timeout)))
            for i, _ in running.values():
                if overdue or not broken:
                    todo.append(i)
                elif i in crashed_once:
                    done(i, DocumentResult(str(paths[i]), error=f"{paths[i]}: the worker reading it crashed"))
                else:
                    crashed_once.add(i)
                    suspects.append(i)
            running.clear()
            previews.clear()
            todo.sort()
            suspects.sort()
            _kill_pool(pool)
            if inbox is not None:
                inbox.close()
            pool, inbox = _new_pool(workers, max_memory_mb, with_stubs=on_stubs is not None)
            pool_broke = False
    finally:
        if running or any(not f.done() for f in previews):  # nobody waits for a preview
            _kill_pool(pool)
        else:
            pool.shutdown(wait=True)
        if inbox is not None:
            inbox.close()
