// Kernel build configuration of the running kernel: /proc/config.gz (CONFIG_IKCONFIG_PROC,
// read with zlib) or /boot/config-<release>. Values are as written: "y", "m", "\"str\"", "42".
#pragma once
#include <map>
#include <string>
#include <string_view>

namespace bpfd {

class KernelConfig {
 public:
  // Reads the first available source for kernel `release` (uname -r). Returns 0, or -ENOENT
  // when neither file exists (loaded() stays false), or the -errno of reading it.
  int Load(const std::string& release);
  // Parses config text ("CONFIG_X=y" and "# CONFIG_X is not set" lines) from `source`.
  void Parse(std::string_view text, std::string source);

  bool loaded() const { return !source_.empty(); }
  const std::string& source() const { return source_; }  // the file it came from
  // The value of CONFIG_<name> ("y", "m", ...), or "" when not set or absent.
  std::string Value(std::string_view name) const;
  // True for "y" or "m".
  bool Enabled(std::string_view name) const;

 private:
  std::string source_;
  std::map<std::string, std::string, std::less<>> values_;  // name without "CONFIG_"
};

}  // namespace bpfd
