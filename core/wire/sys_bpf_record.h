// SYS_BPF, the forwarded bpf(2) (docs/protocol.md "Forwarding"), in both directions:
//   request  SYS_BPF <cmd> <attr> [<slot> <dir> <len> <data>]…
//   reply    sys_bpf: ret=<n> / <attr after the call> / "<index> <data>" per 'o' or 'x' buffer
// A slot names where a buffer's u64 pointer sits: "a<off>" in the attr, "b<i>.<off>" in the
// earlier buffer i. dir: 'i' (the kernel reads it), 'o' (writes it; sent as "-"), 'x' (both).
// Data tokens are "-" for no bytes, else base64.
//   SYS_BPF_CACHED: the same, but an 'o' buffer's data token may list the digests of contents
//   the host holds for it (wire/cached_read.h); its reply line is then "<index> =<digest>" when
//   the kernel wrote one of those contents. For large outputs that rarely change (kernel BTF).
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/sha256.h"

namespace bpfd {

inline constexpr size_t kMaxBpfAttr = 4096;  // the kernel's own limit (a page)
// What one SYS_BPF may carry (-E2BIG beyond): the largest legitimate buffers are a verifier log
// (libbpf and BCC stop at 16 MiB), a 1M-instruction program (8 MiB; its xlated or jited copy
// from OBJ_GET_INFO_BY_FD about as much) and batch lookups (the caller picks the count). 64 MiB
// together keeps the reply (base64: 4/3 of it) under kMaxReplyBody (wire/reply.h).
inline constexpr uint64_t kMaxBpfBuffer = 32u << 20;   // one buffer
inline constexpr uint64_t kMaxBpfBuffers = 64u << 20;  // all buffers of one call together

struct BpfSlot {
  int parent = -1;   // -1: in the attr; else the index of an earlier buffer
  uint64_t off = 0;  // byte offset of the u64 pointer
  bool operator==(const BpfSlot&) const = default;
};

struct SysBpfBuffer {
  BpfSlot slot;
  char dir = 'i';
  std::vector<uint8_t> data;       // 'o': len zero bytes (the kernel fills them)
  std::vector<Sha256Digest> held;  // 'o' of SYS_BPF_CACHED: contents the host holds
  bool operator==(const SysBpfBuffer&) const = default;
};

struct SysBpfRequest {
  int cmd = 0;
  std::vector<uint8_t> attr;
  std::vector<SysBpfBuffer> bufs;
  bool operator==(const SysBpfRequest&) const = default;
};

// "a<off>" or "b<i>.<off>".
std::string FormatBpfSlot(const BpfSlot& s);
// Parses a slot whose parent must be below `count` (the buffers before it). false if malformed.
bool ParseBpfSlot(std::string_view s, size_t count, BpfSlot* out);

// The request line built piecewise, so the host library encodes from the caller's memory:
// the head ("SYS_BPF <cmd> <attr>", or SYS_BPF_CACHED's), then one group per buffer (`data`
// unused for 'o', whose token is `held`'s list: "-" when empty, which SYS_BPF requires).
std::string SysBpfRequestHead(int cmd, const void* attr, size_t size, bool cached = false);
void AppendSysBpfBuffer(const BpfSlot& slot, char dir, uint64_t len, const void* data,
                        std::string* line, std::span<const Sha256Digest> held = {});
// The whole line for req: SYS_BPF_CACHED when a buffer has held digests.
std::string FormatSysBpfRequest(const SysBpfRequest& req);

// Parses the arguments after "SYS_BPF <cmd>" (`cached`: "SYS_BPF_CACHED <cmd>") into
// req->attr and req->bufs: 0, -EINVAL (malformed, an empty or over-long attr, a slot outside its
// parent, digests under SYS_BPF), or -E2BIG (a buffer over kMaxBpfBuffer, or all together over
// kMaxBpfBuffers).
int ParseSysBpfArgs(std::span<const std::string_view> args, SysBpfRequest* req,
                    bool cached = false);

// The reply's data lines after the ret line.
struct SysBpfReplyData {
  std::vector<uint8_t> attr;
  std::map<uint32_t, std::vector<uint8_t>> bufs;  // by request index: the 'o' and 'x' ones
  std::map<uint32_t, Sha256Digest> held;          // the 'o' ones answered "=<digest>"
  bool operator==(const SysBpfReplyData&) const = default;
};
// Appends them for req after the call: the attr, then "<index> <data>" per 'o'/'x' buffer
// ("<index> =<digest>" for an 'o' buffer whose contents have one of its held digests).
void AppendSysBpfReply(const SysBpfRequest& req, std::string* out);
// Parses them: 0, or -EPROTO for a line that is neither.
int ParseSysBpfReply(std::span<const std::string> lines, SysBpfReplyData* out);

}  // namespace bpfd
