// bpf-probes' client-side helpers: trace event format parsing, glob filtering, the parsers of
// the kprobe-related replies and GET_ELF_FUNCS lines, the kprobe candidate set, text tables
// and demangling.
#include "core/client/probe_listing.h"
#include "core/base/demangle.h"
#include "core/base/glob.h"
#include "core/output/text_table.h"
#include "core/output/trace_format.h"
#include "tests/testing.h"

using namespace bpfd;

constexpr const char* kSchedSwitch =
    "name: sched_switch\n"
    "ID: 372\n"
    "format:\n"
    "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
    "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
    "\n"
    "\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
    "\tfield:__data_loc char[] name;\toffset:24;\tsize:4;\tsigned:0;\n"
    "\tfield:const char * ptr;\toffset:32;\tsize:8;\tsigned:0;\n"
    "\n"
    "print fmt: \"prev_comm=%s\", REC->prev_comm\n";

TEST(ParsesFormatFile) {
  TraceFormat f;
  EXPECT_EQ(ParseTraceFormat(kSchedSwitch, &f), 0);
  EXPECT_EQ(f.name, "sched_switch");
  EXPECT_EQ(f.id, 372);
  EXPECT_EQ(f.fields.size(), 5u);
  if (f.fields.size() != 5) return;
  EXPECT(f.fields[0].common && f.fields[0].type == "unsigned short" && !f.fields[0].is_signed);
  EXPECT(f.fields[1].is_signed && f.fields[1].offset == 4 && f.fields[1].size == 4);
  EXPECT(!f.fields[2].common && f.fields[2].name == "prev_comm" && f.fields[2].type == "char[16]");
  EXPECT_EQ(f.fields[2].offset, 8u);
  EXPECT_EQ(f.fields[2].size, 16u);
  EXPECT(f.fields[3].name == "name" && f.fields[3].type == "__data_loc char[]");
  EXPECT(f.fields[4].name == "ptr" && f.fields[4].type == "const char *");
}

TEST(RejectsBadFormatFiles) {
  TraceFormat f;
  EXPECT_EQ(ParseTraceFormat("", &f), -EINVAL);
  EXPECT_EQ(ParseTraceFormat("name: x\nID: 1\n", &f), -EINVAL);  // no fields
  EXPECT_EQ(ParseTraceFormat("\tfield:int a;\toffset:x;\tsize:4;\tsigned:1;\n", &f), -EINVAL);
  EXPECT_EQ(ParseTraceFormat("\tfield:int a;\toffset:0;\tsize:4;\n", &f), -EINVAL);
  EXPECT_EQ(ParseTraceFormat("\tfield:int a;\toffset:0;\tsize:4;\tsigned:2;\n", &f), -EINVAL);
  EXPECT_EQ(ParseTraceFormat("\tfield:;\toffset:0;\tsize:4;\tsigned:0;\n", &f), -EINVAL);
  EXPECT_EQ(ParseTraceFormat("ID: x\n\tfield:int a;\toffset:0;\tsize:4;\tsigned:0;\n", &f),
            -EINVAL);
}

TEST(SplitsDeclarations) {
  std::string type, name;
  EXPECT(SplitFieldDecl("unsigned long long x[2][3]", &type, &name));
  EXPECT(type == "unsigned long long[2][3]" && name == "x");
  EXPECT(!SplitFieldDecl("lonely", &type, &name));  // no type
  EXPECT(!SplitFieldDecl("", &type, &name));
}

TEST(GlobMatches) {
  EXPECT(GlobMatch("", "anything"));
  EXPECT(GlobMatch("sched:*", "sched:sched_switch"));
  EXPECT(!GlobMatch("sched:*", "irq:irq_handler_entry"));
  EXPECT(GlobMatch("*:sys_enter_?pen*", "syscalls:sys_enter_openat"));
  EXPECT(GlobMatch("vfs_[rw]*", "vfs_write") && !GlobMatch("vfs_[rw]*", "vfs_open"));
  EXPECT(GlobMatch("ns::*(int)", "ns::f(int)"));
  EXPECT(!GlobMatch("sched", "sched:sched_switch"));  // whole-string match
}

TEST(ParsesKernelFunctionLines) {
  KernelFunc f;
  EXPECT(ParseFilterFunction("vfs_read", &f) && f.name == "vfs_read" && f.module.empty());
  EXPECT(ParseFilterFunction("ext4_fill_super [ext4]", &f) && f.name == "ext4_fill_super" &&
         f.module == "ext4");
  EXPECT(!ParseFilterFunction("", &f));
  EXPECT(ParseKallsymsText("ffffffff81000000 T _stext", &f) && f.name == "_stext" &&
         f.module.empty());
  EXPECT(ParseKallsymsText("ffffffffc0001000 t nf_hook\t[nf_tables]", &f) && f.name == "nf_hook" &&
         f.module == "nf_tables");
  EXPECT(!ParseKallsymsText("ffffffff82000000 D jiffies", &f));
  EXPECT(!ParseKallsymsText("ffffffff82000000 b", &f));
  EXPECT(!ParseKallsymsText("garbage", &f));
}

TEST(ParsesBlacklist) {
  std::string name;
  EXPECT(ParseBlacklistEntry("0xffffffff81001000-0xffffffff81001020\tdo_int3", &name) &&
         name == "do_int3");
  EXPECT(!ParseBlacklistEntry("not a range\tx", &name));
  EXPECT(!ParseBlacklistEntry("0xzz-0x10\tx", &name));
  EXPECT(!ParseBlacklistEntry("0x10-0x20", &name));
}

TEST(KprobeCandidatesDropBlacklistDuplicatesAndPlaceholders) {
  std::vector<KernelFunc> funcs = {
      {"b", ""},   {"a", ""}, {"b", ""}, {"do_int3", ""}, {"__ftrace_invalid_address___64", ""},
      {"b", "mod"}};
  auto out = KprobeCandidates(funcs, {"do_int3"});
  std::vector<KernelFunc> want = {{"a", ""}, {"b", ""}, {"b", "mod"}};
  EXPECT(out == want);
}

TEST(ParsesElfFuncLines) {
  ElfFunc f;
  EXPECT(ParseElfFuncLine("526 1526 6 bpfd_probes_c_target", &f));
  EXPECT(f.offset == 0x526 && f.vaddr == 0x1526 && f.size == 6 &&
         f.symbol == "bpfd_probes_c_target");
  EXPECT(ParseElfFuncLine("1f 20001f 0 name with spaces", &f) && f.symbol == "name with spaces");
  EXPECT(!ParseElfFuncLine("526 1526 6", &f));
  EXPECT(!ParseElfFuncLine("526 1526 x name", &f));
  EXPECT(!ParseElfFuncLine("zz 1526 6 name", &f));
  EXPECT(!ParseElfFuncLine("526 1526 6 ", &f));
}

TEST(TextTableAligns) {
  TextTable t;
  t.AddRow({"OFFSET", "SIZE", "NAME"});
  t.AddRow({"0x1", "123456", "f"});
  EXPECT_EQ(t.Render(), std::string("OFFSET  SIZE    NAME\n0x1     123456  f\n"));
  EXPECT_EQ(t.Render("  ").substr(0, 8), std::string("  OFFSET"));
}

TEST(Demangles) {
  EXPECT_EQ(Demangle("_ZN11bpfd_probes9CxxTargetEil"),
            std::string("bpfd_probes::CxxTarget(int, long)"));
  EXPECT_EQ(Demangle("main"), std::string("main"));
  EXPECT_EQ(Demangle("_Znot_valid!"), std::string("_Znot_valid!"));
}

TEST_MAIN()
