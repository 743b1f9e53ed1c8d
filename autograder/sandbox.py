"""Run a student's kernel in a sandbox.

The kernel starts under bubblewrap (`bwrap`, from Debian's `bubblewrap`) and
`prlimit`:

- no network: a network namespace of its own (the kernel talks to nbgrader over
  unix sockets, not TCP);
- its own process namespace, tied to the grader: when grading stops, everything
  the student's code started dies with it;
- a read-only view of the system (the Python environment and the student's own
  folder included), and write access only to a private temporary folder (TMPDIR,
  in memory, 256 MB, where IPython and matplotlib keep their settings; the font list
  matplotlib finds there is the grader's, read-only) and the folder of its own sockets;
- the reference package (`solutions`), the grader's tests and the repository's
  history are hidden, wherever they are installed;
- the course is hidden: the master notebooks (hidden tests), the gradebook, other
  students' submissions and the grading output are empty folders inside;
- limits: memory (address space), size of any file it writes (256 MB), open files, and,
  where the pids cgroup is writable (as root), the number of processes and threads.

Without bwrap the kernel runs unsandboxed and `available()` says so.
"""
import functools
import importlib.util
import os
import shutil
import uuid
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.paths import jupyter_runtime_dir
from traitlets import Integer, List, Unicode, default

PIDS_CGROUP = Path("/sys/fs/cgroup/pids")


def available():
    """Whether kernels can be sandboxed here (bwrap and prlimit on PATH)."""
    return bool(shutil.which("bwrap") and shutil.which("prlimit"))


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager that starts the kernel inside the sandbox described above."""

    hidden_paths = List(Unicode(), help="folders that look empty inside the sandbox").tag(config=True)
    readable_paths = List(Unicode(), help="folders inside hidden ones that the kernel may read: "
                                          "the student's own").tag(config=True)
    memory_bytes = Integer(3 * 2**30, help="address-space limit of the kernel").tag(config=True)
    file_bytes = Integer(256 * 2**20, help="largest file the kernel may write").tag(config=True)
    tmp_bytes = Integer(256 * 2**20, help="size of the kernel's private temporary folder").tag(config=True)
    max_processes = Integer(128, help="processes and threads, where the pids cgroup is writable").tag(config=True)

    @default("transport")
    def _default_transport(self):
        return "ipc" if available() else "tcp"

    @property
    def kernel_spec(self):
        """The kernel's spec, interrupted by a message: a SIGINT to the sandbox's process
        group would reach bubblewrap itself rather than only the kernel."""
        spec = super().kernel_spec
        if spec is not None and available():
            spec.interrupt_mode = "message"
        return spec

    @default("ip")
    def _default_ip(self):
        """Absolute socket paths in the runtime folder: kernel and grader have different cwds."""
        if self.transport == "ipc":
            return str(Path(jupyter_runtime_dir(), f"kernel-{uuid.uuid4().hex[:12]}-ipc"))
        return super()._ip_default()

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        if not available():
            self.log.warning("bwrap or prlimit not found: the kernel runs WITHOUT a sandbox")
            return cmd
        sockets = Path(self.ip).parent
        own_tmp = sockets / f"{Path(self.ip).name}-tmp"  # its own temporary files, in memory, capped
        own_tmp.mkdir(exist_ok=True)
        sandbox = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                   "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent",
                   # ipykernel exits when its parent pid changes; inside, its parent is the namespace's init
                   "--setenv", "JPY_PARENT_PID", "1", "--setenv", "TMPDIR", str(own_tmp),
                   "--setenv", "IPYTHONDIR", str(own_tmp / "ipython"),
                   "--setenv", "MPLCONFIGDIR", str(own_tmp / "matplotlib")]
        for path in [*self.hidden_paths, *grader_private_paths()]:
            if Path(path).is_dir():
                sandbox += ["--tmpfs", path]
            elif Path(path).exists():  # a file, such as the .git of a git worktree
                sandbox += ["--ro-bind", "/dev/null", path]
        for path in self.readable_paths:
            sandbox += ["--ro-bind", path, path]
        sandbox += ["--bind", str(sockets), str(sockets)]
        sandbox += ["--size", str(self.tmp_bytes), "--tmpfs", str(own_tmp)]
        fonts = matplotlib_font_list()
        if fonts.is_file():  # matplotlib finds its font list at once rather than rebuilding it in every kernel
            sandbox += ["--ro-bind", str(fonts), str(own_tmp / "matplotlib" / fonts.name)]
        limits = ["prlimit", f"--as={self.memory_bytes}", f"--fsize={self.file_bytes}", "--nofile=512", "--core=0", "--"]
        return self._process_limit() + limits + sandbox + ["--"] + cmd

    async def _async_shutdown_kernel(self, now=False, restart=False):
        await super()._async_shutdown_kernel(now=now, restart=restart)
        remove_empty_cgroups()

    def _process_limit(self):
        """A command prefix that moves the kernel into a new pids cgroup before it starts,
        or [] where the pids cgroup is not writable (not root)."""
        if not os.access(PIDS_CGROUP, os.W_OK):
            return []
        group = PIDS_CGROUP / f"backprop-{uuid.uuid4().hex[:12]}"
        group.mkdir()
        (group / "pids.max").write_text(str(self.max_processes))
        return ["sh", "-c", f'echo $$ > {group / "cgroup.procs"} && exec "$@"', "sh"]


@functools.cache
def matplotlib_font_list():
    """The grader's own matplotlib font list (built on first use, once per grading process)."""
    import matplotlib
    from matplotlib import font_manager
    return Path(matplotlib.get_cachedir(), f"fontlist-v{font_manager.FontManager.__version__}.json")


def grader_private_paths():
    """What no student may read, besides the course: the reference package, and in a
    clone of the repository its tests (the catalogue of answers) and its history."""
    spec = importlib.util.find_spec("solutions")
    reference = list(spec.submodule_search_locations or []) if spec else []
    project = Path(__file__).resolve().parent.parent
    return reference + [str(project / name) for name in ("grader_tests", ".git")]


def remove_empty_cgroups():
    """Remove the pids cgroups of kernels that have ended (a cgroup in use stays)."""
    for group in PIDS_CGROUP.glob("backprop-*"):
        try:
            group.rmdir()
        except OSError:
            pass
