// Start-up profiles (startup_profile.h): which lines may be prefetched, and a profile's round
// trip through a scratch store (kept in order, deduplicated, capped; damaged ones ignored).
#include "core/client/startup_profile.h"

#include <stdlib.h>

#include <string>
#include <vector>

#include "core/base/file_io.h"
#include "core/wire/base64.h"
#include "core/wire/sys_bpf_record.h"
#include "tests/testing.h"

using namespace bpfd;

namespace {

std::string Tok(std::string_view s) {
  std::string out;
  AppendData(reinterpret_cast<const uint8_t*>(s.data()), s.size(), &out);
  return out;
}

std::string Line(std::string_view cmd, std::string_view path, std::string_view rest = "") {
  std::string l = std::string(cmd) + " " + Tok(path);
  if (!rest.empty()) l += " " + std::string(rest);
  return l;
}

}  // namespace

TEST(PrefetchableLines) {
  const std::string ev = "/sys/kernel/debug/tracing/events/syscalls/sys_enter_openat";
  EXPECT(Prefetchable("SYS_UNAME"));
  EXPECT(Prefetchable(Line("FILE_READ", ev + "/id")));
  EXPECT(Prefetchable(Line("FILE_READ", "/sys/kernel/tracing/events/sched/sched_switch/format")));
  EXPECT(Prefetchable(Line("FILE_READ_CACHED", "/proc/kallsyms", "-")));
  EXPECT(Prefetchable(Line("FILE_READ_CACHED", "/sys/kernel/tracing/available_filter_functions")));
  EXPECT(Prefetchable(Line("FILE_READ", "/sys/devices/system/cpu/online")));
  EXPECT(Prefetchable(Line("FILE_READ", "/proc/sys/kernel/randomize_va_space")));
  EXPECT(Prefetchable(Line("FILE_READ", "/sys/bus/event_source/devices/kprobe/type")));
  EXPECT(Prefetchable(Line("FILE_STAT", "/sys/kernel/debug/tracing", "1")));
  EXPECT(Prefetchable(Line("FILE_ACCESS", "/usr/lib/libc.so.6", "4")));
  EXPECT(Prefetchable(Line("FILE_LIST_TREE", "/sys/kernel/debug/tracing/events", "2")));
  // Reads that block, consume or are large and ever-changing; other files; writes; processes.
  EXPECT(!Prefetchable(Line("FILE_READ", "/sys/kernel/debug/tracing/trace_pipe")));
  EXPECT(!Prefetchable(Line("FILE_READ", "/sys/kernel/tracing/trace")));
  EXPECT(!Prefetchable(Line("FILE_READ", ev + "/enable")));
  EXPECT(!Prefetchable(Line("FILE_READ", "/etc/shadow")));
  EXPECT(!Prefetchable(Line("FILE_READ", "/sys/kernel/tracing/events/../../../../etc/passwd")));
  EXPECT(!Prefetchable(Line("FILE_STAT", "/proc/1234/root/usr/bin/bash", "1")));
  EXPECT(!Prefetchable(Line("FILE_STAT", "/proc/self/exe", "1")));
  EXPECT(!Prefetchable(Line("FILE_STAT", "relative/path", "1")));
  EXPECT(!Prefetchable(Line("FILE_OPEN", ev + "/id", "0 0")));
  EXPECT(!Prefetchable(Line("FILE_WRITE", "/sys/kernel/tracing/uprobe_events")));
  EXPECT(!Prefetchable("SYS_BPF 2 AAAA"));
  EXPECT(!Prefetchable("SYS_BPF 5 !!"));
  EXPECT(!Prefetchable("SYS_BPF 5"));
}

