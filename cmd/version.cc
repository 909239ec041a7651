#include "cmd/version.h"

#include <bpf/libbpf.h>
#include <libelf.h>
#include <zlib.h>

#include "third_party/elfutils/bpfd_libelf_version.h"

namespace bpfd {

const char* TargetArch() {
  // From the Bazel platform (core/BUILD.bazel): clang's __ARM_ARCH follows zig's bare "arm"
  // triple (6) even when the code is generated for ARMv7, so macros cannot be trusted here.
  return BPFD_TARGET_ARCH;
}

LinkedVersions GetLinkedVersions() {
  LinkedVersions v;
  v.libbpf = std::to_string(libbpf_major_version()) + "." + std::to_string(libbpf_minor_version());
#ifdef BPFD_LIBBPF_SOURCE_RELEASE
  // The library reports major.minor; keep its word and add the patch level of the source.
  std::string release = BPFD_LIBBPF_SOURCE_RELEASE;
  if (release.rfind(v.libbpf + ".", 0) == 0) v.libbpf = release;
#endif
  v.libelf = bpfd_libelf_version();
  v.zlib = zlibVersion();
  return v;
}

std::string VersionText() {
  LinkedVersions v = GetLinkedVersions();
  std::string out = std::string("bpfd ") + kBpfdVersion + "\n";
  out += std::string("arch: ") + TargetArch() + " (static, musl)\n";
  out += "libbpf: " + v.libbpf + " (" + libbpf_version_string() + ")\n";
  out += "libelf: " + v.libelf + " (elf_version " + std::to_string(elf_version(EV_NONE)) + ")\n";
  out += "zlib: " + v.zlib + "\n";
  return out;
}

}  // namespace bpfd
