#include "core/kernel/bpf_object.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <gelf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>

#include "core/base/file_io.h"
#include "core/kernel/attached_probe.h"
#include "core/kernel/perf_event.h"
#include "core/kernel/perf_sampling.h"

namespace bpfd {
namespace {

// libbpf reports through one process-wide print callback: while a LibbpfLog lives, its
// warnings (the ELF's problems, CO-RE failures, the verifier's log) go to *sink.
thread_local std::string* g_sink = nullptr;

int ToSink(enum libbpf_print_level level, const char* fmt, va_list ap) {
  if (!g_sink || level != LIBBPF_WARN) return 0;
  char buf[4096];
  int n = std::vsnprintf(buf, sizeof(buf), fmt, ap);
  if (n > 0) g_sink->append(buf, std::min<size_t>(static_cast<size_t>(n), sizeof(buf) - 1));
  return n;
}

class LibbpfLog {
 public:
  explicit LibbpfLog(std::string* sink) : prev_(libbpf_set_print(ToSink)) { g_sink = sink; }
  ~LibbpfLog() {
    g_sink = nullptr;
    libbpf_set_print(prev_);
  }
  LibbpfLog(const LibbpfLog&) = delete;
  LibbpfLog& operator=(const LibbpfLog&) = delete;

 private:
  libbpf_print_fn_t prev_;
};

// The kernel's info on a bpf object fd (prog, map, btf): true when it could be read.
template <class Info>
bool InfoOf(int fd, Info* info) {
  *info = {};
  uint32_t len = sizeof(*info);
  return fd >= 0 && bpf_obj_get_info_by_fd(fd, info, &len) == 0;
}

int Errno(long err) {
  return err < 0 ? static_cast<int>(err) : err > 0 ? -static_cast<int>(err) : -EINVAL;
}

// Attaches perf_event program p to a CPU-clock event on every online CPU, as its section asks
// (perf_sampling.h). The links go to *links even on failure (their owner destroys them).
// 0 or -errno.
int AttachSampling(struct bpf_program* p, std::vector<struct bpf_link*>* links) {
  perf_event_attr attr;
  if (int err = PerfSamplingAttr(bpf_program__section_name(p), &attr); err < 0) return err;
  std::vector<int> cpus;
  if (int err = OnlineCpus(&cpus); err < 0) return err;
  for (int cpu : cpus) {
    int pfd = PerfEventOpen(&attr, -1, cpu, -1);
    if (pfd < 0) return pfd;
    struct bpf_link* link = bpf_program__attach_perf_event(p, pfd);
    if (!link) {
      int err = Errno(-errno);
      close(pfd);
      return err;
    }
    links->push_back(link);  // destroying it closes pfd
  }
  return 0;
}

// The functions an ELF object's BTF declares extern (kfuncs), read before libbpf opens it:
// libbpf rewrites their linkage as it collects externs.
std::vector<std::string> ExternFuncsOf(std::vector<uint8_t>& image) {
  std::vector<std::string> out;
  elf_version(EV_CURRENT);
  Elf* e = elf_memory(reinterpret_cast<char*>(image.data()), image.size());
  size_t shstrndx;
  if (!e || elf_getshdrstrndx(e, &shstrndx) != 0) {
    if (e) elf_end(e);
    return out;
  }
  for (Elf_Scn* scn = nullptr; (scn = elf_nextscn(e, scn)) != nullptr;) {
    GElf_Shdr sh;
    const char* name = gelf_getshdr(scn, &sh) ? elf_strptr(e, shstrndx, sh.sh_name) : nullptr;
    Elf_Data* d = name && std::string_view(name) == ".BTF" ? elf_getdata(scn, nullptr) : nullptr;
    struct btf* b = d && d->d_buf ? btf__new(d->d_buf, static_cast<uint32_t>(d->d_size)) : nullptr;
    for (uint32_t i = 1; b && i < btf__type_cnt(b); ++i) {
      const struct btf_type* t = btf__type_by_id(b, i);
      if (btf_is_func(t) && btf_vlen(t) == BTF_FUNC_EXTERN)  // a FUNC's vlen is its linkage
        out.push_back(btf__name_by_offset(b, t->name_off));
    }
    btf__free(b);
  }
  elf_end(e);
  return out;
}

}  // namespace

int BpfObject::Open(const std::string& name, std::span<const uint8_t> object,
                    std::span<const uint8_t> btf, std::unique_ptr<BpfObject>* out,
                    std::string* log) {
  std::unique_ptr<BpfObject> o(new BpfObject());
  o->image_.assign(object.begin(), object.end());
  o->extern_funcs_ = ExternFuncsOf(o->image_);
  std::string btf_path;
  if (!btf.empty()) {
    o->btf_fd_ = memfd_create("bpfd-btf", MFD_CLOEXEC);
    if (o->btf_fd_ < 0) return -errno;
    int err = WriteAll(o->btf_fd_,
                       std::string_view(reinterpret_cast<const char*>(btf.data()), btf.size()));
    if (err < 0) return err;
    btf_path = "/proc/self/fd/" + std::to_string(o->btf_fd_);
  }
  LibbpfLog capture(log);
  LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = name.c_str(),
              .btf_custom_path = btf.empty() ? nullptr : btf_path.c_str());
  o->obj_ = bpf_object__open_mem(o->image_.data(), o->image_.size(), &opts);
  if (!o->obj_) return Errno(-errno);
  o->name_ = bpf_object__name(o->obj_);
  // libbpf knows the bare "perf_event" section only: the sampling forms are bpfd's.
  struct bpf_program* p;
  bpf_object__for_each_program(p, o->obj_) {
    if (std::string_view(bpf_program__section_name(p)).starts_with("perf_event/"))
      bpf_program__set_type(p, BPF_PROG_TYPE_PERF_EVENT);
  }
  o->Describe();
  *out = std::move(o);
  return 0;
}

