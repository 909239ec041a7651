// Fetching a target's kheaders; see kheaders.h.
#include "core/client/kheaders.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/base/file_io.h"
#include "core/base/process.h"
#include "core/base/unique_fd.h"
#include "core/client/call.h"
#include "core/wire/base64.h"

namespace bpfd {
namespace {

constexpr char kKheadersPath[] = "/sys/kernel/kheaders.tar.xz";
constexpr int kFetchTimeoutMs = 120000;  // a few MB through a slow adb link

std::string Sanitize(std::string s) {
  for (char& ch : s)
    if (ch == '/' || ch == '\0') ch = '_';
  return s;
}

void RemoveTree(const std::string& path) {
  std::string ignored;
  RunCapture({"rm", "-rf", "--", path}, &ignored);
}

// The archive's bytes from the target. 0, -ENOENT (not there) or -errno with *error.
int ReadArchive(ProtocolClient& c, std::vector<uint8_t>* data, std::string* error) {
  std::string cmd = "FILE_READ " + Base64Encode(reinterpret_cast<const uint8_t*>(kKheadersPath),
                                                sizeof(kKheadersPath) - 1);
  Result<CallReply> reply = Call(c, cmd, {.timeout_ms = kFetchTimeoutMs, .needs = "`bpfd remote`"});
  if (!reply.ok()) {
    *error = std::string("fetching ") + kKheadersPath + ": " + reply.msg();
    return reply.err();
  }
  int64_t ret = reply->ret;
  if (ret == -ENOENT) {
    *error = std::string("the target has no ") + kKheadersPath +
             ": run `modprobe kheaders` there (CONFIG_IKHEADERS), or set BCC_KERNEL_SOURCE to "
             "a header tree of the target's kernel";
    return -ENOENT;
  }
  if (ret < 0) {
    *error = std::string("reading ") + kKheadersPath +
             " on the target: " + std::strerror(static_cast<int>(-ret));
    return static_cast<int>(ret);
  }
  if (reply->data.empty() || DecodeData(reply->data[0], data) < 0 ||
      data->size() != static_cast<uint64_t>(ret) || data->empty()) {
    *error = std::string("malformed FILE_READ reply for ") + kKheadersPath;
    return -EPROTO;
  }
  return 0;
}

}  // namespace

std::string HostCacheDir() {
  const char* v = std::getenv("BPFD_CACHE");
  if (v && *v) return v;
  v = std::getenv("XDG_CACHE_HOME");
  if (v && *v) return std::string(v) + "/bpfd";
  v = std::getenv("HOME");
  if (v && *v) return std::string(v) + "/.cache/bpfd";
  return "";
}

std::string KheadersDir(const std::string& cache, const TargetUname& u) {
  return cache + "/kheaders/" + Sanitize(u.release) + "-" + Sanitize(u.machine);
}

int FetchKheaders(ProtocolClient& c, const std::string& dir, std::string* error) {
  if (IsDir(dir)) return 0;  // complete: only a finished extraction is renamed to it
  std::vector<uint8_t> archive;
  int r = ReadArchive(c, &archive, error);
  if (r < 0) return r;
  size_t slash = dir.rfind('/');
  r = MakeDirs(dir.substr(0, slash));
  if (r < 0) {
    *error = "cannot create " + dir.substr(0, slash) + ": " + std::strerror(-r) +
             " (set BPFD_CACHE to a writable directory)";
    return r;
  }
  std::string tmp = dir + ".tmp-" + std::to_string(getpid());
  RemoveTree(tmp);
  if (mkdir(tmp.c_str(), 0755) < 0) {
    r = -errno;
    *error = "cannot create " + tmp + ": " + std::strerror(errno);
    return r;
  }
  std::string file = tmp + "/kheaders.tar.xz";
  r = WriteNewFile(file,
                   std::string_view(reinterpret_cast<const char*>(archive.data()), archive.size()));
  std::string out;
  int status = r < 0 ? r : RunCapture({"tar", "-xJf", file, "-C", tmp}, &out);
  if (status != 0) {
    *error = r < 0 ? "cannot write " + file + ": " + std::strerror(-r)
                   : "`tar -xJf` of the target's kheaders failed (status " +
                         std::to_string(status) + "); is xz-utils installed here?";
    RemoveTree(tmp);
    return r < 0 ? r : -EIO;
  }
  unlink(file.c_str());
  if (rename(tmp.c_str(), dir.c_str()) < 0) {
    r = -errno;
    RemoveTree(tmp);
    if (IsDir(dir)) return 0;  // a concurrent run got there first
    *error = "cannot rename " + tmp + " to " + dir + ": " + std::strerror(-r);
    return r;
  }
  return 0;
}

}  // namespace bpfd
