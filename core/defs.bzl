"""core_package: a core/ package's library (every .cc and .h but tests), one cc_test per
*_test.cc beside it, and its sources for //tests/cli:layering_test."""

load("//tests:defs.bzl", "unit_tests")

def core_package(name, deps = [], visibility = None, exclude_hdrs = [], exclude_srcs = []):
    native.cc_library(
        name = name,
        srcs = native.glob(["*.cc"], exclude = ["*_test.cc"] + exclude_srcs),
        hdrs = native.glob(["*.h"], exclude = exclude_hdrs),
        copts = ["-Wall", "-Wextra"],
        deps = deps,
        visibility = visibility,
    )
    unit_tests(deps = [":" + name])
    native.filegroup(
        name = "sources",
        srcs = native.glob(["*.cc", "*.h"]),
        visibility = ["//tests/cli:__pkg__"],
    )
