// bpfd push: copies the bpfd built for an Android device's architecture to it over adb.
#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cmd/mode.h"
#include "cmd/modes.h"
#include "core/base/process.h"
#include "core/base/self_exe.h"
#include "core/client/transport.h"

namespace bpfd {
namespace {

constexpr char kUsage[] =
    "Usage: bpfd push adb[:SERIAL] [--file BINARY] [--to DIR]\n"
    "Asks the device its architecture (uname -m), copies the matching release binary\n"
    "(bpfd-x86_64, bpfd-aarch64 or bpfd-armv7, looked for beside this program, in its\n"
    "release/ directory and in ./bazel-bin/release) to DIR/bpfd (default /data/local/tmp),\n"
    "marks it executable and checks that it runs there. --file pushes BINARY instead.\n"
    "Exit: 0 pushed and verified, 1 failed, 2 usage.\n";

// Release name suffix for a `uname -m`, or "" when bpfd is not built for it.
std::string ArchFor(std::string m) {
  while (!m.empty() && (m.back() == '\n' || m.back() == '\r' || m.back() == ' ')) m.pop_back();
  if (m == "x86_64") return "x86_64";
  if (m == "aarch64" || m == "arm64" || m == "armv8l") return m == "armv8l" ? "armv7" : "aarch64";
  if (m.rfind("armv7", 0) == 0) return "armv7";
  return "";
}

std::string FindBinary(const std::string& arch) {
  std::string self = SelfExePath();
  std::string dir = self.substr(0, self.rfind('/') + 1);
  const std::string name = "bpfd-" + arch;
  for (const std::string& c : {dir + name, dir + "release/" + name, "bazel-bin/release/" + name}) {
    struct stat st;
    if (stat(c.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return c;
  }
  return "";
}

int Fail(const std::string& msg) {
  std::fprintf(stderr, "bpfd push: %s\n", msg.c_str());
  return 1;
}

}  // namespace

int PushMain(int argc, char** argv) {
  std::string spec, file, to = "/data/local/tmp";
  static constexpr Option kOptions[] = {{"file", 0, true}, {"to", 0, true}};
  ParsedArgs args;
  std::string why;
  if (ParseArgs(argc, argv, kOptions, false, &args, &why) < 0 || args.positional.size() > 1) {
    if (why.empty()) why = "unexpected argument '" + args.positional[1] + "'";
    std::fprintf(stderr, "bpfd push: %s\n%s", why.c_str(), kUsage);
    return 2;
  }
  if (args.has("help")) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (args.has("file")) file = args.get("file");
  if (args.has("to")) to = args.get("to");
  if (!args.positional.empty()) spec = args.positional[0];
  RemoteSpec rs;
  std::string error;
  if (spec.empty() || ParseRemoteSpec(spec, &rs, &error) < 0 || rs.kind != RemoteSpec::Kind::kAdb) {
    std::fprintf(stderr, "bpfd push: needs adb[:SERIAL]\n%s", kUsage);
    return 2;
  }
  std::vector<std::string> adb = {"adb"};
  if (!rs.host.empty()) adb.insert(adb.end(), {"-s", rs.host});
  auto with = [&](std::vector<std::string> args) {
    std::vector<std::string> v = adb;
    v.insert(v.end(), args.begin(), args.end());
    return v;
  };
  std::string out;
  int r = RunCapture(with({"shell", "uname -m"}), &out);
  if (r != 0)
    return Fail(r < 0 ? std::string("cannot run adb: ") + std::strerror(-r) + " (is it in PATH?)"
                      : "adb shell uname -m failed: is the device connected (adb devices)?");
  std::string arch = ArchFor(out);
  if (file.empty()) {
    if (arch.empty()) return Fail("no bpfd build for this device's architecture '" + out + "'");
    file = FindBinary(arch);
    if (file.empty())
      return Fail("bpfd-" + arch +
                  " not found beside bpfd, in release/ or bazel-bin/release/; "
                  "build it with `bazel build //:release` or name it with --file");
  }
  const std::string dest = to + "/bpfd";
  if (RunCapture(with({"push", file, dest}), &out) != 0)
    return Fail("adb push " + file + " failed");
  if (RunCapture(with({"shell", "chmod 755 " + dest}), &out) != 0)
    return Fail("chmod on the device failed");
  if (RunCapture(with({"shell", dest + " --version"}), &out) != 0 ||
      out.find("arch: " + arch) == std::string::npos)
    return Fail(dest + " does not run on the device: " + out);
  std::printf("pushed %s to %s (%s)\n", file.c_str(), dest.c_str(), arch.c_str());
  return 0;
}

}  // namespace bpfd
