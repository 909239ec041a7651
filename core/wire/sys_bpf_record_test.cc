// SYS_BPF's wire form: what the host library formats, the daemon parses back to the same
// request, and the reply the daemon formats parses back to the same bytes.
#include "core/wire/sys_bpf_record.h"

#include <linux/bpf.h>

#include <cerrno>
#include <string>
#include <vector>

#include "core/wire/cached_read.h"
#include "core/wire/tokens.h"
#include "tests/testing.h"

using namespace bpfd;

namespace {

// The arguments after "SYS_BPF <cmd>" of a formatted line, parsed back (cmd from the line).
int Reparse(const std::string& line, SysBpfRequest* out) {
  std::vector<std::string_view> t = SplitTokens(line);
  bool cached = !t.empty() && t[0] == "SYS_BPF_CACHED";
  if (t.size() < 3 || (t[0] != "SYS_BPF" && !cached) || !ParseInt(t[1], &out->cmd)) return -EINVAL;
  return ParseSysBpfArgs(std::span(t).subspan(2), out, cached);
}

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  for (size_t p = 0, nl; (nl = text.find('\n', p)) != std::string::npos; p = nl + 1)
    lines.push_back(text.substr(p, nl - p));
  return lines;
}

}  // namespace

TEST(slot_round_trip) {
  for (BpfSlot s : {BpfSlot{-1, 0}, BpfSlot{-1, 48}, BpfSlot{0, 8}, BpfSlot{3, 4096}}) {
    BpfSlot back{7, 7};
    EXPECT(ParseBpfSlot(FormatBpfSlot(s), 4, &back));
    EXPECT(back == s);
  }
  EXPECT_EQ(FormatBpfSlot({-1, 16}), std::string("a16"));
  EXPECT_EQ(FormatBpfSlot({2, 8}), std::string("b2.8"));
  BpfSlot s;
  EXPECT(!ParseBpfSlot("b2.8", 2, &s));  // no buffer 2 before it
  EXPECT(!ParseBpfSlot("c8", 4, &s));
  EXPECT(!ParseBpfSlot("a", 4, &s));
  EXPECT(!ParseBpfSlot("b1", 4, &s));
}

TEST(request_round_trip) {
  SysBpfRequest req;
  req.cmd = BPF_PROG_LOAD;
  req.attr.assign(128, 0);
  req.attr[0] = 1;
  req.bufs.push_back({{-1, 16}, 'i', Bytes(std::string_view("\x95\0\0\0\0\0\0\0", 8))});
  req.bufs.push_back({{-1, 24}, 'i', Bytes("GPL")});
  req.bufs.push_back({{-1, 40}, 'o', std::vector<uint8_t>(64, 0)});
  req.bufs.push_back({{0, 0}, 'x', std::vector<uint8_t>(8, 0x5a)});
  req.bufs.push_back({{-1, 56}, 'i', {}});  // an empty buffer travels as "-"
  std::string line = FormatSysBpfRequest(req);
  EXPECT(line.starts_with("SYS_BPF 5 "));
  EXPECT(line.find(" a40 o 64 -") != std::string::npos);
  EXPECT(line.find(" b0.0 x 8 ") != std::string::npos);
  EXPECT(line.ends_with(" a56 i 0 -"));
  SysBpfRequest back;
  EXPECT_EQ(Reparse(line, &back), 0);
  EXPECT(back == req);
}

// SYS_BPF_CACHED: an 'o' buffer names the contents the host holds; SYS_BPF refuses them.
TEST(cached_request_round_trip) {
  SysBpfRequest req;
  req.cmd = BPF_OBJ_GET_INFO_BY_FD;
  req.attr.assign(16, 0);
  req.bufs.push_back({{-1, 8}, 'x', std::vector<uint8_t>(32, 0)});
  req.bufs.push_back({{0, 0}, 'o', std::vector<uint8_t>(4096, 0)});
  req.bufs[1].held = {Sha256Of("btf, boot 1"), Sha256Of("btf, boot 2")};
  std::string line = FormatSysBpfRequest(req);
  EXPECT(line.starts_with("SYS_BPF_CACHED 15 "));
  EXPECT(line.ends_with(" b0.0 o 4096 " + FormatDigestList(req.bufs[1].held)));
  SysBpfRequest back;
  EXPECT_EQ(Reparse(line, &back), 0);
  EXPECT(back == req);
  line.replace(0, 14, "SYS_BPF");
  EXPECT_EQ(Reparse(line, &back), -EINVAL);
  req.bufs[1].held.clear();  // nothing held: plain SYS_BPF
  EXPECT(FormatSysBpfRequest(req).ends_with(" b0.0 o 4096 -"));
  EXPECT(FormatSysBpfRequest(req).starts_with("SYS_BPF 15 "));
}

