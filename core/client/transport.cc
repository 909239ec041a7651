#include "core/client/transport.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#if __has_include(<linux/vm_sockets.h>)
#include <linux/vm_sockets.h>
#endif

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/base/self_exe.h"
#include "core/client/listener_auth.h"
#include "core/wire/framing.h"
#include "core/wire/tokens.h"

namespace bpfd {
namespace {

constexpr char kSpecHelp[] =
    "expected process[:PATH], cmd:COMMAND, ssh:[USER@]HOST[:PORT][:PATH], adb[:SERIAL][:PATH], "
    "unix:PATH, tcp:HOST:PORT or vsock:CID:PORT";

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char ch : s)
    if (ch < '0' || ch > '9') return false;
  return true;
}

// Splits "a:b:c" at ':' (at most `max` parts; the last keeps the rest).
std::vector<std::string> SplitColon(std::string_view s, size_t max) {
  std::vector<std::string> parts;
  while (parts.size() + 1 < max) {
    size_t c = s.find(':');
    if (c == std::string_view::npos) break;
    parts.emplace_back(s.substr(0, c));
    s.remove_prefix(c + 1);
  }
  parts.emplace_back(s);
  return parts;
}

// A shell word: 'x' with embedded quotes escaped.
std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char ch : s) q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return q + "'";
}

int ConnectSocket(const RemoteSpec& spec, int timeout_ms, UniqueFd* out, std::string* error) {
  int family = AF_UNIX;
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (spec.kind == RemoteSpec::Kind::kUnix) {
    auto* un = reinterpret_cast<sockaddr_un*>(&ss);
    if (spec.path.size() >= sizeof(un->sun_path)) {
      *error = "unix socket path too long: " + spec.path;
      return -ENAMETOOLONG;
    }
    un->sun_family = AF_UNIX;
    std::memcpy(un->sun_path, spec.path.data(), spec.path.size());
    len = sizeof(sockaddr_un);
  } else if (spec.kind == RemoteSpec::Kind::kTcp) {
    addrinfo hints{}, *res = nullptr;
    hints.ai_socktype = SOCK_STREAM;
    int g = getaddrinfo(spec.host.c_str(), spec.port.c_str(), &hints, &res);
    if (g != 0 || !res) {
      *error = "cannot resolve " + spec.host + ":" + spec.port + ": " + gai_strerror(g);
      return -EHOSTUNREACH;
    }
    family = res->ai_family;
    std::memcpy(&ss, res->ai_addr, res->ai_addrlen);
    len = res->ai_addrlen;
    freeaddrinfo(res);
  } else {
#ifdef AF_VSOCK
    auto* vm = reinterpret_cast<sockaddr_vm*>(&ss);
    uint32_t cid, port;
    if (!ParseUint32(spec.host, &cid) || !ParseUint32(spec.port, &port)) return -EINVAL;
    vm->svm_family = AF_VSOCK;
    vm->svm_cid = cid;
    vm->svm_port = port;
    family = AF_VSOCK;
    len = sizeof(sockaddr_vm);
#else
    *error = "vsock is not supported by this build";
    return -EAFNOSUPPORT;
#endif
  }
  UniqueFd fd(socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) {
    *error = std::string("socket: ") + std::strerror(errno);
    return -errno;
  }
  // A bounded connect: send/receive timeouts also bound a blocking connect on Linux.
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  if (spec.kind == RemoteSpec::Kind::kTcp) {  // a line protocol: no Nagle delay per line
    int on = 1;
    setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
  }
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) < 0) {
    int e = errno == EINPROGRESS ? ETIMEDOUT : errno;
    *error = "cannot connect to the daemon: " + std::string(std::strerror(e)) +
             " (is `bpfd --listen` running there?)";
    return -e;
  }
  *out = std::move(fd);
  return 0;
}

}  // namespace

