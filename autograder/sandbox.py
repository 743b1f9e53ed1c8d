"""Run a student's kernel in a sandbox that denies everything it does not grant.

The kernel starts under bubblewrap (`bwrap`, from Debian's `bubblewrap`) and
`prlimit`. Its filesystem is built from one description, `kernel_view`, and holds
nothing else:

- the Python installation and the environment the grader runs in, read-only (with
  the system's libraries under /usr they link to);
- the student-side package `workbook_tools`, read-only, wherever it is installed;
- no file of the course, not even its own submission folder: nbgrader writes the
  notebook it runs there, test cells and hidden tests included; the kernel runs in its
  private /tmp and has the student's cells as the grader sends them;
- a private /tmp (TMPDIR and HOME), in memory, size-capped, where IPython and
  matplotlib keep their settings (the font list matplotlib finds there is the
  grader's, read-only);
- its own socket folder (`socket_dir`, made by `socket_folder`), where it binds its
  zmq sockets and the referee binds its own: a size-capped tmpfs private to the grading
  worker (`with_private_socket_folder`);
- a /dev with null, zero, random and the like, and a /proc of its own processes.

Homes, the host's /tmp (this and other runs' scratch courses), the repository (master
notebooks, the reference package, the grader's tests, its history), other sockets and
the host's processes do not exist inside.

It has no privileges, whoever runs the grader: a user namespace in which it is uid
65534 with no capabilities and `no_new_privs`, no further user namespaces, and a
seccomp filter (`syscall_filter`) under which mount, ptrace, chroot and their kin fail.
Its environment holds only `kernel_environment`. It has no network (a network namespace
of its own: abstract unix sockets are per namespace too), its own process namespace
tied to the grader (everything the student's code starts dies with it), and limits on
memory (address space), the size of any file it writes, open files and, where the pids
cgroup is writable (as root), processes and threads.
"""
import functools
import importlib.util
import os
import platform
import shutil
import struct
import sys
import tempfile
import uuid
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Integer, Unicode, default

