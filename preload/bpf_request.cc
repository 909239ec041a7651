#include "preload/bpf_request.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/wire/sys_bpf_record.h"
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

int64_t BpfRequest::Send() {
  std::string line = SysBpfRequestHead(cmd_, attr_.data(), attr_.size());
  for (const Buf& b : bufs_) AppendSysBpfBuffer(b.slot, b.dir, b.len, b.in, &line);
  std::vector<std::string> rest;
  int64_t ret = State::Get().Call(line, &rest);
  SysBpfReplyData reply;
  if (ParseSysBpfReply(rest, &reply) < 0) return ret;
  if (reply.attr.size() == size_) {
    std::memcpy(user_, reply.attr.data(), size_);
    for (auto& [off, local] : fds_) std::memcpy(reinterpret_cast<char*>(user_) + off, &local, 4);
  }
  for (const auto& [idx, bytes] : reply.bufs) {
    if (idx >= bufs_.size() || bufs_[idx].dir == 'i') continue;
    Buf& b = bufs_[idx];
    std::memcpy(b.out, bytes.data(), std::min<uint64_t>(b.len, bytes.size()));
  }
  return ret;
}

}  // namespace bpfd::preload