int ParseRemoteSpec(std::string_view spec, RemoteSpec* out, std::string* error) {
  using Kind = RemoteSpec::Kind;
  *out = RemoteSpec{};
  size_t colon = spec.find(':');
  std::string_view kind = spec.substr(0, colon);
  std::string_view rest = colon == std::string_view::npos ? "" : spec.substr(colon + 1);
  auto bad = [&](const std::string& why) {
    *error = "bad remote '" + std::string(spec) + "': " + why + "; " + kSpecHelp;
    return -EINVAL;
  };
  if (kind == "process" || kind == "shell") {
    out->kind = Kind::kProcess;
    out->path = std::string(rest);
  } else if (kind == "cmd") {
    if (rest.empty()) return bad("cmd needs a COMMAND");
    out->kind = Kind::kCmd;
    out->path = std::string(rest);
  } else if (kind == "ssh") {
    std::vector<std::string> p = SplitColon(rest, 3);
    if (p[0].empty()) return bad("ssh needs a HOST");
    if (p[0][0] == '-') return bad("ssh HOST '" + p[0] + "' starts with '-'");
    out->kind = Kind::kSsh;
    out->host = p[0];
    size_t i = 1;
    if (i < p.size() && AllDigits(p[i])) out->port = p[i++];
    if (i < p.size()) {  // the rest is the path (it may contain ':')
      std::string path = p[i++];
      for (; i < p.size(); ++i) path += ":" + p[i];
      out->path = path;
    }
  } else if (kind == "adb") {
    out->kind = Kind::kAdb;
    // adb[:SERIAL][:PATH]: a PATH starts with '/'.
    if (!rest.empty() && rest[0] != '/') {
      size_t c = rest.find(':');
      out->host = std::string(rest.substr(0, c));
      rest = c == std::string_view::npos ? "" : rest.substr(c + 1);
    }
    out->path = std::string(rest);
  } else if (kind == "unix") {
    if (rest.empty()) return bad("unix needs a PATH");
    out->kind = Kind::kUnix;
    out->path = std::string(rest);
  } else if (kind == "tcp" || kind == "vsock") {
    size_t c = rest.rfind(':');
    if (c == std::string_view::npos || !AllDigits(rest.substr(c + 1)) || c == 0)
      return bad(std::string(kind) + " needs HOST:PORT");
    out->kind = kind == "tcp" ? Kind::kTcp : Kind::kVsock;
    out->host = std::string(rest.substr(0, c));
    if (out->host.size() > 2 && out->host.front() == '[' && out->host.back() == ']')
      out->host = out->host.substr(1, out->host.size() - 2);  // [::1]
    out->port = std::string(rest.substr(c + 1));
  } else {
    return bad("unknown kind '" + std::string(kind) + "'");
  }
  return 0;
}

std::string RemoteSpecFromEnv() {
  const char* remote = std::getenv("BCC_REMOTE");
  if (!remote || !*remote) return "";
  const char* args = std::getenv("BCC_REMOTE_ARGS");
  std::string spec = remote;
  if (args && *args) spec += std::string(":") + args;
  return spec;
}

std::vector<std::string> RemoteArgv(const RemoteSpec& spec) {
  using Kind = RemoteSpec::Kind;
  switch (spec.kind) {
    case Kind::kProcess: {
      std::string path = spec.path.empty() ? SelfExePath() : spec.path;
      return {path.empty() ? "bpfd" : path, "daemon"};
    }
    case Kind::kCmd:
      return {"/bin/sh", "-c", spec.path};
    case Kind::kSsh: {
      std::vector<std::string> argv = {"ssh", "-T", "-o", "BatchMode=yes"};
      if (!spec.port.empty()) argv.insert(argv.end(), {"-p", spec.port});
      // "--": a HOST like "-oProxyCommand=..." is a host name, never an option.
      argv.insert(argv.end(), {"--", spec.host, spec.path.empty() ? "bpfd" : spec.path});
      return argv;
    }
    case Kind::kAdb: {
      std::vector<std::string> argv = {"adb"};
      if (!spec.host.empty()) argv.insert(argv.end(), {"-s", spec.host});
      std::string path = ShellQuote(spec.path.empty() ? "/data/local/tmp/bpfd" : spec.path);
      argv.insert(argv.end(), {"shell", "if [ \"$(id -u)\" = 0 ]; then exec " + path +
                                            "; else exec su 0 " + path + "; fi"});
      return argv;
    }
    default:
      return {};
  }
}

