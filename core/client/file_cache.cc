#include "core/client/file_cache.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "core/base/file_io.h"
#include "core/base/hex.h"
#include "core/client/kheaders.h"
#include "core/wire/cached_read.h"

namespace bpfd {
namespace {

std::string Hex(const Sha256Digest& d) { return HexOf(d.data(), d.size()); }

}  // namespace

std::string FileCache::DefaultDir() {
  const char* v = std::getenv("BPFD_REMOTE_CACHE");
  if (v && *v) return std::string_view(v) == "off" ? std::string() : std::string(v);
  std::string host = HostCacheDir();
  return host.empty() ? host : host + "/remote-files";
}

std::string FileCache::ObjectPath(const Sha256Digest& d) const {
  return dir_ + "/objects/" + Hex(d);
}

std::string FileCache::IndexPath(std::string_view path) const {
  return dir_ + "/paths/" + Hex(Sha256Of(path));
}

std::vector<Sha256Digest> FileCache::Held(std::string_view path) const {
  std::vector<Sha256Digest> out;
  std::string index;
  if (!enabled() || ReadFile(IndexPath(path), &index, 4096) < 0) return out;
  std::vector<Sha256Digest> listed;
  size_t nl = index.find('\n');
  if (ParseDigestList(index.substr(0, nl), &listed) < 0) return out;
  for (const Sha256Digest& d : listed)
    if (access(ObjectPath(d).c_str(), F_OK) == 0) out.push_back(d);
  return out;
}

bool FileCache::Load(const Sha256Digest& d, std::string* out) const {
  if (!enabled()) return false;
  const std::string object = ObjectPath(d);
  if (ReadFile(object, out) < 0) return false;
  if (Sha256Of(*out) != d) {  // damaged (a full disk, a hand edit): never served
    unlink(object.c_str());
    out->clear();
    return false;
  }
  utimensat(AT_FDCWD, object.c_str(), nullptr, 0);  // used now: evicted last
  return true;
}

void FileCache::Store(std::string_view path, std::string_view content) {
  if (!enabled()) return;
  for (const char* sub : {"", "/objects", "/paths"}) mkdir((dir_ + sub).c_str(), 0700);
  const Sha256Digest d = Sha256Of(content);
  const std::string object = ObjectPath(d);
  if (access(object.c_str(), F_OK) == 0)
    utimensat(AT_FDCWD, object.c_str(), nullptr, 0);  // held already: newest-used now
  else if (ReplaceFile(object, content) < 0)
    return;
  std::vector<Sha256Digest> digests = Held(path);
  digests.erase(std::remove(digests.begin(), digests.end(), d), digests.end());
  digests.insert(digests.begin(), d);
  if (digests.size() > kMaxCachedDigests) digests.resize(kMaxCachedDigests);
  ReplaceFile(IndexPath(path), FormatDigestList(digests) + "\n");
  Evict();
}

void FileCache::Evict() const {
  const std::string objects = dir_ + "/objects";
  DIR* d = opendir(objects.c_str());
  if (!d) return;
  std::vector<std::pair<int64_t, std::pair<std::string, uint64_t>>> all;  // mtime, name, size
  uint64_t total = 0;
  while (dirent* e = readdir(d)) {
    struct stat st;
    std::string name = objects + "/" + e->d_name;
    if (e->d_name[0] == '.' || stat(name.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    total += static_cast<uint64_t>(st.st_size);
    all.push_back({int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec,
                   {std::move(name), static_cast<uint64_t>(st.st_size)}});
  }
  closedir(d);
  std::sort(all.begin(), all.end());
  for (size_t i = 0; total > max_bytes_ && i < all.size(); ++i) {
    unlink(all[i].second.first.c_str());
    total -= all[i].second.second;
  }
}

}  // namespace bpfd
