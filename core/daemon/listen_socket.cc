#include "core/daemon/listen_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#if __has_include(<linux/vm_sockets.h>)
#include <linux/vm_sockets.h>
#endif

#include <cerrno>
#include <cstring>

#include "core/wire/tokens.h"

namespace bpfd {
namespace {

int Fail(std::string* error, const std::string& what, int err) {
  *error = what + ": " + std::strerror(err);
  return -err;
}

int BindUnix(const std::string& path, const UnixAccess& access, BoundSocket* b,
             std::string* error) {
  sockaddr_un un{};
  if (path.empty() || path.size() >= sizeof(un.sun_path)) {
    *error = "unix socket path empty or too long: '" + path + "'";
    return -EINVAL;
  }
  un.sun_family = AF_UNIX;
  std::memcpy(un.sun_path, path.data(), path.size());
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      *error = path + " exists and is not a socket; choose another path";
      return -EEXIST;
    }
    UniqueFd probe(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (probe && connect(probe.get(), reinterpret_cast<sockaddr*>(&un), sizeof(un)) == 0) {
      *error = path + " is in use by a running listener";
      return -EADDRINUSE;
    }
    unlink(path.c_str());  // stale: nobody listens there
  }
  b->fd.reset(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!b->fd) return Fail(error, "socket", errno);
  mode_t old = umask(0177);  // the socket is born 0600: no one but us until chown/chmod below
  int r = bind(b->fd.get(), reinterpret_cast<sockaddr*>(&un), sizeof(un));
  umask(old);
  if (r < 0) return Fail(error, "bind " + path, errno);
  b->unix_path = path;
  if ((access.uid != 0 || access.gid != 0) && chown(path.c_str(), access.uid, access.gid) < 0)
    return Fail(error, "chown " + path, errno);
  if (chmod(path.c_str(), access.gid != 0 ? 0660 : 0600) < 0)
    return Fail(error, "chmod " + path, errno);
  b->kind = BoundSocket::Kind::kUnix;
  b->shown = "unix:" + path;
  return 0;
}

int BindTcp(std::string_view rest, bool allow_remote, BoundSocket* b, std::string* error) {
  size_t c = rest.rfind(':');
  std::string addr = c == std::string_view::npos ? "127.0.0.1" : std::string(rest.substr(0, c));
  std::string_view port_s = c == std::string_view::npos ? rest : rest.substr(c + 1);
  if (addr.size() > 2 && addr.front() == '[') addr = addr.substr(1, addr.size() - 2);
  uint32_t port;
  if (!ParseUint32(port_s, &port) || port > 65535) {
    *error = "tcp needs [ADDR:]PORT, e.g. tcp:127.0.0.1:7878";
    return -EINVAL;
  }
  sockaddr_storage ss{};
  socklen_t len;
  bool loopback;
  auto* in4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, addr.c_str(), &in4->sin_addr) == 1) {
    in4->sin_family = AF_INET;
    in4->sin_port = htons(static_cast<uint16_t>(port));
    len = sizeof(*in4);
    loopback = (ntohl(in4->sin_addr.s_addr) >> 24) == 127;
  } else if (inet_pton(AF_INET6, addr.c_str(), &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<uint16_t>(port));
    len = sizeof(*in6);
    loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
  } else {
    *error = "tcp ADDR must be a numeric IPv4 or IPv6 address, not '" + addr + "'";
    return -EINVAL;
  }
  if (!loopback && !allow_remote) {
    *error = addr + " is not a loopback address; add --allow-remote to listen there";
    return -EINVAL;
  }
  b->fd.reset(socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!b->fd) return Fail(error, "socket", errno);
  int one = 1;
  setsockopt(b->fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (bind(b->fd.get(), reinterpret_cast<sockaddr*>(&ss), len) < 0)
    return Fail(error, "bind tcp " + addr + ":" + std::string(port_s), errno);
  getsockname(b->fd.get(), reinterpret_cast<sockaddr*>(&ss), &len);  // the real port for 0
  port = ntohs(ss.ss_family == AF_INET ? in4->sin_port : in6->sin6_port);
  b->kind = BoundSocket::Kind::kTcp;
  b->shown =
      "tcp:" + (ss.ss_family == AF_INET6 ? "[" + addr + "]" : addr) + ":" + std::to_string(port);
  return 0;
}

