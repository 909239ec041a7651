// ELF objects (docs/protocol.md "Objects"), for `bpfd run`:
//   OBJ_LOAD name obj_len obj(b64) btf_len btf(b64)|-  -> "obj_load: ret=<lines>", then the
//   object's
//       records (core/wire/object_record.h); on failure "obj_load: ret=<-errno>" and libbpf's
//       messages (the verifier's log, a failed CO-RE relocation, a policy refusal).
//       The daemon opens the object with its libbpf, relocates it against the kernel's BTF (or
//       the one sent: btf_len > 0), loads it and attaches each program by its section name.
//       Its maps get session fds for RING_MAP/RING_POLL; everything is the session's.
//   OBJ_CLOSE handle                               -> ret=<0 or -ENOENT>: detaches and closes it
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <map>
#include <memory>
#include <string>

#include "core/daemon/handler.h"
#include "core/daemon/policy_rules.h"
#include "core/kernel/bpf_object.h"
#include "core/kernel/tracefs.h"
#include "core/kernel/tracepoint_btf.h"
#include "core/wire/object_record.h"
#include "core/wire/tokens.h"

namespace bpfd {
namespace {

// Why the daemon's policy refuses this object in a restricted session, or "".
std::string PolicyRefusal(const BpfObject& obj) {
  for (size_t i = 0; i < obj.progs().size(); ++i) {
    const ObjectProgRecord& p = obj.progs()[i];
    if (const char* why = RefusedProgType(p.type, p.attach_type)) return p.name + ": " + why;
    if (p.type == BPF_PROG_TYPE_EXT) return p.name + ": a freplace program replaces other code";
    if (std::string why = ActingHelperCall(obj.insns(i)); !why.empty()) return p.name + ": " + why;
  }
  for (const std::string& f : obj.ExternFuncs())
    if (std::string why = RefusedKfunc(f); !why.empty()) return obj.name() + ": " + why;
  for (const ObjectMapRecord& m : obj.maps()) {
    if (m.pinned) return "map " + m.name + " asks for a pin, and a pin outlives the session";
    if (m.type == BPF_MAP_TYPE_STRUCT_OPS)
      return "map " + m.name + ": a struct_ops map replaces kernel code";
  }
  return "";
}

// The object's name (libbpf names its .rodata/.bss maps after it): [A-Za-z0-9_.-], at most 63.
std::string ObjectName(std::string_view n) {
  if (n.size() > 63 || n.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "0123456789_.-") != std::string_view::npos)
    return "";
  return std::string(n);
}

Verdict Fail(CommandReply& r, int err, const std::string& log) {
  r.Ret(err);
  r.Text(log);
  return Verdict::kDone;
}

// OBJ_LOAD name obj_len obj btf_len btf|-
Verdict CmdObjLoad(Session& s, Args args, CommandReply& r) {
  std::string name = ObjectName(args[0]);
  Args a = args.subspan(1);
  uint64_t obj_len, btf_len;
  if (name.empty() || !ParseUint64(a[0], &obj_len) || !ParseUint64(a[2], &btf_len))
    return Verdict::kBadArgs;
  std::vector<uint8_t> object, btf;
  int ret = obj_len == 0 || obj_len > kMaxProgLen || btf_len > kMaxValueLen ? -EINVAL : 0;
  if (ret == 0) ret = DecodeExact(a[1], obj_len, &object);
  if (ret == 0 && btf_len > 0) ret = DecodeExact(a[3], btf_len, &btf);
  if (ret == 0 && btf_len == 0 && a[3] != "-") ret = -EINVAL;
  if (ret == 0 && r.NoKernel(s)) return Verdict::kDone;
  if (ret < 0) return r.Ret(ret);

  std::string log;
  std::unique_ptr<BpfObject> obj;
  if (int err = BpfObject::Open(name, object, btf, &obj, &log); err < 0)
    return Fail(r, err, "not a BPF object libbpf can open\n" + log);
  // A kernel without BTF: its tracepoints' formats are enough for tracepoint contexts.
  bool made_btf = false;
  if (btf.empty() && access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
    std::vector<TracepointStruct> ctxs = obj->TracepointContexts();
    std::string tracefs;
    if (!ctxs.empty() && FindTracefs(&tracefs) == 0 && TracepointBtf(tracefs, ctxs, &btf) == 0 &&
        BpfObject::Open(name, object, btf, &obj, &log) < 0)
      return Fail(r, -EINVAL, "not a BPF object libbpf can open\n" + log);
    made_btf = !btf.empty();
  }
  if (!s.unrestricted()) {
    if (std::string why = PolicyRefusal(*obj); !why.empty()) {
      std::fprintf(stderr, "bpfd: policy: OBJ_LOAD %s refused (%s; --unrestricted lifts this)\n",
                   obj->name().c_str(), why.c_str());
      return Fail(r, -EACCES, "policy: " + why + " (the daemon's --unrestricted lifts this)\n");
    }
  }
  if (int err = obj->Load(&log); err < 0) {
    if (made_btf)
      log +=
          "bpfd: the kernel has no BTF (/sys/kernel/btf/vmlinux): the daemon described only "
          "its tracepoint records, from their tracefs formats\n";
    return Fail(r, err, log);
  }

  ObjectRecord rec{
      .name = obj->name(), .btf_id = obj->btf_id(), .progs = obj->progs(), .maps = obj->maps()};
  std::map<int, MapInfo> maps;
  for (ObjectMapRecord& m : rec.maps) {
    UniqueFd dup(m.fd >= 0 ? fcntl(m.fd, F_DUPFD_CLOEXEC, 3) : -1);
    MapInfo info;
    if (!dup || QueryMapInfo(dup.get(), &info) < 0) {
      m.fd = -1;
      continue;
    }
    m.fd = s.AddForwardedFd(std::move(dup));
    maps[m.fd] = info;
  }
  rec.handle = s.AddObject(std::move(obj), std::move(maps));
  return r.RetLines(FormatObjectRecord(rec));
}

// OBJ_CLOSE handle
Verdict CmdObjClose(Session& s, Args a, CommandReply& r) {
  int handle;
  if (!ParseInt(a[0], &handle)) return Verdict::kBadArgs;
  return r.Ret(s.CloseObject(handle));
}

constexpr Command kObjectCommands[] = {
    {"OBJ_LOAD", 5, "obj_load", CmdObjLoad},
    {"OBJ_CLOSE", 1, "obj_close", CmdObjClose},
};

}  // namespace

CommandGroup ObjectCommands() { return kObjectCommands; }

}  // namespace bpfd
