"""The kernel's sandbox, tried from inside a real kernel, as root and as an ordinary user.

Each attempt runs twice: in a sandboxed kernel, where it must fail, and in a control
(an unsandboxed kernel, or a throwaway namespace with privileges for the syscalls),
where it must succeed, so that a broken attempt cannot pass for a sandbox that holds.
"""
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
from contextlib import nullcontext
from pathlib import Path

import pytest
import zmq

from autograder import sandbox
from autograder.course import SOURCE_DIR
from conftest import ROOT, backprop_grade, complete_notebook, read_csv, submit

pytestmark = [pytest.mark.sandbox,
              pytest.mark.skipif(not sandbox.available() and not os.environ.get("CI"),
                                 reason="needs bubblewrap (apt-get install bubblewrap); CI always runs these")]

SECRET = "SECRET_TOKEN"


class Kernel:
    """A kernel started by SandboxedKernelManager (sandboxed or not) in `cwd`, run cell by cell,
    with its sockets in `socket_dir` (by default a new socket_folder)."""

    def __init__(self, cwd, sandboxed, socket_dir=None):
        self.cwd = cwd
        self.loop = asyncio.new_event_loop()
        self.sockets = nullcontext(socket_dir) if socket_dir else sandbox.socket_folder()
        self.manager = sandbox.SandboxedKernelManager(socket_dir=self.sockets.__enter__(), sandboxed=sandboxed)
        self.loop.run_until_complete(self.manager.start_kernel(cwd=str(cwd)))
        self.client = self.manager.client()
        self.client.start_channels()
        self.loop.run_until_complete(self.client.wait_for_ready(timeout=60))

    def run(self, code):
        """What `code` prints; an error in it fails the test."""
        printed, errors = [], []

        def collect(message):
            content = message["content"]
            if message["msg_type"] == "stream":
                printed.append(content["text"])
            elif message["msg_type"] == "error":
                errors.append(f"{content['ename']}: {content['evalue']}")

        self.loop.run_until_complete(self.client.execute_interactive(code, output_hook=collect, timeout=60))
        assert not errors, errors
        return "".join(printed)

    def json(self, code):
        """The value of the JSON that `code` prints."""
        return json.loads(self.run(code))

    def stop(self):
        self.client.stop_channels()
        self.loop.run_until_complete(self.manager.shutdown_kernel(now=True))
        self.sockets.__exit__(None, None, None)
        self.loop.close()


@pytest.fixture(scope="module")
def kernels(tmp_path_factory):
    """(sandboxed, control): two kernels in a submission folder, started while the grader
    has a SECRET_TOKEN in its environment."""
    submission = tmp_path_factory.mktemp("submission")
    (submission / "01_sigmoid.ipynb").write_text("{}")
    os.environ[SECRET] = "do-not-leak"
    try:
        started = [Kernel(submission, sandboxed=True), Kernel(submission, sandboxed=False)]
    finally:
        del os.environ[SECRET]
    yield started
    for kernel in started:
        kernel.stop()


@pytest.fixture(scope="module")
def other_run(tmp_path_factory):
    """Another grading run's scratch course in the host's /tmp, with a master notebook."""
    scratch = Path(tempfile.mkdtemp(prefix="backprop-grade-", dir="/tmp"))
    master = scratch / "course" / "source" / "01_sigmoid" / "01_sigmoid.ipynb"
    master.parent.mkdir(parents=True)
    shutil.copy(SOURCE_DIR / "01_sigmoid" / "01_sigmoid.ipynb", master)
    yield master
    shutil.rmtree(scratch)


def private_files(other_run):
    """Files the kernel must not reach: the repository's, the grader's home, another run's
    scratch, the system's accounts and the host's runtime sockets."""
    home_files = [p for p in Path.home().iterdir() if p.name not in {".pyenv", ".local"}][:3]
    return [ROOT / "solutions" / "activations.py", SOURCE_DIR / "01_sigmoid" / "01_sigmoid.ipynb",
            ROOT / "grader_tests" / "conftest.py", ROOT / ".git", ROOT / "README.md", ROOT / "autograder" / "grade.py",
            other_run, *home_files, Path("/etc/passwd"), Path("/etc/hostname"), Path("/run"), Path("/var")]


ATTEMPT_FILES = """
import json, os
def attempt(path):
    tries = {"exists": lambda: os.path.exists(path) or 1 / 0, "listdir": lambda: os.listdir(path),
             "open": lambda: open(path, "rb").close()}
    result = {}
    for name, action in tries.items():
        try:
            action()
            result[name] = True
        except (OSError, ZeroDivisionError):
            result[name] = False
    return result
print(json.dumps({path: attempt(path) for path in PATHS}))
"""


