"""A cc_toolchain_config for `zig cc -target <triple>`: static musl binaries, libc++; or, with
`shared = True`, position-independent shared libraries for a glibc host (the LD_PRELOAD library)."""

load("@bazel_tools//tools/build_defs/cc:action_names.bzl", "ACTION_NAMES")
load(
    "@bazel_tools//tools/cpp:cc_toolchain_config_lib.bzl",
    "feature",
    "flag_group",
    "flag_set",
    "tool_path",
    "with_feature_set",
)
load("@zig_sdk//:zig_path.bzl", "ZIG_LIB")

_C_COMPILE = [ACTION_NAMES.c_compile, ACTION_NAMES.assemble, ACTION_NAMES.preprocess_assemble]
_CXX_COMPILE = [
    ACTION_NAMES.cpp_compile,
    ACTION_NAMES.cpp_header_parsing,
    ACTION_NAMES.cpp_module_compile,
    ACTION_NAMES.linkstamp_compile,
]
_LINK = [
    ACTION_NAMES.cpp_link_executable,
    ACTION_NAMES.cpp_link_dynamic_library,
    ACTION_NAMES.cpp_link_nodeps_dynamic_library,
]
_LINK_SHARED = [ACTION_NAMES.cpp_link_dynamic_library, ACTION_NAMES.cpp_link_nodeps_dynamic_library]

def _flags(actions, flags, features = None, not_features = None):
    fs = []
    if features or not_features:
        fs = [with_feature_set(features = features or [], not_features = not_features or [])]
    return flag_set(actions = actions, flag_groups = [flag_group(flags = flags)], with_features = fs)

def _impl(ctx):
    target = ["-target", ctx.attr.triple] + ctx.attr.cpu_flags
    shared = ctx.attr.shared
    libc = "glibc" if shared else "musl"

    # -target lives here (not only in the wrapper) so it is part of every action key.
    # -fno-lto: zig 0.11 crashes linking arm-linux-musleabihf with LTO.
    common = target + [
        "-fno-lto",
        "-no-canonical-prefixes",
        "-Wno-builtin-macro-redefined",
        "-D__DATE__=\"redacted\"",
        "-D__TIMESTAMP__=\"redacted\"",
        "-D__TIME__=\"redacted\"",
        "-ffunction-sections",
        "-fdata-sections",
    ]
    features = [
        feature(name = "dbg"),
        feature(name = "opt"),
        feature(name = "fastbuild"),
        feature(name = "supports_pic", enabled = shared),
        feature(name = "supports_dynamic_linker", enabled = shared),
        feature(
            name = "pic",
            enabled = shared,
            flag_sets = [flag_set(
                actions = _C_COMPILE + _CXX_COMPILE,
                flag_groups = [flag_group(flags = ["-fPIC"])],
            )],
        ),
        feature(
            name = "shared_flag",
            enabled = shared,
            flag_sets = [_flags(_LINK_SHARED, ["-shared"])],
        ),
        # Release binaries: link stripped.
        feature(
            name = "strip_all",
            flag_sets = [_flags(_LINK, ["-s"])],
        ),
        feature(
            name = "default_flags",
            enabled = True,
            flag_sets = [
                _flags(_C_COMPILE + _CXX_COMPILE, common),
                # Size matters more than speed for a file pushed to devices; one optimisation
                # level for every mode also means zig builds its libc++ once per target.
                _flags(_C_COMPILE + _CXX_COMPILE, ["-Os"], not_features = ["dbg"]),
                _flags(_C_COMPILE + _CXX_COMPILE, ["-O0", "-g"], features = ["dbg"]),
                _flags(_CXX_COMPILE, ["-std=c++20", "-lc++"]),
                # Shared (host) libraries still carry their own libc++ (zig links it
                # statically); only glibc itself is dynamic.
                _flags(_LINK, target + [
                    "-fno-lto",
                    "-lc++",
                    "-Wl,--gc-sections",
                ] + ([] if shared else ["-static"])),
            ],
        ),
    ]
    return cc_common.create_cc_toolchain_config_info(
        ctx = ctx,
        features = features,
        cxx_builtin_include_directories = [ZIG_LIB],
        toolchain_identifier = "zig-" + ctx.attr.triple,
        host_system_name = "x86_64-linux-gnu",
        target_system_name = ctx.attr.triple,
        target_cpu = ctx.attr.cpu,
        target_libc = libc,
        compiler = "zig-cc",
        abi_version = libc,
        abi_libc_version = libc,
        tool_paths = [
            tool_path(name = "gcc", path = "zig-cc"),
            tool_path(name = "ld", path = "zig-cc"),
            tool_path(name = "cpp", path = "zig-cc"),
            tool_path(name = "ar", path = "zig-ar"),
            tool_path(name = "nm", path = "/bin/false"),
            tool_path(name = "objdump", path = "/bin/false"),
            tool_path(name = "strip", path = "/bin/false"),
            tool_path(name = "gcov", path = "/bin/false"),
        ],
    )

zig_cc_toolchain_config = rule(
    implementation = _impl,
    attrs = {
        "triple": attr.string(mandatory = True),
        "cpu": attr.string(mandatory = True),
        # Extra target flags for compiling and linking (zig builds libc/libc++ to match).
        "cpu_flags": attr.string_list(),
        # A glibc host toolchain for position-independent shared libraries.
        "shared": attr.bool(default = False),
    },
    provides = [CcToolchainConfigInfo],
)
