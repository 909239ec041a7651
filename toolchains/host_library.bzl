"""host_library: builds a cc_binary(linkshared) for the glibc host platform, whatever the
target platform of the build, and puts the .so in this package under the rule's name (so
`bpfd remote` finds it beside the binary)."""

load(":release.bzl", "copy_executable")

_HOST_PLATFORM = "//platforms:linux_x86_64_gnu"

def _host_transition_impl(settings, attr):
    return {
        "//command_line_option:platforms": _HOST_PLATFORM,
        "//command_line_option:platform_suffix": "x86_64_gnu",
        # Only the dynamic symbols matter to a preloaded library (-5 MB of symbol table).
        "//command_line_option:strip": "always",
    }

_host_transition = transition(
    implementation = _host_transition_impl,
    inputs = [],
    outputs = [
        "//command_line_option:platforms",
        "//command_line_option:platform_suffix",
        "//command_line_option:strip",
    ],
)

def _host_library_impl(ctx):
    src = ctx.files.library[0]
    out = ctx.actions.declare_file(ctx.label.name)
    copy_executable(ctx, src, out)
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

host_library = rule(
    implementation = _host_library_impl,
    attrs = {
        "library": attr.label(cfg = _host_transition, mandatory = True),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
)
