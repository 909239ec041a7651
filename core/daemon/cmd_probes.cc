// bpf-probes' protocol extensions: a trace event's format file, the function symbols of an ELF
// file with their uprobe file offsets, and the BPF features this kernel accepts.
#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <string>

#include "core/kernel/bpf_features.h"
#include "core/daemon/handler.h"
#include "core/wire/elf_func_record.h"
#include "core/kernel/elf_image.h"
#include "core/kernel/tracefs.h"
#include "core/base/unique_fd.h"

namespace bpfd {
namespace {

// e_machine of the ELF open at fd (0 when unreadable: Load reports that properly).
uint16_t ElfMachine(int fd) {
  unsigned char hdr[EI_NIDENT + 4];
  if (::pread(fd, hdr, sizeof(hdr), 0) != static_cast<ssize_t>(sizeof(hdr))) return 0;
  bool le = hdr[EI_DATA] == ELFDATA2LSB;
  unsigned lo = hdr[EI_NIDENT + 2], hi = hdr[EI_NIDENT + 3];  // e_machine follows e_type
  return static_cast<uint16_t>(le ? lo | hi << 8 : hi | lo << 8);
}

// "<offset hex> <vaddr hex> <size> <name>" for every function symbol of the image. On 32-bit
// ARM bit 0 of a function's address only marks Thumb code: the instruction is at addr & ~1.
void FunctionLines(const ElfImage& img, bool arm, std::vector<std::string>* out) {
  constexpr uint8_t kFirstNonFuncRank = 4;  // ElfImage ranks: functions 0-2, objects 4-6
  for (const ElfImage::Symbol& s : img.symbols) {
    if (s.rank >= kFirstNonFuncRank) continue;
    uint64_t vaddr = arm ? s.addr & ~uint64_t{1} : s.addr;
    uint64_t off;
    if (!img.VaddrToFileOffset(vaddr, &off)) continue;  // not backed by the file
    out->push_back(FormatElfFuncLine({off, vaddr, s.size, std::string(img.NameOf(s))}));
  }
}

// GET_TRACE_EVENT_FORMAT category event -> "get_trace_event_format: ret=<n>" then the n lines
// of <tracefs>/events/<category>/<event>/format (tabs kept).
Verdict CmdGetTraceEventFormat(Session& s, Args a, CommandReply& r) {
  if (a[0].empty() || a[1].empty()) return Verdict::kBadArgs;
  if (!IsSafePathComponent(a[0]) || !IsSafePathComponent(a[1])) return r.Ret(-EINVAL);
  if (r.NoKernel(s)) return Verdict::kDone;
  std::string tracefs, text;
  int ret = FindTracefs(&tracefs);
  if (ret >= 0)
    ret = ReadFile(tracefs + "/events/" + std::string(a[0]) + "/" + std::string(a[1]) + "/format",
                   &text);
  if (ret < 0) return r.Ret(ret);
  std::vector<std::string> lines;
  for (size_t pos = 0; pos < text.size();) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    lines.push_back(SafeLine(std::string_view(text).substr(pos, eol - pos), true));
    pos = eol + 1;
  }
  return r.RetLines(lines);
}

// GET_ELF_FUNCS path -> "get_elf_funcs: ret=<n>" then n lines "<offset> <vaddr> <size> <name>"
// (offset and vaddr in hex without 0x, size decimal, name as in the symbol table), by address.
// -ENOEXEC: not an ELF executable or shared object.
Verdict CmdGetElfFuncs(Session& s, Args a, CommandReply& r) {
  if (a[0].empty()) return Verdict::kBadArgs;
  if (r.NoKernel(s)) return Verdict::kDone;
  UniqueFd fd(::open(std::string(a[0]).c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return r.Ret(-errno);
  std::unique_ptr<ElfImage> img;
  int ret = ElfImage::Load(fd.get(), &img);
  if (ret < 0) return r.Ret(ret);
  std::vector<std::string> lines;
  FunctionLines(*img, ElfMachine(fd.get()) == EM_ARM, &lines);
  return r.RetLines(lines);
}

// GET_BPF_FEATURES system|all -> "get_bpf_features: ret=<n>" then n "key value" lines
// (see bpf_features.h; "all" loads test programs and maps, all released before the reply).
Verdict CmdGetBpfFeatures(Session& s, Args a, CommandReply& r) {
  if (a[0] != "system" && a[0] != "all") return Verdict::kBadArgs;
  if (r.NoKernel(s)) return Verdict::kDone;
  FeatureList features;
  if (a[0] == "all") {
    ProbeAllFeatures(&features);
  } else {
    ProbeSystemFeatures(&features);
  }
  std::vector<std::string> lines;
  for (const auto& [key, value] : features) lines.push_back(key + " " + SafeLine(value));
  return r.RetLines(lines);
}

constexpr Command kProbesCommands[] = {
    {"GET_TRACE_EVENT_FORMAT", 2, "get_trace_event_format", CmdGetTraceEventFormat},
    {"GET_ELF_FUNCS", 1, "get_elf_funcs", CmdGetElfFuncs},
    {"GET_BPF_FEATURES", 1, "get_bpf_features", CmdGetBpfFeatures},
};

}  // namespace

CommandGroup ProbesCommands() { return kProbesCommands; }

}  // namespace bpfd
