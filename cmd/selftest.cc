// bpf-selftest: can this device do BPF tracing, and if not, why. Runs the daemon's SELFTEST
// command (the checks run on the target) and formats its lines; it never touches the kernel.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "cmd/mode.h"
#include "cmd/modes.h"
#include "core/client/selftest_client.h"
#include "core/output/json.h"

namespace bpfd {
namespace {

void Usage(FILE* out) {
  std::fprintf(out,
               "Usage: bpf-selftest [-j|--json] [-v|--verbose]\n"
               "       bpfd selftest [...]\n\n"
               "Checks that this device can do BPF tracing and says why not. Every check\n"
               "prints PASS, FAIL or SKIP with a one-line reason (and a fix when it fails);\n"
               "everything the checks create is released before the command returns.\n\n"
               "Options:\n"
               "  -j, --json      {\"checks\":[{\"name\",\"status\",\"reason\",\"required\"}...],\n"
               "                  \"ok\":bool,\"summary\":\"...\"}\n"
               "  -v, --verbose   mark each line required/optional\n"
               "  --remote SPEC   check the device a remote daemon runs on (bpfd connect --help)\n"
               "  -h, --help      this text\n\n"
               "Checks (* = required: exit 0 needs them all to PASS; the others report what\n"
               "is unavailable here):\n");
  for (const SelftestCheckInfo& c : SelftestCheckList())
    std::fprintf(out, "  %c %-15s %.*s\n", c.required ? '*' : ' ', std::string(c.name).c_str(),
                 static_cast<int>(c.what.size()), c.what.data());
  std::fprintf(out,
               "\nExit codes: 0 every required check passed (tracing works), 1 a required\n"
               "check failed (the last line says why), 2 usage error.\n");
}

void PrintJson(const std::vector<SelftestCheck>& checks, const SelftestVerdict& v) {
  JsonWriter w;
  w.BeginObject().Key("checks").BeginArray();
  for (const SelftestCheck& c : checks) {
    const SelftestCheckInfo* info = FindSelftestCheck(c.name);
    w.BeginObject().Key("name").String(c.name).Key("status").String(c.status);
    w.Key("reason").String(c.reason).Key("required").Bool(info && info->required).EndObject();
  }
  w.EndArray().Key("ok").Bool(v.ok).Key("summary").String(v.summary).EndObject();
  std::printf("%s\n", w.str().c_str());
}

void PrintTable(const std::vector<SelftestCheck>& checks, const SelftestVerdict& v, bool verbose) {
  for (const SelftestCheck& c : checks) {
    const SelftestCheckInfo* info = FindSelftestCheck(c.name);
    const char* role = verbose ? (info && info->required ? "required " : "optional ") : "";
    std::printf("%-4s %s%-22s %s\n", c.status.c_str(), role, c.name.c_str(), c.reason.c_str());
  }
  std::printf("%s\n", v.summary.c_str());
}

}  // namespace

constexpr Option kFlags[] = {{"verbose", 'v'}};

int SelftestMain(int argc, char** argv) {
  ModeOptions opts;
  std::string error;
  if (ParseModeOptions(argc, argv, kFlags, &opts, &error) < 0) {
    return ReportError("bpf-selftest", opts.json, error, kExitUsage);
  }
  if (opts.help) {
    Usage(stdout);
    return 0;
  }
  if (!opts.args.empty()) {
    return ReportError("bpf-selftest", opts.json, "takes no arguments, got '" + opts.args[0] + "'",
                       kExitUsage);
  }
  std::unique_ptr<Backend> backend;
  if (OpenBackend(opts, &backend, &error) < 0) {
    return ReportError("bpf-selftest", opts.json, error);
  }
  std::vector<std::string> lines;
  long long ret = CallData(*backend, "SELFTEST", &lines);
  if (ret < 0)
    return ReportError(
        "bpf-selftest", opts.json,
        ret == -EBADMSG
            ? std::string("the daemon does not know SELFTEST; update bpfd there")
            : std::string("the SELFTEST command failed: ") + std::strerror(static_cast<int>(-ret)));
  std::vector<SelftestCheck> checks;
  for (const std::string& l : lines) {
    SelftestCheck c;
    if (ParseSelftestLine(l, &c) < 0) {
      return ReportError("bpf-selftest", opts.json, "unexpected reply line from the daemon: " + l);
    }
    checks.push_back(std::move(c));
  }
  SelftestVerdict v = JudgeSelftest(checks);
  if (opts.json) {
    PrintJson(checks, v);
  } else {
    PrintTable(checks, v, opts.flags.count("verbose"));
  }
  return v.ok ? 0 : 1;
}

}  // namespace bpfd
