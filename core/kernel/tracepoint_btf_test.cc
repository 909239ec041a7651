// TracepointBtf against format files written here (the kernel's own words, from 6.1's and
// 6.18's block_rq_issue): the struct it makes has every field at the format's offset with the
// format's size, arrays and __data_loc included, and a missing event is -ENOENT.
#include "core/kernel/tracepoint_btf.h"

#include <bpf/btf.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/base/file_io.h"
#include "tests/testing.h"

using namespace bpfd;

namespace {

constexpr char kFormat61[] =
    "name: block_rq_issue\nID: 1234\nformat:\n"
    "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
    "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
    "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
    "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
    "\tfield:dev_t dev;\toffset:8;\tsize:4;\tsigned:0;\n"
    "\tfield:sector_t sector;\toffset:16;\tsize:8;\tsigned:0;\n"
    "\tfield:unsigned int nr_sector;\toffset:24;\tsize:4;\tsigned:0;\n"
    "\tfield:unsigned int bytes;\toffset:28;\tsize:4;\tsigned:0;\n"
    "\tfield:char rwbs[8];\toffset:32;\tsize:8;\tsigned:1;\n"
    "\tfield:char comm[16];\toffset:40;\tsize:16;\tsigned:1;\n"
    "\tfield:__data_loc char[] cmd;\toffset:56;\tsize:4;\tsigned:1;\n\n"
    "print fmt: \"%d,%d\", REC->dev\n";

std::string FakeTracefs() {
  char tmpl[] = "/tmp/bpfd-tpbtf.XXXXXX";
  std::string root = mkdtemp(tmpl);
  std::string dir = root + "/events/block/block_rq_issue";
  for (std::string d : {root + "/events", root + "/events/block", dir}) mkdir(d.c_str(), 0755);
  WriteFile(dir + "/format", kFormat61, false);
  return root;
}

// The member `name` of struct `s`: its byte offset and its type's size, or {-1, -1}.
std::pair<long, long> Member(const struct btf* b, int s, const char* name) {
  const struct btf_type* t = btf__type_by_id(b, s);
  const struct btf_member* m = btf_members(t);
  for (int i = 0; i < btf_vlen(t); ++i, ++m)
    if (std::string(btf__name_by_offset(b, m->name_off)) == name)
      return {btf_member_bit_offset(t, i) / 8, btf__resolve_size(b, m->type)};
  return {-1, -1};
}

}  // namespace

TEST(block_rq_issue_as_btf) {
  std::string root = FakeTracefs();
  std::vector<uint8_t> raw;
  EXPECT_EQ(TracepointBtf(root, {{"trace_event_raw_block_rq", "block", "block_rq_issue"}}, &raw),
            0);
  struct btf* b = btf__new(raw.data(), static_cast<uint32_t>(raw.size()));
  EXPECT(b != nullptr);
  if (!b) return;
  int s = btf__find_by_name_kind(b, "trace_event_raw_block_rq", BTF_KIND_STRUCT);
  EXPECT(s > 0);
  EXPECT(Member(b, s, "ent") == (std::pair<long, long>{0, 8}));
  EXPECT(Member(b, s, "dev") == (std::pair<long, long>{8, 4}));
  EXPECT(Member(b, s, "sector") == (std::pair<long, long>{16, 8}));
  EXPECT(Member(b, s, "nr_sector") == (std::pair<long, long>{24, 4}));
  EXPECT(Member(b, s, "rwbs") == (std::pair<long, long>{32, 8}));
  EXPECT(Member(b, s, "comm") == (std::pair<long, long>{40, 16}));
  EXPECT(Member(b, s, "__data_loc_cmd") == (std::pair<long, long>{56, 4}));
  EXPECT(Member(b, s, "common_pid") == (std::pair<long, long>{-1, -1}));
  EXPECT(btf__find_by_name_kind(b, "trace_entry", BTF_KIND_STRUCT) > 0);
  btf__free(b);
  EXPECT_EQ(TracepointBtf(root, {{"trace_event_raw_x", "block", "no_such_event"}}, &raw), -ENOENT);
  std::system(("rm -rf " + root).c_str());
}

TEST_MAIN()
