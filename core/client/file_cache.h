// The host's store of large target files across runs of `bpfd remote` (BTF, kallsyms),
// content-addressed: DIR/objects/<sha256> holds a content, DIR/paths/<sha256 of the target
// path> the digests that path had, newest first (up to kMaxCachedDigests: targets share
// paths). The daemon compares (FILE_READ_CACHED), so nothing served from here can be stale: a
// reboot or a module load changes the content, and with it the digest. Best-effort: a store
// that cannot be read or written is simply not used. Not thread-safe; callers serialise.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/sha256.h"

namespace bpfd {

class FileCache {
 public:
  // `dir` "" disables the store. Contents beyond max_bytes are dropped oldest-used first.
  explicit FileCache(std::string dir, uint64_t max_bytes = uint64_t{512} << 20)
      : dir_(std::move(dir)), max_bytes_(max_bytes) {}

  // $BPFD_REMOTE_CACHE ("off": none), else HostCacheDir()/remote-files; "" when neither.
  static std::string DefaultDir();

  bool enabled() const { return !dir_.empty(); }
  const std::string& dir() const { return dir_; }
  // The digests of `path`'s earlier contents still held, newest first.
  std::vector<Sha256Digest> Held(std::string_view path) const;
  // The content with digest d, checked against it (false: missing or damaged, then removed).
  bool Load(const Sha256Digest& d, std::string* out) const;
  // Keeps `content` as path's newest, then drops the oldest-used contents beyond max_bytes.
  void Store(std::string_view path, std::string_view content);

 private:
  std::string ObjectPath(const Sha256Digest& d) const;
  std::string IndexPath(std::string_view path) const;
  void Evict() const;

  std::string dir_;
  uint64_t max_bytes_;
};

}  // namespace bpfd
