// What this binary is: bpfd's version, the target architecture, and the versions of the
// statically linked libbpf, libelf and zlib as reported by those libraries at run time.
#pragma once
#include <string>

namespace bpfd {

inline constexpr const char kBpfdVersion[] = "0.1.0";

// "x86_64", "aarch64" or "armv7" (from the compiler's target macros).
const char* TargetArch();

struct LinkedVersions {
  std::string libbpf;  // e.g. "1.1.2" (major.minor from libbpf, release of the source built)
  std::string libelf;  // e.g. "0.188"
  std::string zlib;    // e.g. "1.2.13"
};
LinkedVersions GetLinkedVersions();

// Multi-line human text for --version.
std::string VersionText();

}  // namespace bpfd
