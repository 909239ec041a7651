#include "preload/streams.h"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <vector>

#include "preload/prefetch.h"
#include "preload/real.h"
#include "preload/state.h"

namespace bpfd::preload {
namespace {

constexpr size_t kMaxStreamRead = 1u << 20;  // the daemon's cap
constexpr int kStreamWaitMs = 1000;          // one FILE_STREAM's wait in a blocking read

}  // namespace

bool StreamPath(const std::string& path) {
  std::string_view p = path;
  bool tracefs = false;
  for (std::string_view root : {"/sys/kernel/tracing/", "/sys/kernel/debug/tracing/"})
    tracefs = tracefs || p.substr(0, root.size()) == root;
  std::string_view base = p.substr(p.rfind('/') + 1);
  return tracefs && (base == "trace_pipe" || base == "trace_pipe_raw");
}

int OpenStream(const std::string& path, int flags) {
  State& st = State::Get();
  auto lock = st.Lock();
  if (flags & O_DIRECTORY) return FailErrno(-ENOTDIR);
  int64_t r = st.Call("FILE_OPEN " + Token(path) + " 0 0", nullptr);
  if (r < 0) return FailErrno(r);
  Obj* obj = new Obj();
  obj->kind = Kind::kStream;
  obj->path = path;
  int fd = st.InstallRemote(obj, static_cast<int>(r));
  if (fd < 0) return FailErrno(fd);
  // Placeholders are made non-blocking; this one says what the tool asked for.
  int fl = Real().fcntl(fd, F_GETFL, nullptr);
  if (fl >= 0 && !(flags & O_NONBLOCK))
    Real().fcntl(fd, F_SETFL, reinterpret_cast<void*>(static_cast<intptr_t>(fl & ~O_NONBLOCK)));
  return fd;
}

ssize_t StreamRead(const Obj& o, int fd, void* buf, size_t n) {
  if (n == 0) return 0;
  State& st = State::Get();
  StartupEnded();  // a tool that reads trace_pipe has started
  int fl = Real().fcntl(fd, F_GETFL, nullptr);
  const bool nonblock = fl >= 0 && (fl & O_NONBLOCK);
  const std::string line = "FILE_STREAM " + std::to_string(o.rfd) + " " +
                           std::to_string(std::min(n, kMaxStreamRead)) + " " +
                           std::to_string(nonblock ? 0 : kStreamWaitMs);
  for (;;) {
    std::vector<std::string> rest;
    bool interrupted;
    int64_t r;
    {
      auto lock = st.Lock();
      r = st.Call(line, &rest);
      interrupted = st.TakeInterrupted();
    }
    if (r > 0) {  // read data is never dropped, a signal or not
      std::string data;
      if (rest.empty() || !Untoken(rest[0], &data) || data.size() != static_cast<size_t>(r) ||
          data.size() > n)
        return FailErrno(-EIO);
      std::memcpy(buf, data.data(), data.size());
      return static_cast<ssize_t>(data.size());
    }
    if (r == 0) return 0;
    if (r != -EAGAIN || nonblock) return FailErrno(r);
    if (interrupted) return FailErrno(-EINTR);
  }
}

}  // namespace bpfd::preload
