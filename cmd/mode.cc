#include "cmd/mode.h"

#include <cerrno>

#include "core/client/protocol_client.h"
#include "core/client/transport.h"
#include "core/daemon/local_backend.h"

namespace bpfd {

int ParseModeOptions(int argc, char** argv, const std::vector<std::string_view>& mode_flags,
                     ModeOptions* opts, std::string* error) {
  bool options_done = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (options_done || a.empty() || a[0] != '-' || a == "-") {
      opts->args.emplace_back(a);
    } else if (a == "--") {
      options_done = true;
    } else if (a == "-j" || a == "--json") {
      opts->json = true;
    } else if (a == "-h" || a == "--help") {
      opts->help = true;
    } else if (a == "--remote" || a.rfind("--remote=", 0) == 0) {
      if (a == "--remote") {
        if (i + 1 >= argc) {
          *error = "--remote needs a SPEC, e.g. --remote process";
          return -EINVAL;
        }
        opts->remote = argv[++i];
      } else {
        opts->remote = std::string(a.substr(sizeof("--remote=") - 1));
      }
    } else {
      bool known = false;
      for (std::string_view f : mode_flags) known |= (a == f);
      if (!known) {
        *error = "unknown option '" + std::string(a) + "'";
        return -EINVAL;
      }
      opts->flags.emplace(a);
    }
  }
  return 0;
}

int OpenBackend(const ModeOptions& opts, std::unique_ptr<Backend>* out, std::string* error) {
  std::string spec = opts.remote.empty() ? RemoteSpecFromEnv() : opts.remote;
  if (spec.empty()) {
    *out = std::make_unique<LocalBackend>();
    return 0;
  }
  RemoteSpec rs;
  int r = ParseRemoteSpec(spec, &rs, error);
  if (r < 0) return r;
  auto remote = std::make_unique<RemoteBackend>();
  r = ConnectRemote(rs, ConnectOptions{}, &remote->client(), error);
  if (r < 0) {
    *error = spec + ": " + *error;
    return r;
  }
  *out = std::move(remote);
  return 0;
}

}  // namespace bpfd
