#include "core/kernel/bpf_features.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/kernel/bpf_insns.h"
#include "core/kernel/tracefs.h"

namespace bpfd {
namespace {

const char* YesNo(bool b) { return b ? "yes" : "no"; }

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

// First line of a small /proc or /sys file, or its -errno.
std::string FileValue(const std::string& path) {
  std::string text;
  int r = ReadFile(path, &text);
  if (r < 0) return std::to_string(r);
  size_t nl = text.find('\n');
  if (nl != std::string::npos) text.resize(nl);
  return text;
}

// libbpf_probe_* answer 1 (yes), 0 (no) or -errno (cannot tell).
std::string ProbeValue(int r) { return r == 1 ? "yes" : r == 0 ? "no" : std::to_string(r); }

// 0 when bpf() works at all (an ARRAY map can be created), else its -errno.
int BpfSyscallWorks() {
  int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, nullptr, 4, 4, 1, nullptr);
  if (fd < 0) return fd;
  ::close(fd);
  return 0;
}

// Whether a program of type `type` may call helper `id`: 1, 0, or -errno when the load fails
// for another reason. Not libbpf_probe_bpf_helper: libbpf 1.1 reads "program of this type
// cannot use helper" (the verifier's wording since Linux 6.x) as "supported".
int ProbeHelper(bpf_prog_type type, bpf_func_id id) {
  const bpf_insn insns[] = {insn::Call(id), insn::Exit()};
  char log[4096] = "";
  LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_level = 1, .log_size = sizeof(log), .log_buf = log);
  int fd = bpf_prog_load(type, nullptr, "GPL", insns, 2, &opts);
  if (fd >= 0) {
    ::close(fd);
    return 1;
  }
  for (const char* refusal : {"invalid func ", "unknown func ", "cannot use helper"})
    if (std::strstr(log, refusal)) return 0;
  // Any other verifier complaint (e.g. about the arguments) means the call itself was accepted.
  return log[0] ? 1 : fd;
}

struct Helper {
  const char* name;
  bpf_func_id id;
};
#ifdef ___BPF_FUNC_MAPPER  // uapi headers of 6.2 and later: FN(name, id, ...)
#define BPFD_HELPER_ENTRY(name, value, ...) {#name, static_cast<bpf_func_id>(value)},
constexpr Helper kHelpers[] = {___BPF_FUNC_MAPPER(BPFD_HELPER_ENTRY)};
#else  // older uapi headers (e.g. a host's, for the fuzzer): FN(name)
#define BPFD_HELPER_ENTRY(name) \
  Helper { #name, BPF_FUNC_##name }  // the mapper adds the commas
constexpr Helper kHelpers[] = {__BPF_FUNC_MAPPER(BPFD_HELPER_ENTRY)};
#endif
#undef BPFD_HELPER_ENTRY

// Program types whose helpers matter for tracing (the others are probed as types only).
constexpr bpf_prog_type kHelperProgTypes[] = {BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_TRACEPOINT,
                                              BPF_PROG_TYPE_PERF_EVENT,
                                              BPF_PROG_TYPE_RAW_TRACEPOINT};

}  // namespace

void ProbeSystemFeatures(FeatureList* out) {
  struct utsname u;
  out->emplace_back("kernel", ::uname(&u) == 0 ? u.release : "unknown");
  int bpf = BpfSyscallWorks();
  out->emplace_back("bpf_syscall", bpf == 0 ? "yes" : std::to_string(bpf));
  out->emplace_back("btf_vmlinux", YesNo(Exists("/sys/kernel/btf/vmlinux")));
  out->emplace_back("jit_enable", FileValue("/proc/sys/net/core/bpf_jit_enable"));
  out->emplace_back("unprivileged_bpf_disabled",
                    FileValue("/proc/sys/kernel/unprivileged_bpf_disabled"));
  std::string tracefs;
  int t = FindTracefs(&tracefs);
  out->emplace_back("tracefs", t < 0 ? std::to_string(t) : tracefs);
  const std::string pmus = "/sys/bus/event_source/devices/";
  out->emplace_back("kprobe_pmu", YesNo(Exists(pmus + "kprobe/type")));
  out->emplace_back("uprobe_pmu", YesNo(Exists(pmus + "uprobe/type")));
  out->emplace_back("kprobe_events", YesNo(t >= 0 && Exists(tracefs + "/kprobe_events")));
  out->emplace_back("uprobe_events", YesNo(t >= 0 && Exists(tracefs + "/uprobe_events")));
}

void ProbeAllFeatures(FeatureList* out) {
  ProbeSystemFeatures(out);
  if (BpfSyscallWorks() != 0) return;  // every load would fail the same way: said above
  out->emplace_back("ringbuf",
                    ProbeValue(libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, nullptr)));
  for (int t = BPF_PROG_TYPE_UNSPEC + 1;; ++t) {
    const char* name = libbpf_bpf_prog_type_str(static_cast<bpf_prog_type>(t));
    if (!name) break;
    out->emplace_back(
        std::string("prog_type.") + name,
        ProbeValue(libbpf_probe_bpf_prog_type(static_cast<bpf_prog_type>(t), nullptr)));
  }
  for (int t = BPF_MAP_TYPE_UNSPEC + 1;; ++t) {
    const char* name = libbpf_bpf_map_type_str(static_cast<bpf_map_type>(t));
    if (!name) break;
    out->emplace_back(std::string("map_type.") + name,
                      ProbeValue(libbpf_probe_bpf_map_type(static_cast<bpf_map_type>(t), nullptr)));
  }
  for (bpf_prog_type pt : kHelperProgTypes) {
    std::string prefix = std::string("helper.") + libbpf_bpf_prog_type_str(pt) + ".";
    for (const Helper& h : kHelpers) {
      if (h.id == BPF_FUNC_unspec) continue;
      out->emplace_back(prefix + h.name, ProbeValue(ProbeHelper(pt, h.id)));
    }
  }
}

}  // namespace bpfd
