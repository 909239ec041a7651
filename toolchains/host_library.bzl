"""host_library: builds a cc_binary(linkshared) for the glibc host platform, whatever the
target platform of the build, and puts the .so in this package under the rule's name (so
`bpfd remote` finds it beside the binary)."""

_HOST_PLATFORM = "//platforms:linux_x86_64_gnu"

def _host_transition_impl(settings, attr):
    return {
        "//command_line_option:platforms": _HOST_PLATFORM,
        "//command_line_option:platform_suffix": "x86_64_gnu",
    }

_host_transition = transition(
    implementation = _host_transition_impl,
    inputs = [],
    outputs = ["//command_line_option:platforms", "//command_line_option:platform_suffix"],
)

def _host_library_impl(ctx):
    src = ctx.files.library[0]
    out = ctx.actions.declare_file(ctx.label.name)
    ctx.actions.run_shell(
        inputs = [src],
        outputs = [out],
        command = "cp \"$1\" \"$2\" && chmod 0755 \"$2\"",
        arguments = [src.path, out.path],
    )
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