namespace {

// COMPRESS deflate: replies come deflated from now on (wire/deflated_reply.h). Posted, so it
// costs no round trip at start-up: a daemon that predates it answers "Command not recognized"
// (skipped unread) and never sends a deflated line, so inflating stays harmless there.
void AskDeflate(ProtocolClient* c, int timeout_ms) {
  if (c->Post("COMPRESS deflate", timeout_ms) == 0) c->set_inflate(true);
}

// What a new connection sends before anything else: COMPRESS deflate when wanted, then the
// caller's asks. 0 or -errno.
int SendEarly(const RemoteSpec& spec, const ConnectOptions& opts, ProtocolClient* c) {
  const char* env = getenv("BPFD_DEFLATE");
  bool deflate = env ? std::string_view(env) != "0" : spec.kind != RemoteSpec::Kind::kProcess;
  if (deflate) AskDeflate(c, opts.timeout_ms);
  for (const std::string& line : opts.ask)
    if (int r = c->Ask(line, opts.timeout_ms); r < 0) return r;
  return 0;
}

}  // namespace

int ConnectRemote(const RemoteSpec& spec, const ConnectOptions& opts, ProtocolClient* c,
                  std::string* error) {
  using Kind = RemoteSpec::Kind;
  const std::string no_write = "cannot write to the daemon: ";
  if (spec.kind == Kind::kUnix || spec.kind == Kind::kTcp || spec.kind == Kind::kVsock) {
    UniqueFd fd;
    int r = ConnectSocket(spec, opts.timeout_ms, &fd, error);
    if (r < 0) return r;
    r = c->Attach(std::move(fd));
    // Authentication ends with the banner read.
    if (r == 0) r = AuthenticateToListener(c, opts.token_file, opts.timeout_ms, error);
    if (r == 0 && (r = SendEarly(spec, opts, c)) < 0) *error = no_write + std::strerror(-r);
    return r;
  }
  SpawnOptions so;
  so.stderr_fd = opts.stderr_fd;
  so.new_session = opts.new_session;
  std::vector<std::string> argv = RemoteArgv(spec);
  int r = c->Spawn(argv, so);
  if (r < 0) {
    *error = "cannot start '" + argv[0] + "': " + std::strerror(-r);
    return r;
  }
  // The daemon reads them once it has started: over ssh or adb their trip overlaps its start.
  // A write that fails here (it could not start) leaves the banner wait to say why.
  const int early = SendEarly(spec, opts, c);
  r = c->WaitBanner(opts.timeout_ms);
  if (r < 0) {
    *error = r == -ETIMEDOUT ? "the daemon did not answer within " +
                                   std::to_string(opts.timeout_ms / 1000) + " s"
             : r == -ECONNRESET ? "the daemon closed the connection before its banner (it "
                                  "could not start: see its stderr)"
                                : std::string("no banner from the daemon: ") + std::strerror(-r);
    return r;
  }
  if (early < 0) *error = no_write + std::strerror(-early);
  return early;
}

int RemoteBackend::Call(std::string_view line, std::vector<std::string>* lines) {
  int r = client_.Call(line, lines, timeout_ms_);
  if (r < 0) return r;
  if (lines->size() == 1 && (*lines)[0] == kNotRecognized) return -EBADMSG;
  return 0;
}

}  // namespace bpfd