// Object creations a profile may hold (the next run makes them ahead): map creates, program
// and BTF loads, as SYS_BPF lines that parse; no other bpf command.
TEST(CreationLines) {
  SysBpfRequest map{.cmd = 0, .attr = std::vector<uint8_t>(72, 1), .bufs = {}};
  SysBpfRequest prog{.cmd = 5, .attr = std::vector<uint8_t>(128, 0), .bufs = {}};
  prog.bufs.push_back({.slot = {-1, 16}, .dir = 'i', .data = std::vector<uint8_t>(16, 0x95)});
  prog.bufs.push_back({.slot = {-1, 40}, .dir = 'o', .data = std::vector<uint8_t>(64, 0)});
  for (const SysBpfRequest& r : {map, prog}) {
    EXPECT(CreationLine(FormatSysBpfRequest(r)));
    EXPECT(Prefetchable(FormatSysBpfRequest(r)));
    EXPECT_EQ(ProfileLine(FormatSysBpfRequest(r)), FormatSysBpfRequest(r));
  }
  SysBpfRequest btf = prog;
  btf.cmd = 18;
  EXPECT(CreationLine(FormatSysBpfRequest(btf)));
  SysBpfRequest update = map;
  update.cmd = 2;  // BPF_MAP_UPDATE_ELEM: a change, never ahead
  EXPECT(!Prefetchable(FormatSysBpfRequest(update)));
  std::string cut = FormatSysBpfRequest(prog);
  cut.resize(cut.rfind(' '));  // a buffer without its data token
  EXPECT(!CreationLine(cut));
  EXPECT(CreationCommand(cut) && !CreationCommand(FormatSysBpfRequest(update)));
  EXPECT(!CreationLine(FormatSysBpfRequest(map) + "\nSYS_UNAME"));
  EXPECT(!Prefetchable("FILE_READ !!notbase64"));
  EXPECT(!Prefetchable("FILE_READ"));
}

TEST(ProfileLineDropsHeldDigests) {
  const std::string k = Line("FILE_READ_CACHED", "/proc/kallsyms");
  EXPECT_EQ(ProfileLine(k + " " + std::string(64, 'a')), k);
  EXPECT_EQ(ProfileLine(k + " -"), k);
  EXPECT_EQ(ProfileLine("SYS_UNAME"), "SYS_UNAME");
}

TEST(ProfileRoundTrip) {
  char tmpl[] = "/tmp/bpfd_profile.XXXXXX";
  const std::string dir = mkdtemp(tmpl) ? tmpl : "";
  EXPECT(!dir.empty());
  StartupProfile p(dir, "python3 funccount\ntarget"), other(dir, "bpftrace\ntarget");
  EXPECT(p.Load().empty());  // none yet
  const std::string id = Line("FILE_READ", "/sys/kernel/tracing/events/irq/irq_handler_entry/id");
  const std::string kall = Line("FILE_READ_CACHED", "/proc/kallsyms");
  EXPECT_EQ(p.Save({"SYS_UNAME", id, "SYS_BPF 2 AAAA", kall + " -", id,
                    kall + " " + std::string(64, 'b')}),
            0);
  EXPECT(p.Load() == (std::vector<std::string>{"SYS_UNAME", id, kall}));
  EXPECT(other.Load().empty());  // another tool's
  // Capped by lines and bytes.
  std::vector<std::string> many;
  for (int i = 0; i < 200; ++i)
    many.push_back(Line("FILE_STAT", "/usr/lib/x" + std::to_string(i) + std::string(60, 'y'), "1"));
  EXPECT_EQ(p.Save(many), 0);
  std::vector<std::string> loaded = p.Load();
  size_t bytes = 0;
  for (const std::string& l : loaded) bytes += l.size() + 1;
  EXPECT(!loaded.empty() && loaded.size() <= StartupProfile::kMaxLines &&
         bytes <= StartupProfile::kMaxBytes && loaded[0] == many[0]);
  // A damaged profile (an unlisted line, or cut short) is no profile.
  std::string text;
  EXPECT(ReadFile(dir + "/profiles", &text) < 0);  // a directory
  EXPECT_EQ(p.Save({"SYS_UNAME", id}), 0);
  StartupProfile none("", "x");
  EXPECT(none.Load().empty());
  EXPECT_EQ(none.Save({"SYS_UNAME"}), 0);
  std::string cmd = "f=$(ls " + dir + "/profiles/* | head -1); printf 'SYS_BPF 1 AAAA\\n' >> $f";
  EXPECT_EQ(system(cmd.c_str()), 0);
  EXPECT(p.Load().empty());
  cmd = "f=$(ls " + dir + "/profiles/* | head -1); printf 'bpfd-startup-profile 1\\nSYS_UNA' > $f";
  EXPECT_EQ(system(cmd.c_str()), 0);
  EXPECT(p.Load().empty());
  cmd = "rm -rf '" + dir + "'";
  EXPECT_EQ(system(cmd.c_str()), 0);
}

TEST_MAIN()
