// Symbols and processes (docs/protocol.md): kernel and user symbol resolution, a process's
// comm, and the function symbols of an ELF file with their uprobe file offsets.
//   GET_KALLSYMS                      -> /proc/kallsyms' text
//   GET_KSYM_NAME addr                -> "GET_KSYM_NAME: ret=<r>", then "name;offset;module"
//   GET_KSYM_ADDR name                -> "GET_KSYM_ADDR: ret=<r>", then the address
//   GET_USYM_NAME pid addr demangle   -> "GET_USYM_NAME: ret=<r>", then "name;offset;module"
//   GET_USYM_ADDR pid name module     -> "GET_USYM_ADDR: ret=<r>", then the address
//   COMM_FOR_PID pid                  -> the process's comm
//   GET_ELF_FUNCS path                -> ret=<n>, then "<offset> <vaddr> <size> <name>" lines
#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/base/file_io.h"
#include "core/base/unique_fd.h"
#include "core/daemon/handler.h"
#include "core/kernel/elf_image.h"
#include "core/kernel/ksyms.h"
#include "core/kernel/usyms.h"
#include "core/wire/elf_func_record.h"
#include "core/wire/tokens.h"

namespace bpfd {
namespace {

Verdict ReplySymbol(CommandReply& r, int ret, const std::string& name, uint64_t off,
                    const std::string& module) {
  r.Ret(ret);
  if (ret == 0) r.Line(SafeLine(name) + ";" + std::to_string(off) + ";" + SafeLine(module));
  return Verdict::kDone;
}

Verdict ReplyAddress(CommandReply& r, int ret, uint64_t addr) {
  r.Ret(ret);
  if (ret == 0) r.Line(std::to_string(addr));
  return Verdict::kDone;
}

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
// 0, or -ENOBUFS once the lines outgrow a reply (kMaxReplyBody: symbols sharing a long name).
int FunctionLines(const ElfImage& img, bool arm, std::vector<std::string>* out) {
  constexpr uint8_t kFirstNonFuncRank = 4;  // ElfImage ranks: functions 0-2, objects 4-6
  size_t bytes = 0;
  for (const ElfImage::Symbol& s : img.symbols) {
    if (s.rank >= kFirstNonFuncRank) continue;
    uint64_t vaddr = arm ? s.addr & ~uint64_t{1} : s.addr;
    uint64_t off;
    if (!img.VaddrToFileOffset(vaddr, &off)) continue;  // not backed by the file
    bytes += img.NameOf(s).size() + 48;
    if (bytes > kMaxReplyBody) return -ENOBUFS;
    out->push_back(FormatElfFuncLine({off, vaddr, s.size, std::string(img.NameOf(s))}));
  }
  return 0;
}

// GET_KALLSYMS -> /proc/kallsyms
Verdict CmdGetKallsyms(Session& s, Args, CommandReply& r) {
  if (r.NoKernel(s)) return Verdict::kDone;
  return ReplyFile(r, {"/proc/kallsyms"});
}

// COMM_FOR_PID pid -> the process's comm
Verdict CmdCommForPid(Session& s, Args a, CommandReply& r) {
  int pid;
  if (!ParseInt(a[0], &pid)) return Verdict::kBadArgs;
  if (pid < 0) return r.Ret(-EINVAL);
  if (r.NoKernel(s)) return Verdict::kDone;
  std::string comm;
  int ret = ReadFile("/proc/" + std::to_string(pid) + "/comm", &comm);
  if (ret < 0) return r.Ret(ret);
  if (!comm.empty() && comm.back() == '\n') comm.pop_back();
  r.Line(SafeLine(comm));
  return Verdict::kDone;
}

// GET_KSYM_NAME addr -> "GET_KSYM_NAME: ret=<r>" then "name;offset;module"
Verdict CmdGetKsymName(Session& s, Args a, CommandReply& r) {
  uint64_t addr;
  if (!ParseUint64(a[0], &addr)) return Verdict::kBadArgs;
  if (r.NoKernel(s)) return Verdict::kDone;
  std::string name, module;
  uint64_t off = 0;
  int ret = s.ksyms().Resolve(addr, &name, &off, &module);
  return ReplySymbol(r, ret, name, off, module);
}

// GET_KSYM_ADDR name -> "GET_KSYM_ADDR: ret=<r>" then the address
Verdict CmdGetKsymAddr(Session& s, Args a, CommandReply& r) {
  if (a[0].empty()) return Verdict::kBadArgs;
  if (r.NoKernel(s)) return Verdict::kDone;
  uint64_t addr = 0;
  int ret = s.ksyms().Lookup(std::string(a[0]), &addr);
  return ReplyAddress(r, ret, addr);
}

// GET_USYM_NAME pid addr demangle -> "GET_USYM_NAME: ret=<r>" then "name;offset;module"
Verdict CmdGetUsymName(Session& s, Args a, CommandReply& r) {
  int pid;
  uint64_t addr;
  uint32_t demangle;
  if (!ParseInt(a[0], &pid) || !ParseUint64(a[1], &addr) || !ParseUint32(a[2], &demangle) ||
      demangle > 1)
    return Verdict::kBadArgs;
  if (pid < 0) return r.Ret(-EINVAL);
  if (r.NoKernel(s)) return Verdict::kDone;
  std::string name, module;
  uint64_t off = 0;
  int ret = s.usyms().Resolve(pid, addr, demangle == 1, &name, &off, &module);
  return ReplySymbol(r, ret, name, off, module);
}

// GET_USYM_ADDR pid name module -> "GET_USYM_ADDR: ret=<r>" then the address
Verdict CmdGetUsymAddr(Session& s, Args a, CommandReply& r) {
  int pid;
  if (!ParseInt(a[0], &pid) || a[1].empty()) return Verdict::kBadArgs;
  if (pid < -1) return r.Ret(-EINVAL);
  if (r.NoKernel(s)) return Verdict::kDone;
  uint64_t addr = 0;
  int ret = s.usyms().Lookup(pid, std::string(a[1]), std::string(a[2]), &addr);
  return ReplyAddress(r, ret, addr);
}

// GET_ELF_FUNCS path -> "get_elf_funcs: ret=<n>" then n lines "<offset> <vaddr> <size> <name>"
// (offset and vaddr in hex without 0x, size decimal, name as in the symbol table), by address.
// -ENOEXEC: not an ELF executable or shared object.
Verdict CmdGetElfFuncs(Session& s, Args a, CommandReply& r) {
  if (a[0].empty()) return Verdict::kBadArgs;
  if (r.NoKernel(s)) return Verdict::kDone;
  UniqueFd fd;
  std::unique_ptr<ElfImage> img;
  int ret = ElfImage::OpenFile(std::string(a[0]), &fd);
  if (ret == 0) ret = ElfImage::Load(fd.get(), &img);
  if (ret < 0) return r.Ret(ret);
  std::vector<std::string> lines;
  if (FunctionLines(*img, ElfMachine(fd.get()) == EM_ARM, &lines) < 0) {
    std::fprintf(stderr, "bpfd: GET_ELF_FUNCS: the function list exceeds the reply limit of %zu\n",
                 kMaxReplyBody);
    return r.Ret(-ENOBUFS);
  }
  return r.RetLines(lines);
}

constexpr Command kSymbolCommands[] = {
    {"GET_KALLSYMS", 0, "get_kallsyms", CmdGetKallsyms},
    {"COMM_FOR_PID", 1, "comm_for_pid", CmdCommForPid},
    {"GET_KSYM_NAME", 1, "GET_KSYM_NAME", CmdGetKsymName},
    {"GET_KSYM_ADDR", 1, "GET_KSYM_ADDR", CmdGetKsymAddr},
    {"GET_USYM_NAME", 3, "GET_USYM_NAME", CmdGetUsymName},
    {"GET_USYM_ADDR", 3, "GET_USYM_ADDR", CmdGetUsymAddr},
    {"GET_ELF_FUNCS", 1, "get_elf_funcs", CmdGetElfFuncs},
};

}  // namespace

CommandGroup SymbolCommands() { return kSymbolCommands; }

}  // namespace bpfd