BpfObject::~BpfObject() {
  for (auto it = links_.rbegin(); it != links_.rend(); ++it) bpf_link__destroy(*it);
  if (obj_) bpf_object__close(obj_);
  if (btf_fd_ >= 0) close(btf_fd_);
}

std::vector<TracepointStruct> BpfObject::TracepointContexts() const {
  std::vector<TracepointStruct> out;
  const struct btf* b = bpf_object__btf(obj_);
  if (!b) return out;
  for (const ObjectProgRecord& p : progs_) {
    if (p.type != BPF_PROG_TYPE_TRACEPOINT) continue;
    std::string_view sec = p.section;
    for (std::string_view prefix : {"tracepoint/", "tp/"})
      if (sec.starts_with(prefix)) sec.remove_prefix(prefix.size());
    size_t slash = sec.find('/');
    if (slash == std::string_view::npos || sec.size() == p.section.size()) continue;
    int func = btf__find_by_name_kind(b, p.name.c_str(), BTF_KIND_FUNC);
    const struct btf_type* proto =
        func > 0 ? btf__type_by_id(b, btf__type_by_id(b, func)->type) : nullptr;
    if (!proto || !btf_is_func_proto(proto) || btf_vlen(proto) < 1) continue;
    const struct btf_type* ptr = btf__type_by_id(b, btf_params(proto)[0].type);
    if (!ptr || !btf_is_ptr(ptr)) continue;
    int st = btf__resolve_type(b, ptr->type);
    const struct btf_type* t = st > 0 ? btf__type_by_id(b, st) : nullptr;
    if (!t || !btf_is_struct(t)) continue;
    std::string name = btf__name_by_offset(b, t->name_off);
    name = name.substr(0, name.find("___"));  // a CO-RE flavour names the same kernel struct
    if (name.empty()) continue;
    out.push_back({name, std::string(sec.substr(0, slash)), std::string(sec.substr(slash + 1))});
  }
  return out;
}

uint32_t BpfObject::btf_id() const {
  const struct btf* b = bpf_object__btf(obj_);
  struct bpf_btf_info info;
  return b && InfoOf(btf__fd(b), &info) ? info.id : 0;
}

std::span<const bpf_insn> BpfObject::insns(size_t i) const {
  if (i >= handles_.size()) return {};
  const bpf_insn* in = bpf_program__insns(handles_[i]);
  return in ? std::span<const bpf_insn>(in, bpf_program__insn_cnt(handles_[i]))
            : std::span<const bpf_insn>();
}

void BpfObject::Describe() {
  progs_.clear();
  handles_.clear();
  maps_.clear();
  struct bpf_program* p;
  bpf_object__for_each_program(p, obj_) {
    ObjectProgRecord d;
    d.name = bpf_program__name(p);
    d.section = bpf_program__section_name(p);
    d.type = bpf_program__type(p);
    d.attach_type = bpf_program__expected_attach_type(p);
    struct bpf_prog_info info;
    if (InfoOf(bpf_program__fd(p), &info)) d.id = info.id;
    progs_.push_back(std::move(d));
    handles_.push_back(p);
  }
  struct bpf_map* m;
  bpf_object__for_each_map(m, obj_) {
    ObjectMapRecord d;
    d.name = bpf_map__name(m);
    d.type = bpf_map__type(m);
    d.key_size = bpf_map__key_size(m);
    d.value_size = bpf_map__value_size(m);
    d.max_entries = bpf_map__max_entries(m);
    d.internal = bpf_map__is_internal(m);
    d.pinned = bpf_map__pin_path(m) != nullptr;
    d.fd = bpf_map__fd(m);
    struct bpf_map_info info;
    if (InfoOf(d.fd, &info)) {
      d.id = info.id;
      d.btf_id = info.btf_id;
      d.btf_key_type_id = info.btf_key_type_id;
      d.btf_value_type_id = info.btf_value_type_id;
    }
    maps_.push_back(std::move(d));
  }
}

int BpfObject::Load(std::string* log) {
  LibbpfLog capture(log);
  int err = bpf_object__load(obj_);
  if (err) return Errno(err);
  Describe();
  for (size_t i = 0; i < handles_.size(); ++i) {
    struct bpf_program* p = handles_[i];
    ObjectProgRecord& d = progs_[i];
    if (bpf_program__type(p) == BPF_PROG_TYPE_PERF_EVENT) {
      d.attached = AttachSampling(p, &links_);
      continue;
    }
    if (!bpf_program__autoattach(p)) {
      d.attached = -EOPNOTSUPP;
      continue;
    }
    struct bpf_link* link = bpf_program__attach(p);
    if (!link) {
      d.attached = Errno(-errno);
      continue;
    }
    links_.push_back(link);
  }
  return 0;
}

}  // namespace bpfd
