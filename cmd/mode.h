// What every mode shares: one getopt_long-based argument parser, the common options of the
// query modes (bpf-probes, bpf-mapdump, bpf-selftest), the Backend their protocol commands run
// on, and one error printer that follows -j. Modes never touch the kernel directly: everything
// goes through a Backend, so a remote daemon serves them unchanged.
#pragma once
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/client/backend.h"
#include "core/client/call.h"

namespace bpfd {

inline constexpr int kExitFailed = 1;  // the operation failed
inline constexpr int kExitUsage = 2;   // the command line is wrong

// One option: --name (and -c when short_name is set); with has_value it takes a value, as
// "--name VALUE", "--name=VALUE" or "-c VALUE".
struct Option {
  std::string_view name;
  char short_name = 0;
  bool has_value = false;
};

// What ParseArgs found: each given option by its long name ("" for flags; the last value
// wins) and the positional arguments in order.
struct ParsedArgs {
  std::map<std::string, std::string, std::less<>> options;
  std::vector<std::string> positional;
  bool has(std::string_view name) const { return options.find(name) != options.end(); }
  std::string get(std::string_view name) const {
    auto it = options.find(name);
    return it == options.end() ? std::string() : it->second;
  }
};

// Parses argv[1..argc) with getopt_long; argv[argc] must be NULL, as main's is. -h/--help is always
// known (as "help"). "--" ends the options; with stop_at_positional so does the first positional
// argument (a tool's argv follows). 0, or -EINVAL with *error naming the argument ("unknown option
// '--x'", "option
// '--x' needs a value").
int ParseArgs(int argc, char** argv, std::span<const Option> options, bool stop_at_positional,
              ParsedArgs* out, std::string* error);

struct ModeOptions {
  bool json = false;            // -j / --json
  bool help = false;            // -h / --help
  std::string remote;           // --remote SPEC (empty: this machine's kernel, in-process)
  std::set<std::string> flags;  // the mode's own flags that were given, by long name
  std::map<std::string, std::string, std::less<>> values;  // ... and the values of those taking one
  std::vector<std::string> args;                           // positional arguments, in order
};

// ParseArgs with the common options (-j, -h, --remote SPEC) plus the mode's own flags.
int ParseModeOptions(int argc, char** argv, std::span<const Option> mode_flags, ModeOptions* opts,
                     std::string* error);

// Prints an error as every mode does: "<mode>: <msg>" on stderr, and under -j also
// {"error":"<msg>"} on stdout (bpftool's convention) so a JSON reader sees it. A usage error
// (exit_code kExitUsage) adds "(see '<mode> --help')". Returns exit_code. Under -j, only for
// an error that ends the mode before its JSON document: stdout carries one document.
int ReportError(std::string_view mode, bool json, std::string_view msg,
                int exit_code = kExitFailed);

// The backend the options name: a remote daemon (--remote SPEC, else $BCC_REMOTE; see
// core/client/transport.h; tcp reads its token from $BPFD_TOKEN_FILE), or the local kernel
// through an in-process Session. Returns 0, or -errno with *error saying what to do.
int OpenBackend(const ModeOptions& opts, std::unique_ptr<Backend>* out, std::string* error);

}  // namespace bpfd