def test_private_files_do_not_exist_inside(kernels, other_run):
    sandboxed, control = kernels
    paths = list(map(str, private_files(other_run)))
    code = f"PATHS = {paths!r}\n" + ATTEMPT_FILES
    inside, outside = sandboxed.json(code), control.json(code)
    for path in paths:
        assert outside[path]["exists"], f"control: {path} should exist outside"
        assert inside[path] == {"exists": False, "listdir": False, "open": False}, path


def test_its_own_submission_folder_is_not_there(kernels):
    """nbgrader writes the notebook it runs, hidden tests included, into the folder it starts
    the kernel in: the kernel works in its private /tmp instead, and that folder is absent."""
    sandboxed, control = kernels
    code = f"PATHS = {[str(sandboxed.cwd / '01_sigmoid.ipynb'), str(sandboxed.cwd)]!r}\n" + ATTEMPT_FILES
    assert all(result["exists"] for result in control.json(code).values())
    assert not any(any(result.values()) for result in sandboxed.json(code).values())
    assert sandboxed.run("import os\nprint(os.getcwd())") == "/tmp\n"


def visible_entries(view, folder):
    """What `folder` may list inside: the next step towards each entry of the view under it."""
    return {entry.path.relative_to(folder).parts[0] for entry in view
            if entry.path != folder and entry.path.is_relative_to(folder)}


def test_folders_list_only_the_allowlist(kernels):
    sandboxed, control = kernels
    view = sandbox.kernel_view(sandboxed.manager.socket_dir)
    folders = {ROOT: set(), ROOT / "autograder": set(), Path.home(): set(), Path("/"): {"dev", "proc"},
               Path("/etc"): set(), Path("/tmp"): {".ipython", "matplotlib"}}
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            folders[Path("/")].add(top[1:])
    code = ("import json, os\nprint(json.dumps({p: sorted(os.listdir(p)) if os.path.isdir(p) else []"
            f" for p in {list(map(str, folders))!r}}}))")
    inside, outside = sandboxed.json(code), control.json(code)
    for folder, own in folders.items():
        allowed = visible_entries(view, folder) | own
        assert set(inside[str(folder)]) <= allowed, folder
        assert set(outside[str(folder)]) - allowed, f"control: {folder} should hold more outside"
    assert inside[str(ROOT / "autograder")] == []  # the grader's package: the referee sends what the kernel runs


def test_writes_only_to_its_tmp_and_socket_folder(kernels):
    sandboxed, control = kernels
    targets = [ROOT / "autograder" / "pwned.py", ROOT / "workbook_tools" / "pwned.py",
               Path("/pwned"), Path(sys.prefix, "pwned")]
    code = textwrap.dedent(f"""
        import json, os
        def write(path):
            try:
                with open(path, "x") as f:
                    f.write("pwned")
                os.remove(path)
                return "written"
            except OSError as error:
                return type(error).__name__
        print(json.dumps([write(p) for p in {list(map(str, targets))!r}]))
        print(json.dumps([write(os.path.join(p, "mine")) for p in ["/tmp", {sandboxed.manager.socket_dir!r}]]))
        """)
    allowed = json.loads(control.run(code).splitlines()[0])  # an ordinary user may not write / or a system Python
    assert allowed[:2] == ["written", "written"] and (os.geteuid() != 0 or set(allowed) == {"written"}), allowed
    refused, own = map(json.loads, sandboxed.run(code).splitlines())
    assert set(refused) <= {"OSError", "PermissionError", "FileNotFoundError"} and own == ["written", "written"], refused


def test_no_host_processes(kernels):
    sandboxed, control = kernels
    code = ("import json, os\nprint(json.dumps([open(f'/proc/{p}/cmdline', 'rb').read().decode(errors='replace')"
            " for p in os.listdir('/proc') if p.isdigit()]))")
    own = lambda cmdline: cmdline.startswith("bwrap\0") or "ipykernel_launcher" in cmdline  # noqa: E731
    assert not all(map(own, control.json(code)))  # the host's processes, pytest's among them
    assert all(map(own, sandboxed.json(code)))  # the sandbox's init and the kernel


def test_student_package_and_libraries_work(kernels):
    sandboxed, _ = kernels
    code = ("import numpy, matplotlib.pyplot as plt, workbook_tools.checks\n"
            "plt.plot([1, 2]); plt.savefig('/tmp/plot.png'); print(numpy.ones(3).sum())\n"
            "try:\n    import solutions\nexcept ImportError:\n    print('no reference')\n")
    assert sandboxed.run(code).split() == ["3.0", "no", "reference"]


