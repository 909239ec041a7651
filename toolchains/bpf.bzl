"""bpf_objects: BPF C compiled by the hermetic zig (clang) for `-target bpfel`, once per target
architecture bpfd ships (`__TARGET_ARCH_*` set for each), and embedded in a cc_library: every
binary carries the objects of every architecture, since the host picks the one for the target
it is talking to. Kernel headers are never used: sources include core/bpf/bpfd_bpf.h and
libbpf's BPF-side headers from the libbpf source the set-up fetched."""

# bpfd's name of an architecture -> libbpf's __TARGET_ARCH_ suffix.
BPF_ARCHES = {"x86_64": "x86", "aarch64": "arm64", "armv7": "arm"}

_LIBBPF_HDRS = ["@libbpf//:pub/bpf/bpf_helpers.h", "@libbpf//:pub/bpf/bpf_helper_defs.h",
                "@libbpf//:pub/bpf/bpf_tracing.h", "@libbpf//:pub/bpf/bpf_core_read.h"]

def bpf_object(name, src, arch = "x86_64", hdrs = [], out = None, **kwargs):
    """One BPF object `out` (default <src basename>.<arch>.bpf.o) from `src`, for `arch`."""
    out = out or "%s.%s.bpf.o" % (src[:-len(".bpf.c")], arch)
    native.genrule(
        name = name,
        srcs = [src] + hdrs + _LIBBPF_HDRS,
        outs = [out],
        tools = ["@zig_sdk//:zig-cc"],
        # -g: BTF for CO-RE and for printing records and maps by their types.
        cmd = ("$(location @zig_sdk//:zig-cc) -target bpfel-freestanding -O2 -g " +
               "-Wall -Werror -D__TARGET_ARCH_%s -I. " % BPF_ARCHES[arch] +
               "-I$$(dirname $$(dirname $(location @libbpf//:pub/bpf/bpf_helpers.h))) " +
               "-c $(location %s) -o $@" % src),
        **kwargs
    )
    return out

def bpf_objects(name, srcs, hdrs = [], visibility = None):
    """One <src>.<arch>.bpf.o per source and arch, and cc_library `name` embedding them all
    (see core/bpf/builtin.h). A source's object name is its basename without .bpf.c."""
    objs = []
    for src in srcs:
        base = src[:-len(".bpf.c")]
        for arch in BPF_ARCHES:
            out = bpf_object(name = "%s_%s_bpf" % (base, arch), src = src, arch = arch, hdrs = hdrs,
                             visibility = ["//tests:__subpackages__"])
            objs.append((base, arch, out))
    native.genrule(
        name = name + "_embed",
        srcs = [o[2] for o in objs],
        outs = [name + "_embedded.cc"],
        tools = ["//core/bpf:embed.sh"],
        cmd = "$(location //core/bpf:embed.sh) " +
              " ".join(["%s %s $(location %s)" % o for o in objs]) + " > $@",
    )
    native.cc_library(
        name = name,
        srcs = [name + "_embedded.cc", "//core/bpf:builtin.cc"],
        hdrs = ["//core/bpf:builtin.h"],
        copts = ["-Wall", "-Wextra"],
        deps = ["@zlib"],
        visibility = visibility,
    )
