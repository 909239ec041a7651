#include "core/kernel/kconfig.h"

#include <errno.h>
#include <unistd.h>
#include <zlib.h>

#include "core/kernel/tracefs.h"

namespace bpfd {
namespace {

constexpr char kProcConfig[] = "/proc/config.gz";

// Reads a gzip file whole with zlib. 0 or -errno.
int ReadGzip(const char* path, std::string* out) {
  gzFile f = gzopen(path, "rb");
  if (!f) return errno ? -errno : -ENOMEM;
  out->clear();
  char buf[4096];
  int r = 0;
  while (gzgets(f, buf, sizeof(buf))) out->append(buf);
  int err = 0;
  gzerror(f, &err);
  if (err != Z_OK && err != Z_STREAM_END) r = err == Z_ERRNO ? -errno : -EIO;
  gzclose(f);
  return r;
}

}  // namespace

int KernelConfig::Load(const std::string& release) {
  std::string text;
  if (access(kProcConfig, R_OK) == 0) {
    int r = ReadGzip(kProcConfig, &text);
    if (r < 0) return r;
    Parse(text, kProcConfig);
    return 0;
  }
  std::string boot = "/boot/config-" + release;
  if (access(boot.c_str(), R_OK) != 0) return -ENOENT;
  int r = ReadFile(boot, &text);
  if (r < 0) return r;
  Parse(text, boot);
  return 0;
}

void KernelConfig::Parse(std::string_view text, std::string source) {
  source_ = std::move(source);
  values_.clear();
  constexpr std::string_view kPrefix = "CONFIG_";
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.substr(0, kPrefix.size()) != kPrefix) continue;  // comments, "is not set"
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    values_[std::string(line.substr(kPrefix.size(), eq - kPrefix.size()))] =
        std::string(line.substr(eq + 1));
  }
}

std::string KernelConfig::Value(std::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() ? "" : it->second;
}

bool KernelConfig::Enabled(std::string_view name) const {
  std::string v = Value(name);
  return v == "y" || v == "m";
}

}  // namespace bpfd