ATTEMPT_SYSCALLS = """
import ctypes, errno, json, os, signal, socket, subprocess, tempfile
libc = ctypes.CDLL(None, use_errno=True)
def outcome(returned):
    return "ok" if returned == 0 else errno.errorcode[ctypes.get_errno()]
def raw_socket(family, kind, protocol):
    try:
        socket.socket(family, kind, protocol).close()
        return "ok"
    except OSError as error:
        return errno.errorcode[error.errno]
def ptrace_child():
    child = subprocess.Popen(["sleep", "30"])
    try:
        attached = outcome(libc.ptrace(16, child.pid, None, None))  # PTRACE_ATTACH
        if attached == "ok":
            os.waitpid(child.pid, 0)
            libc.ptrace(17, child.pid, None, None)  # PTRACE_DETACH
        return attached
    finally:
        child.kill()
target = tempfile.mkdtemp().encode()
result = {"mount": outcome(libc.mount(b"none", target, b"tmpfs", 0, None)),
          "umount2": outcome(libc.umount2(target, 2)),  # MNT_DETACH of what mount made
          "ptrace": ptrace_child(),
          "raw socket": raw_socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP),
          "packet socket": raw_socket(socket.AF_PACKET, socket.SOCK_RAW, 0),
          "user namespace": outcome(libc.unshare(0x10000000)),  # CLONE_NEWUSER
          "chroot": outcome(libc.chroot(target))}
print(json.dumps(result))
"""


def test_privileged_syscalls_fail(kernels):
    sandboxed, _ = kernels
    # control: with privileges of its own (a throwaway user, mount and network namespace), each succeeds
    control = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "--net", sys.executable, "-c",
                              ATTEMPT_SYSCALLS], capture_output=True, text=True, timeout=60)
    assert control.returncode == 0, control.stderr
    attempts = json.loads(control.stdout)
    assert set(attempts.values()) == {"ok"}, attempts
    assert sandboxed.json(ATTEMPT_SYSCALLS) == {name: "EPERM" for name in attempts}


def test_no_capabilities_and_no_new_privileges(kernels):
    sandboxed, _ = kernels
    status = dict(line.split(":\t") for line in sandboxed.run("print(open('/proc/self/status').read())").splitlines()
                  if ":\t" in line)
    assert {status[f"Cap{kind}"] for kind in ("Inh", "Prm", "Eff", "Bnd", "Amb")} == {"0000000000000000"}
    assert status["NoNewPrivs"] == "1" and status["Seccomp"] == "2"
    assert sandboxed.run("import os; print(os.getuid(), os.getgid())").split() == [str(sandbox.KERNEL_UID)] * 2


def test_environment_is_cleared(kernels):
    sandboxed, control = kernels
    code = f"import os; print(os.environ.get({SECRET!r}))"
    assert control.run(code).strip() == "do-not-leak"
    assert sandboxed.run(code).strip() == "None"


def test_foreign_unix_sockets_unreachable(kernels):
    sandboxed, control = kernels
    folder = Path(tempfile.mkdtemp(prefix="foreign-", dir="/tmp"))
    name = f"backprop-foreign-{os.getpid()}"
    with socket.socket(socket.AF_UNIX) as on_disk, socket.socket(socket.AF_UNIX) as abstract:
        on_disk.bind(str(folder / "listening"))
        abstract.bind("\0" + name)
        for listener in (on_disk, abstract):
            listener.listen(4)
        code = textwrap.dedent(f"""
            import json, socket
            def connect(address):
                try:
                    socket.socket(socket.AF_UNIX).connect(address)
                    return "connected"
                except OSError as error:
                    return type(error).__name__
            print(json.dumps([connect({str(folder / 'listening')!r}), connect({chr(0) + name!r})]))
            """)
        assert control.json(code) == ["connected", "connected"]
        assert sandboxed.json(code) == ["FileNotFoundError", "ConnectionRefusedError"]
    shutil.rmtree(folder)


def fill(folder):
    """Code that writes 32 MB into `folder`, 4 MB a file, and prints [bytes written, error or None]."""
    return textwrap.dedent(f"""
        import errno, json, os
        written, error = 0, None
        try:
            for i in range(8):
                with open(os.path.join({str(folder)!r}, f"fill-{{i}}"), "wb") as f:
                    f.write(bytes(4 * 2**20))
                written += 4 * 2**20
        except OSError as e:
            error = errno.errorcode[e.errno]
        print(json.dumps([written, error]))
        """)


WORKER = """
import os, sys
sys.path.insert(0, sys.argv[3])
from test_sandbox import Kernel
kernel = Kernel("/tmp", sandboxed=True, socket_dir=sys.argv[1])
print(kernel.run(sys.argv[2]), end="")
print(sorted(name for name in os.listdir(sys.argv[1]) if name.startswith("fill-")))
kernel.stop()
"""