PIDS_CGROUP = Path("/sys/fs/cgroup/pids")
SOCKET_PARENT = Path("/tmp")  # zmq's ipc paths are limited to about 107 bytes: keep them short, whatever TMPDIR is
SOCKET_BYTES = 16 * 2**20  # what a grading worker's kernels may write into their socket folder, all together
SOCKET_FILES = 1024  # and how many files and folders they may keep there: each costs the host's memory, not the size
KERNEL_TMP = "/tmp"  # the kernel's own TMPDIR and HOME, inside the sandbox
KERNEL_UID = 65534  # "nobody", inside the sandbox's user namespace
PASSED_VARIABLES = ["LANG", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"]
STUDENT_PACKAGE = "workbook_tools"
REFERENCE_PACKAGE = "solutions"

MISSING_MESSAGE = (
    "bubblewrap (bwrap), prlimit or unshare is missing, so student code cannot be sandboxed: backprop-grade "
    "will not run it.\nInstall bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap; Fedora: "
    "sudo dnf install bubblewrap). On macOS or Windows, grade inside a Linux container or VM (see the "
    "README).\n--no-sandbox grades anyway, running every student's code with YOUR permissions: it can "
    "read and change your files.")


def available():
    """Whether kernels can be sandboxed here (bwrap, and util-linux's prlimit and unshare, on PATH)."""
    return all(map(shutil.which, ["bwrap", "prlimit", "unshare"]))


@dataclass(frozen=True)
class Entry:
    """One thing the kernel may see: `path` (the same inside and out), `access`
    ("read", "write", "tmpfs" for a private in-memory folder) and why it is there."""
    path: Path
    access: str
    why: str


def kernel_view(socket_dir):
    """Everything the kernel's filesystem holds: the one description of what it may see."""
    python = sorted({Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()})
    return [
        Entry(Path("/usr"), "read", "the system's programs and the libraries Python links to"),
        *[Entry(p, "read", "the Python installation and the environment the grader runs in") for p in python],
        Entry(Path("/etc/ld.so.cache"), "read", "where the dynamic linker finds libraries"),
        Entry(package_dir(STUDENT_PACKAGE), "read", "the student-side package, which the notebooks import"),
        Entry(Path(KERNEL_TMP), "tmpfs", "its private TMPDIR and HOME"),
        Entry(Path(socket_dir).resolve(), "write", "its own socket folder, shared with the grader"),
    ]


def package_dir(name):
    """The folder of an importable package, wherever it is installed (editable or not)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the package {name} is not installed")
    return Path(spec.submodule_search_locations[0]).resolve()


def check_private(view):
    """Refuse a view through which the kernel would see the reference package (a
    non-editable install puts it into the environment's site-packages)."""
    reference = package_dir(REFERENCE_PACKAGE)
    exposed = [e.path for e in view if e.access != "tmpfs" and reference.is_relative_to(e.path)]
    if exposed:
        raise RuntimeError(f"the kernel would see the reference package {reference} through {exposed[0]}: "
                           "install the course with `pip install -e .`")


def bwrap_arguments(view, filter_fd, tmp_bytes):
    """bwrap's arguments that build `view` (symlinks such as /lib -> usr/lib come with /usr)
    and take away every privilege, with the seccomp filter read from `filter_fd`."""
    arguments = ["--unshare-all", "--unshare-user", "--disable-userns", "--uid", str(KERNEL_UID),
                 "--gid", str(KERNEL_UID), "--cap-drop", "ALL", "--seccomp", str(filter_fd),
                 "--die-with-parent", "--new-session", "--clearenv", "--dev", "/dev", "--proc", "/proc"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top) and os.readlink(top).startswith("usr/"):
            arguments += ["--symlink", os.readlink(top), top]
    for entry in sorted(view, key=lambda e: len(e.path.parts)):  # parents before what is mounted inside them
        if entry.access == "tmpfs":
            arguments += ["--size", str(tmp_bytes), "--tmpfs", str(entry.path)]
        else:
            arguments += ["--ro-bind" if entry.access == "read" else "--bind", str(entry.path), str(entry.path)]
    return arguments + ["--remount-ro", "/"]  # the folders bwrap made to hold the view, in memory, stay empty


def kernel_environment():
    """The kernel's whole environment: PATH, HOME, TMPDIR and MPLCONFIGDIR of its own, from
    the grader's only LANG and the BLAS thread settings, and for ipykernel JPY_PARENT_PID=1:
    "started by a client" (else it prints a console banner) "whose pid is 1", which it never
    watches (inside, its parent is the sandbox's init; --die-with-parent ties that to the grader)."""
    env = {name: os.environ[name] for name in PASSED_VARIABLES if name in os.environ}
    return {**env, "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            "HOME": KERNEL_TMP, "TMPDIR": KERNEL_TMP, "MPLCONFIGDIR": f"{KERNEL_TMP}/matplotlib",
            "JPY_PARENT_PID": "1"}


@contextmanager
def socket_folder():
    """A new folder for kernels' sockets, at a short path whatever TMPDIR is; removed after."""
    folder = tempfile.mkdtemp(prefix="bp-", dir=SOCKET_PARENT)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def with_private_socket_folder(folder):
    """A command prefix that runs a program (a grading worker) where `folder` holds a tmpfs of
    SOCKET_BYTES and SOCKET_FILES that only it and its kernels see: a mount namespace of its own
    (and, unless root, a user namespace in which it is root, so that it may mount). Whatever a kernel writes
    there is capped as a whole and goes with the program; outside, `folder` stays empty."""
    namespaces = ["--mount"] if os.geteuid() == 0 else ["--user", "--map-root-user", "--mount"]
    mount = 'mount -t tmpfs -o "size=$1,nr_inodes=$2,mode=0700" backprop-sockets "$3" && shift 3 && exec "$@"'
    return ["unshare", *namespaces, "sh", "-c", mount, "sh", str(SOCKET_BYTES), str(SOCKET_FILES), str(folder)]


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager that starts the kernel inside the sandbox described above, with its
    sockets (ipc, and the connection file) in `socket_dir`."""

    socket_dir = Unicode(help="the folder of the kernel's sockets (see socket_folder)").tag(config=True)
    sandboxed = Bool(True, help="False runs the kernel with the grader's permissions (--no-sandbox)").tag(config=True)
    memory_bytes = Integer(3 * 2**30, help="address-space limit of the kernel").tag(config=True)
    file_bytes = Integer(256 * 2**20, help="largest file the kernel may write").tag(config=True)
    tmp_bytes = Integer(256 * 2**20, help="size of the kernel's private temporary folder").tag(config=True)
    max_processes = Integer(128, help="processes and threads, where the pids cgroup is writable").tag(config=True)

    @default("transport")
    def _default_transport(self):
        return "ipc"

    @property
    def kernel_spec(self):
        """The kernel's spec, interrupted by a message: a SIGINT to the sandbox's process
        group would reach bubblewrap itself rather than only the kernel."""
        spec = super().kernel_spec
        if spec is not None:
            spec.interrupt_mode = "message"
        return spec

    @default("ip")
    def _default_ip(self):
        """The prefix of the kernel's ipc socket paths, short and absolute (kernel and grader have
        different working folders)."""
        return str(Path(self.socket_dir, f"k{uuid.uuid4().hex[:8]}"))

    @default("connection_file")
    def _default_connection_file(self):
        return str(Path(self.socket_dir, f"kernel-{uuid.uuid4().hex[:12]}.json"))

    async def _async_pre_start_kernel(self, **kw):
        if not self.socket_dir:
            raise ValueError("SandboxedKernelManager.socket_dir is not set: make one with sandbox.socket_folder()")
        return await super()._async_pre_start_kernel(**kw)

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        if not self.sandboxed:
            return cmd
        if not available():
            raise RuntimeError(MISSING_MESSAGE)
        view = kernel_view(self.socket_dir)
        check_private(view)
        self.filter_fd = os.memfd_create("seccomp-filter", 0)
        os.write(self.filter_fd, syscall_filter())
        os.lseek(self.filter_fd, 0, os.SEEK_SET)
        sandbox = ["bwrap", *bwrap_arguments(view, self.filter_fd, self.tmp_bytes)]
        for name, value in kernel_environment().items():
            sandbox += ["--setenv", name, value]
        fonts = matplotlib_font_list()
        if fonts.is_file():  # matplotlib finds its font list at once rather than rebuilding it in every kernel
            sandbox += ["--ro-bind", str(fonts), f"{KERNEL_TMP}/matplotlib/{fonts.name}"]
        sandbox += ["--chdir", KERNEL_TMP]
        limits = ["prlimit", f"--as={self.memory_bytes}", f"--fsize={self.file_bytes}", "--nofile=512", "--core=0", "--"]
        return self._process_limit() + limits + sandbox + ["--"] + cmd

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        """Start the kernel with only its standard streams and the seccomp filter open (the
        grader's other files, such as a worker's reply pipe, stay out of its reach)."""
        if not self.sandboxed:
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        try:
            with warnings.catch_warnings():  # jupyter_client asks for close_fds=False; pass_fds overrides it
                warnings.filterwarnings("ignore", "pass_fds overriding close_fds", RuntimeWarning)
                return await super()._async_launch_kernel(kernel_cmd, pass_fds=(self.filter_fd,), **kw)
        finally:
            os.close(self.filter_fd)

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


# Seccomp: a classic BPF program (struct sock_filter: u16 code, u8 jt, u8 jf, u32 k) over
# struct seccomp_data (nr at offset 0, arch at 4), as bwrap --seccomp reads it.
LOAD_WORD, JUMP_IF_EQUAL, JUMP_IF_AT_LEAST, RETURN = 0x20, 0x15, 0x35, 0x06
ALLOW, DENY = 0x7FFF0000, 0x00050000 | 1  # SECCOMP_RET_ALLOW; SECCOMP_RET_ERRNO with EPERM
DENIED_SYSCALLS = ["mount", "umount2", "pivot_root", "chroot", "ptrace", "process_vm_readv", "process_vm_writev",
                   "unshare", "setns", "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key",
                   "open_by_handle_at", "kexec_load", "init_module", "finit_module", "delete_module",
                   "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr"]
NEW_MOUNT_API = {"open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
                 "mount_setattr": 442}
ARCHITECTURES = {  # machine: (AUDIT_ARCH_*, first number of another ABI or None, syscall numbers)
    "x86_64": (0xC000003E, 0x40000000, {
        "mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161, "ptrace": 101, "process_vm_readv": 310,
        "process_vm_writev": 311, "unshare": 272, "setns": 308, "bpf": 321, "perf_event_open": 298,
        "userfaultfd": 323, "keyctl": 250, "add_key": 248, "request_key": 249, "open_by_handle_at": 304,
        "kexec_load": 246, "init_module": 175, "finit_module": 313, "delete_module": 176, **NEW_MOUNT_API}),
    "aarch64": (0xC00000B7, None, {
        "mount": 40, "umount2": 39, "pivot_root": 41, "chroot": 51, "ptrace": 117, "process_vm_readv": 270,
        "process_vm_writev": 271, "unshare": 97, "setns": 268, "bpf": 280, "perf_event_open": 241,
        "userfaultfd": 282, "keyctl": 219, "add_key": 217, "request_key": 218, "open_by_handle_at": 265,
        "kexec_load": 104, "init_module": 105, "finit_module": 273, "delete_module": 106, **NEW_MOUNT_API}),
}


def syscall_filter(machine=None):
    """The kernel's seccomp filter: DENIED_SYSCALLS and every syscall of another ABI (32-bit,
    x32) fail with EPERM; everything else is allowed."""
    machine = machine or platform.machine()
    if machine not in ARCHITECTURES:
        raise RuntimeError(f"no seccomp filter for {machine}: the sandbox supports {', '.join(ARCHITECTURES)}")
    arch, other_abi, numbers = ARCHITECTURES[machine]
    denied = [numbers[name] for name in DENIED_SYSCALLS]
    program = [(LOAD_WORD, 0, 0, 4), (JUMP_IF_EQUAL, 1, 0, arch), (RETURN, 0, 0, DENY), (LOAD_WORD, 0, 0, 0)]
    if other_abi is not None:
        program.append((JUMP_IF_AT_LEAST, len(denied) + 1, 0, other_abi))
    program += [(JUMP_IF_EQUAL, len(denied) - i, 0, number) for i, number in enumerate(denied)]
    program += [(RETURN, 0, 0, ALLOW), (RETURN, 0, 0, DENY)]
    return b"".join(struct.pack("=HBBI", *instruction) for instruction in program)


@functools.cache
def matplotlib_font_list():
    """The grader's own matplotlib font list (built on first use, once per grading process)."""
    import matplotlib
    from matplotlib import font_manager
    return Path(matplotlib.get_cachedir(), f"fontlist-v{font_manager.FontManager.__version__}.json")


def remove_empty_cgroups():
    """Remove the pids cgroups of kernels that have ended (a cgroup in use stays)."""
    for group in PIDS_CGROUP.glob("backprop-*"):
        try:
            group.rmdir()
        except OSError:
            pass