TEST(request_parse_rejects) {
  SysBpfRequest r;
  std::string attr16 = "AAAAAAAAAAAAAAAAAAAAAA==";
  auto parse = [&](std::vector<std::string_view> a) { return ParseSysBpfArgs(a, &r); };
  EXPECT_EQ(parse({}), -EINVAL);
  EXPECT_EQ(parse({"-"}), -EINVAL);                                 // empty attr
  EXPECT_EQ(parse({attr16, "a8", "o", "4"}), -EINVAL);              // not a group of four
  EXPECT_EQ(parse({attr16, "a9", "o", "4", "-"}), -EINVAL);         // slot past the attr
  EXPECT_EQ(parse({attr16, "a8", "q", "4", "-"}), -EINVAL);         // no such direction
  EXPECT_EQ(parse({attr16, "a8", "o", "4", "AAAA"}), -EINVAL);      // 'o' carries no data
  EXPECT_EQ(parse({attr16, "a8", "i", "4", "AAAA"}), -EINVAL);      // 3 bytes, not 4
  EXPECT_EQ(parse({attr16, "a8", "o", "268435457", "-"}), -E2BIG);  // over kMaxBpfBuffers
  EXPECT_EQ(parse({attr16, "a8", "o", "16", "-", "b0.8", "i", "0", "-"}), 0);
  auto cached = [&](std::vector<std::string_view> a) { return ParseSysBpfArgs(a, &r, true); };
  EXPECT_EQ(cached({attr16, "a8", "o", "4", "x"}), -EINVAL);                   // not a digest list
  EXPECT_EQ(cached({attr16, "a8", "i", "4", std::string(64, 'a')}), -EINVAL);  // 'i': data
  EXPECT_EQ(cached({attr16, "a8", "o", "4", std::string(64, 'a')}), 0);
  EXPECT_EQ(r.bufs[0].held.size(), size_t{1});
}

TEST(reply_round_trip) {
  SysBpfRequest req;
  req.attr = Bytes("attr-after-the-call");
  req.bufs.push_back({{-1, 0}, 'i', Bytes("in")});
  req.bufs.push_back({{-1, 8}, 'o', Bytes("out bytes")});
  req.bufs.push_back({{-1, 8}, 'x', {}});
  std::string text;
  AppendSysBpfReply(req, &text);
  EXPECT(text.ends_with("\n"));
  std::vector<std::string> lines = Lines(text);
  EXPECT_EQ(lines.size(), size_t{3});  // attr, then buffers 1 and 2 ('i' comes back not)
  SysBpfReplyData back;
  EXPECT_EQ(ParseSysBpfReply(lines, &back), 0);
  EXPECT(back.attr == req.attr);
  EXPECT_EQ(back.bufs.size(), size_t{2});
  EXPECT(back.bufs[1] == req.bufs[1].data);
  EXPECT(back.bufs[2].empty());
  EXPECT_EQ(ParseSysBpfReply(std::vector<std::string>{"AAAA", "x AAAA"}, &back), -EPROTO);
  EXPECT_EQ(ParseSysBpfReply(std::vector<std::string>{"AAAA", "1 =abc"}, &back), -EPROTO);
  EXPECT_EQ(ParseSysBpfReply(std::vector<std::string>{}, &back), -EPROTO);
}

// An 'o' buffer with held digests comes back as "=<digest>" when its contents are held, whole
// when they are not.
TEST(cached_reply_round_trip) {
  SysBpfRequest req;
  req.attr = Bytes("attr");
  req.bufs.push_back({{-1, 0}, 'o', Bytes("vmlinux btf")});
  req.bufs.push_back({{-1, 8}, 'o', Bytes("module btf")});
  req.bufs[0].held = {Sha256Of("older btf"), Sha256Of("vmlinux btf")};
  req.bufs[1].held = {Sha256Of("older btf")};
  std::string text;
  AppendSysBpfReply(req, &text);
  EXPECT(text.find("\n0 " + FormatDigestMatch(Sha256Of("vmlinux btf")) + "\n") !=
         std::string::npos);
  std::vector<std::string> lines = Lines(text);
  SysBpfReplyData back;
  EXPECT_EQ(ParseSysBpfReply(lines, &back), 0);
  EXPECT(back.held.size() == 1 && back.held[0] == Sha256Of("vmlinux btf"));
  EXPECT(back.bufs.size() == 1 && back.bufs[1] == req.bufs[1].data);
}

TEST_MAIN()