def test_socket_folder_is_capped_as_a_whole_and_private_to_its_worker(kernels):
    _, control = kernels
    sockets = control.manager.socket_dir
    assert control.json(fill(sockets)) == [32 * 2**20, None]  # control: 32 MB in a folder of the host's /tmp
    control.run(f"import glob, os\nfor f in glob.glob({sockets!r} + '/fill-*'): os.remove(f)")
    with sandbox.socket_folder() as folder:
        ran = subprocess.run([*sandbox.with_private_socket_folder(folder), sys.executable, "-c", WORKER, folder,
                              fill(folder), str(Path(__file__).parent)],
                             capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert ran.returncode == 0, ran.stderr
        filled, seen_by_worker = ran.stdout.splitlines()
        written, error = json.loads(filled)
        assert error == "ENOSPC" and written < sandbox.SOCKET_BYTES, filled  # capped as a whole
        assert seen_by_worker.startswith("['fill-0'")  # the worker saw what its kernel wrote;
        assert os.listdir(folder) == []  # the host never did, and it went with the worker


def test_socket_folder_caps_its_count_of_files(kernels):
    """Empty files fill no byte of the socket folder but each costs the host memory: their
    count is capped too (at 100,000 of them, no cap was in force)."""
    many = textwrap.dedent("""
        import errno, json, os, sys
        folder = os.path.dirname([a for a in sys.argv if a.endswith('.json')][0])
        made, error = 0, None
        try:
            while made < 100_000:
                open(os.path.join(folder, f"empty-{made}"), "w").close()
                made += 1
        except OSError as e:
            error = errno.errorcode[e.errno]
        print(json.dumps([made, error]))
        """)
    with sandbox.socket_folder() as folder:
        ran = subprocess.run([*sandbox.with_private_socket_folder(folder), sys.executable, "-c", WORKER, folder,
                              many, str(Path(__file__).parent)],
                             capture_output=True, text=True, cwd=ROOT, timeout=300)
        assert ran.returncode == 0, ran.stderr
        made, error = json.loads(ran.stdout.splitlines()[0])
        assert error == "ENOSPC" and made < sandbox.SOCKET_FILES, (made, error)
        assert os.listdir(folder) == []


def test_long_tmpdir(tmp_path, monkeypatch):
    long_tmp = tmp_path / ("t" * (150 - len(str(tmp_path)) - 1))
    long_tmp.mkdir()
    with pytest.raises(zmq.ZMQError), zmq.Context() as context, context.socket(zmq.REP) as control:
        control.bind(f"ipc://{long_tmp}/kernel-0123456789ab-ipc-1")  # what a socket under TMPDIR would meet
    monkeypatch.setenv("TMPDIR", str(long_tmp))
    tempfile.tempdir = None  # tempfile caches TMPDIR
    try:
        kernel = Kernel(tmp_path, sandboxed=True)
        try:
            assert kernel.run("print(6 * 7)").strip() == "42"
        finally:
            kernel.stop()
    finally:
        tempfile.tempdir = None


def test_grade_refuses_without_bubblewrap_then_grades_with_no_sandbox(tmp_path):
    submit(tmp_path / "submitted", "alice", "00_shapes", complete_notebook("00_shapes"))
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}  # no bwrap, no prlimit
    grade = [sys.executable, "-m", "autograder", "grade", tmp_path / "submitted", "--out", tmp_path / "out"]
    refused = subprocess.run(grade, capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    assert refused.returncode == 2, refused.stderr
    assert "apt-get install bubblewrap" in refused.stderr and "--no-sandbox" in refused.stderr
    assert not (tmp_path / "out" / "summary.csv").exists()
    graded = subprocess.run(grade + ["--no-sandbox"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    assert graded.returncode == 0, graded.stderr
    [row] = read_csv(tmp_path / "out" / "summary.csv")
    assert (row["status"], row["sandbox"]) == ("graded", "none (--no-sandbox)")
    assert row["score"] == row["max_score"]


def test_grade_sandboxed_end_to_end(tmp_path):
    submit(tmp_path / "submitted", "bob", "00_shapes", complete_notebook("00_shapes"))
    run = backprop_grade("grade", tmp_path / "submitted", "--out", tmp_path / "out", timeout=600)
    assert run.returncode == 0, run.stderr
    [row] = read_csv(tmp_path / "out" / "summary.csv")
    assert (row["status"], row["sandbox"], row["score"]) == ("graded", "bubblewrap", row["max_score"])