int BindVsock(std::string_view rest, BoundSocket* b, std::string* error) {
#ifdef AF_VSOCK
  uint32_t port;
  if (!ParseUint32(rest, &port)) {
    *error = "vsock needs a PORT, e.g. vsock:7878";
    return -EINVAL;
  }
  sockaddr_vm vm{};
  vm.svm_family = AF_VSOCK;
  vm.svm_cid = VMADDR_CID_ANY;
  vm.svm_port = port;
  b->fd.reset(socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!b->fd) return Fail(error, "vsock socket (is the vsock transport loaded?)", errno);
  if (bind(b->fd.get(), reinterpret_cast<sockaddr*>(&vm), sizeof(vm)) < 0)
    return Fail(error, "bind vsock port " + std::string(rest), errno);
  b->kind = BoundSocket::Kind::kVsock;
  b->shown = "vsock:" + std::string(rest);
  return 0;
#else
  (void)rest, (void)b;
  *error = "vsock is not supported by this build";
  return -EAFNOSUPPORT;
#endif
}

}  // namespace

int BindListenSpec(std::string_view spec, bool allow_remote, const UnixAccess& unix_access,
                   BoundSocket* out, std::string* error) {
  size_t c = spec.find(':');
  std::string_view kind = spec.substr(0, c),
                   rest = c == std::string_view::npos ? "" : spec.substr(c + 1);
  int r = kind == "unix"  ? BindUnix(std::string(rest), unix_access, out, error)
          : kind == "tcp" ? BindTcp(rest, allow_remote, out, error)
          : kind == "vsock"
              ? BindVsock(rest, out, error)
              : (*error = "--listen takes unix:PATH, tcp:[ADDR:]PORT or vsock:PORT", -EINVAL);
  if (r < 0) return r;
  if (listen(out->fd.get(), 128) < 0) return Fail(error, "listen", errno);
  return 0;
}

Peer DescribePeer(BoundSocket::Kind kind, int fd) {
  Peer p;
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (kind == BoundSocket::Kind::kUnix) {
    ucred cred{};
    socklen_t clen = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0) {
      p.has_cred = true;
      p.uid = cred.uid;
      p.gid = cred.gid;
      p.name = "uid " + std::to_string(cred.uid) + " pid " + std::to_string(cred.pid);
      p.source = "uid " + std::to_string(cred.uid);
    } else {
      p.name = p.source = "unix peer without credentials";
    }
    return p;
  }
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) < 0) {
    p.name = p.source = "unknown peer";
    return p;
  }
  char addr[INET6_ADDRSTRLEN] = "?";
  if (ss.ss_family == AF_INET) {
    auto* in4 = reinterpret_cast<sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &in4->sin_addr, addr, sizeof(addr));
    p.source = addr;
    p.name = p.source + ":" + std::to_string(ntohs(in4->sin_port));
  } else if (ss.ss_family == AF_INET6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &in6->sin6_addr, addr, sizeof(addr));
    p.source = addr;
    p.name = "[" + p.source + "]:" + std::to_string(ntohs(in6->sin6_port));
#ifdef AF_VSOCK
  } else if (ss.ss_family == AF_VSOCK) {
    auto* vm = reinterpret_cast<sockaddr_vm*>(&ss);
    p.source = "cid " + std::to_string(vm->svm_cid);
    p.name = p.source + " port " + std::to_string(vm->svm_port);
#endif
  } else {
    p.name = p.source = "peer of family " + std::to_string(ss.ss_family);
  }
  return p;
}

void SetPeerSocketOptions(BoundSocket::Kind kind, int fd) {
  if (kind != BoundSocket::Kind::kTcp) return;
  int on = 1, idle = 30, interval = 10, count = 3;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
  unsigned user_timeout_ms = 60000;
  setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof(interval));
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof(count));
  setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout_ms, sizeof(user_timeout_ms));
}

}  // namespace bpfd
