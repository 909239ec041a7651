"""release: builds one binary for several platforms (a transition per architecture) and
lays them out as <dir>/bpfd-<arch> plus <dir>/SHA256SUMS."""

def copy_executable(ctx, src, out):
    """Declares the action copying src to out (mode 0755)."""
    ctx.actions.run_shell(
        inputs = [src],
        outputs = [out],
        command = "cp \"$1\" \"$2\" && chmod 0755 \"$2\"",
        arguments = [src.path, out.path],
    )

def _arch_transition_impl(settings, attr):
    return {
        arch: {
            "//command_line_option:platforms": platform,
            "//command_line_option:platform_suffix": arch,
            # Release files are stripped (-Wl,-S: zig drops the whole symbol table).
            "//command_line_option:strip": "always" if attr.strip else "never",
        }
        for arch, platform in attr.platforms.items()
    }

_arch_transition = transition(
    implementation = _arch_transition_impl,
    inputs = [],
    outputs = [
        "//command_line_option:platforms",
        "//command_line_option:platform_suffix",
        "//command_line_option:strip",
    ],
)

def _release_impl(ctx):
    outs = []
    for arch, target in ctx.split_attr.binary.items():
        if arch == None:
            # One platform that is the current configuration's: Bazel 4 then gives the split no
            # key, and the file would be named "<stem>-None".
            arch = ctx.attr.platforms.keys()[0]
        src = target[DefaultInfo].files_to_run.executable
        out = ctx.actions.declare_file("%s/%s-%s" % (ctx.label.name, ctx.attr.stem, arch))
        copy_executable(ctx, src, out)
        outs.append(out)
    for src in ctx.files.extra:
        out = ctx.actions.declare_file("%s/%s" % (ctx.label.name, src.basename))
        copy_executable(ctx, src, out)
        outs.append(out)
    if not ctx.attr.sums:
        return [DefaultInfo(files = depset(outs), runfiles = ctx.runfiles(files = outs))]
    sums = ctx.actions.declare_file(ctx.label.name + "/SHA256SUMS")
    ctx.actions.run_shell(
        inputs = outs,
        outputs = [sums],
        command = "cd \"$(dirname \"$1\")\" && sha256sum " +
                  " ".join(sorted([o.basename for o in outs])) +
                  " > SHA256SUMS",
        arguments = [sums.path],
    )
    return [DefaultInfo(files = depset(outs + [sums]))]

release = rule(
    implementation = _release_impl,
    attrs = {
        "binary": attr.label(cfg = _arch_transition, mandatory = True),
        "platforms": attr.string_dict(mandatory = True),
        "stem": attr.string(default = "bpfd"),
        "extra": attr.label_list(
            allow_files = True,
            doc = "files shipped beside the binaries as they are (the host library)",
        ),
        "sums": attr.bool(default = True, doc = "also write SHA256SUMS"),
        "strip": attr.bool(default = True, doc = "strip the binaries (False: keep the symbol table)"),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
)

def _strip_transition_impl(settings, attr):
    return {"//command_line_option:strip": "always"}

_strip_transition = transition(
    implementation = _strip_transition_impl,
    inputs = [],
    outputs = ["//command_line_option:strip"],
)

def _stripped_impl(ctx):
    src = ctx.attr.binary[0][DefaultInfo].files_to_run.executable
    out = ctx.actions.declare_file("%s/%s" % (ctx.label.name, src.basename))
    copy_executable(ctx, src, out)
    return [DefaultInfo(files = depset([out]), executable = out)]

# stripped: the binary as //:release ships it, for the current platform (<name>/<basename>).
stripped = rule(
    implementation = _stripped_impl,
    executable = True,
    attrs = {
        "binary": attr.label(cfg = _strip_transition, mandatory = True, executable = True),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
)
