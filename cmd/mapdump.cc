// bpf-mapdump: what is in the kernel's maps. A client of the protocol core: every kernel
// access is a protocol command (core/daemon/maps.cc); formatting is core/output/map_format.cc.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "cmd/mode.h"
#include "cmd/modes.h"
#include "core/client/map_client.h"
#include "core/output/btf_format.h"
#include "core/output/map_format.h"
#include "core/output/names.h"
#include "core/wire/tokens.h"

namespace bpfd {
namespace {

constexpr const char kUsage[] =
    "Usage: bpf-mapdump [-j|--json] [list]\n"
    "       bpf-mapdump [-j|--json] id ID | pinned PATH | name NAME\n"
    "       bpf-mapdump -h|--help\n"
    "\n"
    "What is in the kernel's BPF maps (any process's, reached by id).\n"
    "\n"
    "  list            (or no argument) every map: id, type, name, key/value size, max\n"
    "                  entries, flags, memlock bytes, BTF id, pinned paths under /sys/fs/bpf\n"
    "  id ID           dump the map with this id\n"
    "  pinned PATH     dump the map pinned at PATH (a bpffs path)\n"
    "  name NAME       dump the map with this name (several maps named so: use its id)\n"
    "\n"
    "Entries are hex bytes (\"key: 01 00  value: 2a 00\"); when the map carries BTF, keys\n"
    "and values are shown by their types (structs, arrays, strings, enums, ...). Per-CPU maps\n"
    "show one value per CPU.\n"
    "\n"
    "Options:\n"
    "  -j, --json      compact JSON: the listing as an array of objects; a dump as an array\n"
    "                  of {\"key\":[hex bytes],\"value\":[...]} (per-CPU: \"values\":[{\"cpu\":N,\n"
    "                  \"value\":[...]}]), plus \"formatted\" when the map has BTF\n"
    "  --remote SPEC   run against a remote daemon (see `bpfd connect --help`)\n"
    "  -h, --help      this text\n"
    "\n"
    "Exit status: 0 ok, 1 the operation failed (no such map, no BPF access, ...),\n"
    "2 usage error.\n";

int Fail(bool json, const std::string& msg) { return ReportError("bpf-mapdump", json, msg); }

std::string Why(long long err) {
  if (err == -EPERM || err == -EACCES)
    return "permission denied (run as root, or with CAP_BPF/CAP_SYS_ADMIN)";
  if (err == -ENOSYS) return "this kernel (or emulator) has no bpf() system call";
  if (err == -EPROTO) return "the daemon's reply was malformed";
  return std::strerror(static_cast<int>(-err));
}

int List(Backend& b, bool json) {
  std::vector<MapRecord> maps;
  long long r = ListMaps(b, &maps);
  if (r < 0) return Fail(json, "cannot list maps: " + Why(r));
  WriteMapList(maps, json, stdout);
  return 0;
}

// The single map `how value` names, or an exit code with the error said.
int Resolve(Backend& b, bool json, const std::string& how, const std::string& value, MapRecord* m) {
  std::vector<MapRecord> maps;
  uint32_t id;
  if (how == "id" && !ParseUint32(value, &id))
    return ReportError("bpf-mapdump", json, "'" + value + "' is not a map id (a decimal number)",
                       kExitUsage);
  long long r = FindMaps(b, how, value, &maps);
  std::string hint = " (list them with 'bpf-mapdump')";
  if (r == -ENOENT) {
    if (how == "pinned") return Fail(json, "nothing is pinned at " + value + hint);
    return Fail(json, "no map with " + how + " " + value + hint);
  }
  if (r == -EINVAL && how == "pinned") return Fail(json, value + " is not a pinned map" + hint);
  if (r < 0) return Fail(json, "cannot look up map " + how + " " + value + ": " + Why(r));
  if (maps.size() != 1) {
    std::string ids;
    for (const MapRecord& x : maps) ids += (ids.empty() ? "" : ", ") + std::to_string(x.id);
    return Fail(json, std::to_string(maps.size()) + " maps are named " + value +
                          "; dump one with 'bpf-mapdump id ID' (ids: " + ids + ")");
  }
  *m = maps[0];
  return 0;
}

int Dump(Backend& b, const std::string& how, const std::string& value, bool json) {
  MapRecord m;
  if (int rc = Resolve(b, json, how, value, &m)) return rc;
  MapEntries entries;
  long long r = DumpMap(b, m, &entries);
  std::string what = "map " + std::to_string(m.id) + " (" + MapTypeName(m.type) + ")";
  if (r == -EOPNOTSUPP || r == -524 || r == -EINVAL)
    return Fail(json, what + " cannot be dumped: its type has no user-space lookup");
  if (r == -ENOENT) return Fail(json, what + " went away while being dumped");
  if (r < 0) return Fail(json, "cannot dump " + what + ": " + Why(r));
  std::unique_ptr<BtfTypes> btf;
  if (m.btf_id && (m.btf_key_type_id || m.btf_value_type_id)) {
    std::vector<uint8_t> raw;
    long long br = GetBtf(b, m.btf_id, &raw);
    if (br >= 0) btf = BtfTypes::FromRaw(raw);
    if (!btf)
      std::fprintf(stderr, "bpf-mapdump: map %u's BTF %u is unreadable; showing hex bytes\n", m.id,
                   m.btf_id);
  }
  WriteMapEntries(m, entries, btf.get(), json, stdout);
  return 0;
}

}  // namespace

int MapdumpMain(int argc, char** argv) {
  ModeOptions opts;
  std::string error;
  if (ParseModeOptions(argc, argv, {}, &opts, &error) < 0) {
    return ReportError("bpf-mapdump", opts.json, error, kExitUsage);
  }
  if (opts.help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  const auto& a = opts.args;
  bool list = a.empty() || (a.size() == 1 && a[0] == "list");
  bool dump = a.size() == 2 && (a[0] == "id" || a[0] == "pinned" || a[0] == "name");
  if (!list && !dump) {
    return ReportError("bpf-mapdump", opts.json,
                       "expected 'list', 'id ID', 'pinned PATH' or 'name NAME'", kExitUsage);
  }
  std::unique_ptr<Backend> backend;
  if (OpenBackend(opts, &backend, &error) < 0) return Fail(opts.json, error);
  int rc = list ? List(*backend, opts.json) : Dump(*backend, a[0], a[1], opts.json);
  if (std::fflush(stdout) != 0) return Fail(opts.json, "cannot write the output");
  return rc;
}

}  // namespace bpfd
