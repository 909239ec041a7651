// BpfObject: an ELF BPF object (CO-RE or not) opened from memory with the static libbpf, loaded
// against the running kernel's BTF (or one supplied), and auto-attached by section name. It
// owns its programs, maps and links: destroying it detaches and closes all of them.
// Two phases, so a caller can check what an object holds before anything reaches the kernel:
// Open() parses (no bpf() call), Load() loads and attaches. What it holds is described in the
// wire's records (map fds there are the object's own).
#pragma once
#include <linux/bpf.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/kernel/tracepoint_btf.h"
#include "core/wire/object_record.h"

struct bpf_object;
struct bpf_link;
struct bpf_program;

namespace bpfd {

class BpfObject {
 public:
  // Parses `object` (copied; the span may go away). `btf`, when not empty, is the target
  // kernel's BTF to relocate against instead of /sys/kernel/btf/vmlinux. 0 or -errno; libbpf's
  // messages (why the ELF is bad) are appended to *log.
  static int Open(const std::string& name, std::span<const uint8_t> object,
                  std::span<const uint8_t> btf, std::unique_ptr<BpfObject>* out, std::string* log);
  ~BpfObject();
  BpfObject(const BpfObject&) = delete;
  BpfObject& operator=(const BpfObject&) = delete;

  const std::string& name() const { return name_; }
  // The id of the object's BTF in the kernel once loaded, or 0.
  uint32_t btf_id() const;
  const std::vector<ObjectProgRecord>& progs() const { return progs_; }
  const std::vector<ObjectMapRecord>& maps() const { return maps_; }
  // Each tracepoint program's event and the struct its context is declared as (from the
  // object's BTF: the program's first parameter), for TracepointBtf.
  std::vector<TracepointStruct> TracepointContexts() const;

  // The functions the object declares extern (kfuncs, `__ksym`), by name.
  const std::vector<std::string>& ExternFuncs() const { return extern_funcs_; }

  // Program i's instructions before Load: as the ELF has them, helper calls already final.
  std::span<const bpf_insn> insns(size_t i) const;

  // Loads every program and map (CO-RE relocations, the verifier), then attaches each program
  // whose section libbpf can attach by itself, and perf_event programs to each online CPU's
  // clock (core/kernel/perf_sampling.h). 0, or the -errno of the load with libbpf's
  // messages, the verifier's log included, in *log. A program that fails to attach does not
  // fail the load: its `attached` says why.
  int Load(std::string* log);

 private:
  BpfObject() = default;
  void Describe();

  std::vector<uint8_t> image_;  // libbpf keeps pointers into the ELF while the object lives
  std::vector<std::string> extern_funcs_;
  int btf_fd_ = -1;  // a memfd holding the supplied BTF (btf_custom_path)
  struct bpf_object* obj_ = nullptr;
  std::vector<struct bpf_program*> handles_;  // progs_[i]'s libbpf program
  std::vector<struct bpf_link*> links_;
  std::string name_;
  std::vector<ObjectProgRecord> progs_;
  std::vector<ObjectMapRecord> maps_;
};

}  // namespace bpfd
