// What every mode (bpf-probes, bpf-mapdump, bpf-selftest) shares: its command line's common
// options and the Backend its protocol commands run on. Modes never touch the kernel
// directly: everything goes through Backend::Call, so a remote daemon serves them unchanged.
#pragma once
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/client/backend.h"
#include "core/client/call.h"

namespace bpfd {

struct ModeOptions {
  bool json = false;           // -j / --json
  bool help = false;           // -h / --help
  std::string remote;          // --remote SPEC (empty: this machine's kernel, in-process)
  std::set<std::string> flags; // the mode's own boolean flags that were given, e.g. "--format"
  std::vector<std::string> args;  // positional arguments, in order
};

// Parses argv[1..argc). `mode_flags` lists the mode's own boolean flags (long and short
// spellings, each recorded as written). "--" ends the options. Returns 0, or -EINVAL with
// *error saying which argument is wrong.
int ParseModeOptions(int argc, char** argv, const std::vector<std::string_view>& mode_flags,
                     ModeOptions* opts, std::string* error);

// The backend the options name: a remote daemon (--remote SPEC, else $BCC_REMOTE; see
// core/remote.h; tcp reads its token from $BPFD_TOKEN_FILE), or the local kernel through an
// in-process Session. Returns 0, or -errno with *error saying what to do.
int OpenBackend(const ModeOptions& opts, std::unique_ptr<Backend>* out, std::string* error);


}  // namespace bpfd
