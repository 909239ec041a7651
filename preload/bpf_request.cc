#include "preload/bpf_request.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/wire/sys_bpf_record.h"
#include "preload/file_fetch.h"
#include "preload/state.h"

namespace bpfd::preload {

BpfRequest::BpfRequest(int cmd, union bpf_attr* attr, unsigned size)
    : cmd_(cmd), user_(attr), size_(size), attr_(reinterpret_cast<const char*>(attr), size) {}

uint32_t BpfRequest::U32(size_t off) const {
  uint32_t v = 0;
  if (Has(off, 4)) std::memcpy(&v, attr_.data() + off, 4);
  return v;
}

uint64_t BpfRequest::U64(size_t off) const {
  uint64_t v = 0;
  if (Has(off, 8)) std::memcpy(&v, attr_.data() + off, 8);
  return v;
}

void BpfRequest::SetU32(size_t off, uint32_t v) {
  if (Has(off, 4)) std::memcpy(attr_.data() + off, &v, 4);
}

void BpfRequest::Fd(size_t off) {
  if (!Has(off, 4)) return;
  uint32_t local = U32(off);
  int remote = State::Get().RemoteFd(static_cast<int>(local));
  if (static_cast<uint32_t>(remote) == local) return;
  fds_.emplace_back(off, local);
  SetU32(off, static_cast<uint32_t>(remote));
}

int BpfRequest::Ptr(size_t off, char dir, uint64_t len, const void* in) {
  uint64_t p = U64(off);
  if (!p || !len) return -1;
  void* user = reinterpret_cast<void*>(static_cast<uintptr_t>(p));
  bufs_.push_back({BpfSlot{-1, off}, dir, len, in ? in : user, user});
  return static_cast<int>(bufs_.size() - 1);
}

const uint8_t* BpfRequest::CallerBytes(int i) const {
  return static_cast<const uint8_t*>(bufs_[i].out);
}

int BpfRequest::Nested(int parent, size_t off, char dir, uint64_t len) {
  if (parent < 0 || off + 8 > bufs_[parent].len || !len) return -1;
  uint64_t p = 0;
  std::memcpy(&p, CallerBytes(parent) + off, 8);
  if (!p) return -1;
  void* user = reinterpret_cast<void*>(static_cast<uintptr_t>(p));
  bufs_.push_back({BpfSlot{parent, off}, dir, len, user, user});
  return static_cast<int>(bufs_.size() - 1);
}

void BpfRequest::Cache(int i, std::string key) {
  if (i < 0 || bufs_[i].dir != 'o') return;
  cached_ = i;
  cache_key_ = std::move(key);
}

// The SYS_BPF line (SYS_BPF_CACHED when `held` is not empty). The attr's pointers to the
// buffers sent are 0: the daemon puts its copies' addresses there, so the caller's addresses
// would only make the same request differ from run to run (Send puts them back).
std::string BpfRequest::Line(std::span<const Sha256Digest> held) const {
  std::string attr = attr_;
  for (const Buf& b : bufs_)
    if (b.slot.parent < 0 && b.slot.off + 8 <= attr.size())
      std::memset(attr.data() + b.slot.off, 0, 8);
  std::string line = SysBpfRequestHead(cmd_, attr.data(), attr.size(), !held.empty());
  for (int i = 0; i < static_cast<int>(bufs_.size()); ++i) {
    const Buf& b = bufs_[i];
    AppendSysBpfBuffer(b.slot, b.dir, b.len, b.in, &line,
                       i == cached_ ? held : std::span<const Sha256Digest>{});
  }
  return line;
}

void BpfRequest::Post() { State::Get().Post(Line({})); }

// One SYS_BPF (SYS_BPF_CACHED when `held` is not empty): ret, the reply's data lines in *rest.
int64_t BpfRequest::Exchange(std::span<const Sha256Digest> held, std::vector<std::string>* rest,
                             bool creation) {
  std::string line = Line(held);
  if (creation && held.empty()) return State::Get().CallCreation(line, rest);
  if (held.empty()) return State::Get().Call(line, rest);
  return State::Get().CallIfKnown(line, rest);
}

int64_t BpfRequest::Send(bool creation) {
  static bool no_cached_bpf = false;  // the daemon predates SYS_BPF_CACHED
  const bool cached = cached_ >= 0 && HostStore().enabled() && !no_cached_bpf;
  std::vector<Sha256Digest> held;
  if (cached) held = HostStore().Held(cache_key_);
  std::vector<std::string> rest;
  int64_t ret = Exchange(held, &rest, creation);
  if (ret == -EBADMSG && !held.empty() && rest.empty()) {  // "Command not recognized"
    no_cached_bpf = true;
    return Send(creation);
  }
  SysBpfReplyData reply;
  if (ParseSysBpfReply(rest, &reply) < 0) return ret;
  const auto key = static_cast<uint32_t>(cached_);
  if (auto h = reply.held.find(key); h != reply.held.end()) {
    std::string content;
    if (HostStore().Load(h->second, &content) && content.size() == bufs_[cached_].len) {
      reply.bufs[key].assign(content.begin(), content.end());
    } else {  // the held copy vanished or was damaged since we named it: all of it again
      ret = Exchange({}, &rest);
      if (ParseSysBpfReply(rest, &reply) < 0) return ret;
    }
  }
  if (cached && ret >= 0 && !reply.held.count(key) && reply.bufs.count(key)) {
    const std::vector<uint8_t>& b = reply.bufs[key];
    HostStore().Store(cache_key_, {reinterpret_cast<const char*>(b.data()), b.size()});
  }
  if (reply.attr.size() == size_) {
    std::memcpy(user_, reply.attr.data(), size_);
    auto* user = reinterpret_cast<char*>(user_);
    for (auto& [off, local] : fds_) std::memcpy(user + off, &local, 4);
    for (const Buf& b : bufs_)  // the pointers Line sent as 0
      if (b.slot.parent < 0 && b.slot.off + 8 <= size_)
        std::memcpy(user + b.slot.off, attr_.data() + b.slot.off, 8);
  }
  for (const auto& [idx, bytes] : reply.bufs) {
    if (idx >= bufs_.size() || bufs_[idx].dir == 'i') continue;
    Buf& b = bufs_[idx];
    std::memcpy(b.out, bytes.data(), std::min<uint64_t>(b.len, bytes.size()));
  }
  return ret;
}

}  // namespace bpfd::preload
