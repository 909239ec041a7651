// Real tracefs tests: locating/mounting tracefs, listing events, and uprobe_events add/remove.
#include <errno.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>

#include "core/kernel/tracefs.h"
#include "core/kernel/usyms.h"
#include "tests/testing.h"

extern "C" __attribute__((noinline, used)) int bpfd_tracefs_test_target(int x) { return x * 3 + 1; }

namespace {

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string SelfExe() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

}  // namespace

TEST(FindsOrMountsTracefs) {
  std::string path;
  int r = bpfd::FindTracefs(&path);
  if (r == -EPERM || r == -EACCES) SKIP("cannot mount tracefs here: " + std::string(strerror(-r)));
  EXPECT_EQ(r, 0);
  struct statfs st;
  EXPECT_EQ(statfs(path.c_str(), &st), 0);
  EXPECT_EQ(static_cast<long>(st.f_type), 0x74726163L);
  std::string again;
  EXPECT_EQ(bpfd::FindTracefs(&again), 0);
  EXPECT_EQ(again, path);
}

TEST(ListsCategoriesAndEvents) {
  std::string tfs;
  if (bpfd::FindTracefs(&tfs) != 0) SKIP("no tracefs");
  std::vector<std::string> cats;
  EXPECT_EQ(bpfd::ListCategories(tfs, &cats), 0);
  EXPECT(Contains(cats, "sched"));
  EXPECT(!Contains(cats, "enable"));  // a file, not a category
  EXPECT(std::is_sorted(cats.begin(), cats.end()));
  std::vector<std::string> evs;
  EXPECT_EQ(bpfd::ListEvents(tfs, "sched", &evs), 0);
  EXPECT(Contains(evs, "sched_switch"));
  EXPECT(!Contains(evs, "enable"));
  EXPECT(std::is_sorted(evs.begin(), evs.end()));
}

TEST(TracepointIds) {
  std::string tfs;
  if (bpfd::FindTracefs(&tfs) != 0) SKIP("no tracefs");
  int id = bpfd::TracepointId(tfs, "sched", "sched_switch");
  EXPECT(id > 0);
  std::string text;
  EXPECT_EQ(bpfd::ReadFile(tfs + "/events/sched/sched_switch/id", &text), 0);
  EXPECT_EQ(std::to_string(id) + "\n", text);
  EXPECT_EQ(bpfd::TracepointId(tfs, "sched", "no_such_event_xyz"), -ENOENT);
  EXPECT_EQ(bpfd::TracepointId(tfs, "no_such_category_xyz", "x"), -ENOENT);
}

TEST(UprobeEventAddAndRemove) {
  std::string tfs;
  if (bpfd::FindTracefs(&tfs) != 0) SKIP("no tracefs");
  if (access((tfs + "/uprobe_events").c_str(), F_OK) != 0) SKIP("kernel has no uprobe_events");
  uint64_t off = 0;
  std::string exe = SelfExe();
  int r = bpfd::UserSymbols::FileOffsetForSymbol(exe, "bpfd_tracefs_test_target", &off);
  if (r == -ENOENT) SKIP("test binary has no symbol table");
  EXPECT_EQ(r, 0);
  char def[512];
  std::string ev = "bpfd_tracefs_test_" + std::to_string(getpid());
  snprintf(def, sizeof(def), "p:bpfd_test/%s %s:0x%llx", ev.c_str(), exe.c_str(),
           static_cast<unsigned long long>(off));
  EXPECT_EQ(bpfd::AddProbeEvent(tfs, bpfd::ProbeKind::kUprobe, def), 0);
  EXPECT(bpfd::TracepointId(tfs, "bpfd_test", ev) > 0);
  std::string listing;
  EXPECT_EQ(bpfd::ReadFile(tfs + "/uprobe_events", &listing), 0);
  EXPECT(listing.find("bpfd_test/" + ev) != std::string::npos);
  EXPECT_EQ(bpfd::AddProbeEvent(tfs, bpfd::ProbeKind::kUprobe, def), -EEXIST);
  EXPECT_EQ(bpfd::RemoveProbeEvent(tfs, bpfd::ProbeKind::kUprobe, "bpfd_test", ev), 0);
  EXPECT_EQ(bpfd::TracepointId(tfs, "bpfd_test", ev), -ENOENT);
  EXPECT_EQ(bpfd::RemoveProbeEvent(tfs, bpfd::ProbeKind::kUprobe, "bpfd_test", ev), -ENOENT);
  EXPECT_EQ(bpfd_tracefs_test_target(1), 4);
}

TEST(KprobeEventsWhenUnsupported) {
  std::string tfs;
  if (bpfd::FindTracefs(&tfs) != 0) SKIP("no tracefs");
  if (access((tfs + "/kprobe_events").c_str(), F_OK) == 0) {
    SKIP("kernel has kprobe_events; unsupported-path check does not apply");
  }
  EXPECT_EQ(bpfd::AddProbeEvent(tfs, bpfd::ProbeKind::kKprobe, "p:kprobes/bpfd_x do_sys_open"),
            -ENOENT);
}

TEST_MAIN()
