// bpfd connect: pipes protocol lines from stdin to a remote daemon and prints its output
// exactly as a local daemon would (banner, framed replies), e.g. `cat cmds | bpfd connect adb`.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "cmd/mode.h"
#include "cmd/modes.h"
#include "core/base/file_io.h"
#include "core/base/line_reader.h"
#include "core/client/transport.h"
#include "core/wire/reply.h"
#include "core/wire/tokens.h"

namespace bpfd {
namespace {

constexpr char kUsage[] =
    "Usage: bpfd connect [--token-file FILE] [--timeout SECONDS] [SPEC]\n"
    "Sends each line of stdin to the daemon SPEC names and prints what it answers, framed as\n"
    "the daemon frames it (STARTED_BPFD, START_BPFD_OUTPUT ... END_BPFD_OUTPUT). `exit` or end\n"
    "of input ends the session. SPEC (default: $BCC_REMOTE[:$BCC_REMOTE_ARGS], else process):\n"
    "  process[:PATH]  cmd:COMMAND  ssh:[USER@]HOST[:PORT][:PATH]  adb[:SERIAL][:PATH]\n"
    "  unix:PATH  tcp:HOST:PORT (token: --token-file or $BPFD_TOKEN_FILE)  vsock:CID:PORT\n"
    "--timeout: give up when the banner or one reply takes longer (default: 10 s for the\n"
    "banner, replies without limit).\n"
    "Exit: 0 the session ended normally, 1 the daemon could not be reached or went away,\n"
    "2 usage.\n";

}  // namespace

int ConnectMain(int argc, char** argv) {
  ConnectOptions co;
  std::string spec;
  int call_timeout_ms = -1;
  static constexpr Option kOptions[] = {{"token-file", 0, true}, {"timeout", 0, true}};
  ParsedArgs args;
  std::string why;
  uint32_t secs = 0;
  if (ParseArgs(argc, argv, kOptions, false, &args, &why) < 0 || args.positional.size() > 1 ||
      (args.has("timeout") && !ParseUint32(args.get("timeout"), &secs))) {
    if (why.empty())
      why = args.positional.size() > 1 ? "unexpected argument '" + args.positional[1] + "'"
                                       : "--timeout needs a number of seconds";
    std::fprintf(stderr, "bpfd connect: %s\n%s", why.c_str(), kUsage);
    return 2;
  }
  if (args.has("help")) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  co.token_file = args.get("token-file");
  if (args.has("timeout")) call_timeout_ms = static_cast<int>(secs) * 1000;
  if (!args.positional.empty()) spec = args.positional[0];
  if (call_timeout_ms >= 0) co.timeout_ms = call_timeout_ms;
  if (spec.empty()) spec = RemoteSpecFromEnv();
  if (spec.empty()) spec = "process";
  RemoteSpec rs;
  std::string error;
  if (ParseRemoteSpec(spec, &rs, &error) < 0) {
    std::fprintf(stderr, "bpfd connect: %s\n", error.c_str());
    return 2;
  }
  ProtocolClient c;
  if (ConnectRemote(rs, co, &c, &error) < 0) {
    std::fprintf(stderr, "bpfd connect: %s: %s\n", spec.c_str(), error.c_str());
    return 1;
  }
  std::string line;
  Reply out;  // framed exactly as the daemon frames its own replies
  if (WriteAll(STDOUT_FILENO, std::string(kBannerLine) + "\n") < 0) return 1;
  LineReader in(STDIN_FILENO);
  int r = 0;
  while (in.ReadLine(&line) > 0) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (line.substr(0, line.find(' ')) == "exit") break;  // as the daemon reads it
    r = c.CallEach(
        line,
        [&](std::string_view l) {
          out.Line(l);
          return 0;
        },
        call_timeout_ms);
    if (r < 0) break;
    if (out.Flush(STDOUT_FILENO) < 0) break;  // our reader went away
  }
  int status = c.Close(kSessionCleanupMs);
  if (r < 0) {
    std::fprintf(stderr, "bpfd connect: %s: %s\n", spec.c_str(),
                 r == -ECONNRESET || r == -EPIPE ? "the daemon went away (connection closed)"
                 : r == -ETIMEDOUT               ? "no reply within --timeout"
                                                 : std::strerror(-r));
    return 1;
  }
  if (status > 0) {
    std::fprintf(stderr, "bpfd connect: %s: the daemon exited with status %d\n", spec.c_str(),
                 status);
    return 1;
  }
  return 0;
}

}  // namespace bpfd
