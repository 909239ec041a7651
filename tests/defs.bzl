"""Test macros: one test target per file, tagged by naming convention (see BUILD.bazel)."""

# Every core package (system-level tests reach across sides; unit tests live beside units).
CORE = [
    "//cmd:mode",
    "//core/base",
    "//core/client",
    "//core/client:backend",
    "//core/daemon",
    "//core/kernel",
    "//core/output",
    "//core/selftest",
    "//core/wire",
]

_BPF_TAGS = ["no-sandbox", "exclusive", "bpf"]

# The architecture a test expects the binary under test to be, from the target platform.
EXPECTED_ARCH = select({
    "@platforms//cpu:x86_64": ["x86_64"],
    "@platforms//cpu:aarch64": ["aarch64"],
    "@platforms//cpu:armv7": ["armv7"],
})

def _tags(src):
    return _BPF_TAGS if src.startswith("bpf_") else []

def bpfd_cc_tests(srcs, deps = [], extra_srcs = {}, data = {}):
    """extra_srcs/data: per-test additions, keyed by the test's file name."""
    for src in srcs:
        native.cc_test(
            name = src[:-len(".cc")],
            srcs = [src] + extra_srcs.get(src, []),
            deps = CORE + ["//tests:testing"] + deps,
            data = data.get(src, []),
            tags = _tags(src),
            size = "small",
        )

def unit_tests(deps, data = {}):
    """One cc_test per *_test.cc of the calling package: unit tests live beside their units."""
    for src in native.glob(["*_test.cc"]):
        native.cc_test(
            name = src[:-len(".cc")],
            srcs = [src],
            deps = deps + ["//tests:harness"],
            data = data.get(src, []),
            tags = _tags(src),
            size = "small",
        )

def bpfd_sh_tests(srcs, data = [], binary = {}, tags = {}):
    """binary: per-test binary under test (default //cmd:bpfd); tags: per-test tags instead of
    the naming convention's. Both keyed by file name. Every test gets tests/lib."""
    for src in srcs:
        bin = binary.get(src, "//cmd:bpfd")
        native.sh_test(
            name = src[:-len(".sh")],
            srcs = [src],
            args = ["$(location %s)" % bin] + EXPECTED_ARCH,
            data = [bin, "//tests:lib"] + data,
            tags = tags.get(src, _tags(src)),
            size = "small",
        )
