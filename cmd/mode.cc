#include "cmd/mode.h"

#include <getopt.h>

#include <cerrno>
#include <cstdio>

#include "core/client/protocol_client.h"
#include "core/client/transport.h"
#include "core/daemon/local_backend.h"
#include "core/output/json.h"

namespace bpfd {

int ParseArgs(int argc, char** argv, std::span<const Option> options, bool stop_at_positional,
              ParsedArgs* out, std::string* error) {
  if (argc < 1 || argv[argc] != nullptr) {  // getopt_long reads argv[argc]: main's NULL
    *error = "internal error: argv is not NULL-terminated";
    return -EINVAL;
  }
  std::vector<Option> all(options.begin(), options.end());
  all.push_back({"help", 'h', false});
  std::vector<std::string> names;  // getopt_long keeps pointers: NUL-terminated copies
  names.reserve(all.size());
  std::vector<option> longs;
  std::string shorts = stop_at_positional ? "+:" : ":";  // '+': stop at the first positional
  for (const Option& o : all) {
    names.emplace_back(o.name);
    longs.push_back(
        {names.back().c_str(), o.has_value ? required_argument : no_argument, nullptr, 0});
    if (o.short_name) shorts += std::string(1, o.short_name) + (o.has_value ? ":" : "");
  }
  longs.push_back({nullptr, 0, nullptr, 0});
  auto bad = [&](const std::string& why) {
    *error = why;
    return -EINVAL;
  };
  opterr = 0;
  optind = 0;  // a full reset (glibc and musl): modes of the multicall binary parse in turn
  for (;;) {
    int index = -1;
    int c = getopt_long(argc, argv, shorts.c_str(), longs.data(), &index);
    if (c == -1) break;
    // The option as written ("-x", or "--name" without any "=value").
    std::string name = optopt ? "-" + std::string(1, char(optopt)) : argv[optind - 1];
    name = name.substr(0, name.find('='));
    if (c == '?') return bad("unknown option '" + name + "'");
    if (c == ':') return bad("option '" + name + "' needs a value");
    const Option* o = index >= 0 ? &all[static_cast<size_t>(index)] : nullptr;
    for (const Option& x : all)
      if (!o && x.short_name == c) o = &x;
    if (!o) return bad("unknown option '" + name + "'");
    out->options[std::string(o->name)] = o->has_value && optarg ? optarg : "";
  }
  for (int i = optind; i < argc; ++i) out->positional.emplace_back(argv[i]);
  return 0;
}

int ParseModeOptions(int argc, char** argv, std::span<const Option> mode_flags, ModeOptions* opts,
                     std::string* error) {
  std::vector<Option> all = {{"json", 'j'}, {"remote", 0, true}};
  all.insert(all.end(), mode_flags.begin(), mode_flags.end());
  ParsedArgs a;
  int r = ParseArgs(argc, argv, all, false, &a, error);
  if (r < 0) return r;
  opts->json = a.has("json");
  opts->help = a.has("help");
  opts->remote = a.get("remote");
  for (const Option& f : mode_flags) {
    if (!a.has(f.name)) continue;
    opts->flags.emplace(f.name);
    if (f.has_value) opts->values[std::string(f.name)] = a.get(f.name);
  }
  opts->args = std::move(a.positional);
  return 0;
}

int ReportError(std::string_view mode, bool json, std::string_view msg, int exit_code) {
  std::string text(msg);
  if (exit_code == kExitUsage) text += " (see '" + std::string(mode) + " --help')";
  std::fprintf(stderr, "%.*s: %s\n", static_cast<int>(mode.size()), mode.data(), text.c_str());
  if (json) {
    JsonWriter j;
    j.BeginObject().Key("error").String(text).EndObject();
    std::printf("%s\n", j.str().c_str());
    std::fflush(stdout);
  }
  return exit_code;
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
