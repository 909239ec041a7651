#include "core/wire/sys_bpf_record.h"

#include <cerrno>
#include <charconv>

#include <algorithm>

#include "core/wire/base64.h"
#include "core/wire/cached_read.h"
#include "core/wire/tokens.h"

namespace bpfd {
namespace {

void AppendNumber(uint64_t v, std::string* out) {
  char num[24];
  out->append(num, std::to_chars(num, num + sizeof(num), v).ptr);
}

}  // namespace

std::string FormatBpfSlot(const BpfSlot& s) {
  std::string out;
  if (s.parent < 0) {
    out.push_back('a');
  } else {
    out.push_back('b');
    AppendNumber(static_cast<uint64_t>(s.parent), &out);
    out.push_back('.');
  }
  AppendNumber(s.off, &out);
  return out;
}

bool ParseBpfSlot(std::string_view s, size_t count, BpfSlot* out) {
  if (s.size() < 2) return false;
  std::string_view rest = s.substr(1);
  if (s[0] == 'a') {
    out->parent = -1;
    return ParseUint64(rest, &out->off);
  }
  if (s[0] != 'b') return false;
  size_t dot = rest.find('.');
  uint32_t idx;
  if (dot == std::string_view::npos || !ParseUint32(rest.substr(0, dot), &idx) || idx >= count)
    return false;
  out->parent = static_cast<int>(idx);
  return ParseUint64(rest.substr(dot + 1), &out->off);
}

std::string SysBpfRequestHead(int cmd, const void* attr, size_t size, bool cached) {
  std::string line = (cached ? "SYS_BPF_CACHED " : "SYS_BPF ") + std::to_string(cmd) + " ";
  AppendData(static_cast<const uint8_t*>(attr), size, &line);
  return line;
}

void AppendSysBpfBuffer(const BpfSlot& slot, char dir, uint64_t len, const void* data,
                        std::string* line, std::span<const Sha256Digest> held) {
  line->push_back(' ');
  line->append(FormatBpfSlot(slot));
  line->push_back(' ');
  line->push_back(dir);
  line->push_back(' ');
  AppendNumber(len, line);
  line->push_back(' ');
  if (dir == 'o') {
    line->append(FormatDigestList(held));
  } else {
    AppendData(static_cast<const uint8_t*>(data), static_cast<size_t>(len), line);
  }
}

std::string FormatSysBpfRequest(const SysBpfRequest& req) {
  bool cached = std::any_of(req.bufs.begin(), req.bufs.end(),
                            [](const SysBpfBuffer& b) { return !b.held.empty(); });
  std::string line = SysBpfRequestHead(req.cmd, req.attr.data(), req.attr.size(), cached);
  for (const SysBpfBuffer& b : req.bufs)
    AppendSysBpfBuffer(b.slot, b.dir, b.data.size(), b.data.data(), &line, b.held);
  return line;
}

int ParseSysBpfArgs(std::span<const std::string_view> a, SysBpfRequest* req, bool cached) {
  if (a.empty() || (a.size() - 1) % 4 != 0) return -EINVAL;
  if (DecodeData(a[0], &req->attr) < 0 || req->attr.empty() || req->attr.size() > kMaxBpfAttr)
    return -EINVAL;
  req->bufs.clear();
  req->bufs.reserve((a.size() - 1) / 4);
  uint64_t total = 0;
  for (size_t i = 1; i < a.size(); i += 4) {
    SysBpfBuffer b;
    uint64_t len;
    if (!ParseBpfSlot(a[i], req->bufs.size(), &b.slot)) return -EINVAL;
    size_t parent_size = b.slot.parent < 0
                             ? req->attr.size()
                             : req->bufs[static_cast<size_t>(b.slot.parent)].data.size();
    if (parent_size < 8 || b.slot.off > parent_size - 8) return -EINVAL;
    if (a[i + 1] != "i" && a[i + 1] != "o" && a[i + 1] != "x") return -EINVAL;
    b.dir = a[i + 1][0];
    if (!ParseUint64(a[i + 2], &len)) return -EINVAL;
    if (len > kMaxBpfBuffer || len > kMaxBpfBuffers - total) return -E2BIG;
    total += len;
    if (b.dir == 'o') {
      if (a[i + 3] != "-" && (!cached || ParseDigestList(a[i + 3], &b.held) < 0)) return -EINVAL;
      b.data.assign(static_cast<size_t>(len), 0);
    } else if (DecodeData(a[i + 3], &b.data) < 0 || b.data.size() != len) {
      return -EINVAL;
    }
    req->bufs.push_back(std::move(b));
  }
  return 0;
}

void AppendSysBpfReply(const SysBpfRequest& req, std::string* out) {
  AppendData(req.attr.data(), req.attr.size(), out);
  out->push_back('\n');
  for (size_t i = 0; i < req.bufs.size(); ++i) {
    if (req.bufs[i].dir == 'i') continue;
    const SysBpfBuffer& b = req.bufs[i];
    AppendNumber(i, out);
    out->push_back(' ');
    Sha256Digest d{};
    if (!b.held.empty())
      d = Sha256Of({reinterpret_cast<const char*>(b.data.data()), b.data.size()});
    if (!b.held.empty() && std::find(b.held.begin(), b.held.end(), d) != b.held.end()) {
      out->append(FormatDigestMatch(d));
    } else {
      AppendData(b.data.data(), b.data.size(), out);
    }
    out->push_back('\n');
  }
}

int ParseSysBpfReply(std::span<const std::string> lines, SysBpfReplyData* out) {
  *out = {};
  if (lines.empty() || DecodeData(lines[0], &out->attr) < 0) return -EPROTO;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string_view l = lines[i];
    size_t sp = l.find(' ');
    uint32_t idx;
    if (sp == std::string_view::npos || !ParseUint32(l.substr(0, sp), &idx)) return -EPROTO;
    std::string_view data = l.substr(sp + 1);
    if (data.starts_with("=") ? !ParseDigestMatch(data, &out->held[idx])
                              : DecodeData(data, &out->bufs[idx]) < 0)
      return -EPROTO;
  }
  return 0;
}

}  // namespace bpfd
