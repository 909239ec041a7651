// The journal record format round-trips, and replay keeps only what was not undone.
#include "core/daemon/journal.h"

#include <unistd.h>

#include <cerrno>

#include "tests/testing.h"

using bpfd::JournalEntry;

TEST(HeaderAndEntriesRoundTrip) {
  bpfd::JournalHeader h{1234, "0c7a3e2b-6f0e-4c1e-9a31-2b0d6e5f4a11", 987654321};
  std::vector<JournalEntry> made = {
      {JournalEntry::Type::kEvent, "/sys/kernel/tracing/uprobe_events", "uprobes/p_true_0_bcc_77"},
      {JournalEntry::Type::kEvent, "/sys/kernel/tracing/dynamic_events", "ev with space"},
      {JournalEntry::Type::kPin, "/sys/fs/bpf/a b/\xff", ""},
      {JournalEntry::Type::kCgroup, "/sys/fs/cgroup/unified/x", "", 2, 4294967295u},
      {JournalEntry::Type::kKnob, "/sys/kernel/tracing/tracing_on", "1\n"},
      {JournalEntry::Type::kKnob, "/sys/kernel/tracing/set_event", ""},
  };
  std::string text = bpfd::FormatJournalHeader(h) + "\n";
  for (const auto& e : made) text += bpfd::FormatJournalEntry('+', e) + "\n";
  bpfd::JournalHeader back;
  std::vector<JournalEntry> live;
  EXPECT_EQ(bpfd::ParseJournal(text, &back, &live), 0);
  EXPECT(back == h);
  EXPECT(live == made);
}

TEST(UndoneEntriesAreDroppedAndTornLinesIgnored) {
  bpfd::JournalHeader h{7, "b", 1};
  JournalEntry pin{JournalEntry::Type::kPin, "/sys/fs/bpf/p", ""};
  JournalEntry ev{JournalEntry::Type::kEvent, "/t/uprobe_events", "uprobes/e"};
  std::string text = bpfd::FormatJournalHeader(h) + "\n" + bpfd::FormatJournalEntry('+', pin) +
                     "\n" + bpfd::FormatJournalEntry('+', ev) + "\n" +
                     bpfd::FormatJournalEntry('-', pin) + "\n" + "+ pin L3N5c";  // torn
  bpfd::JournalHeader back;
  std::vector<JournalEntry> live;
  EXPECT_EQ(bpfd::ParseJournal(text, &back, &live), 0);
  EXPECT_EQ(live.size(), 1u);
  EXPECT(live[0] == ev);
}

TEST(MalformedIsRejected) {
  bpfd::JournalHeader h;
  std::vector<JournalEntry> live;
  EXPECT_EQ(bpfd::ParseJournal("", &h, &live), -EINVAL);
  EXPECT_EQ(bpfd::ParseJournal("bpfd-journal 2 1 b 1\n", &h, &live), -EINVAL);
  EXPECT_EQ(bpfd::ParseJournal("bpfd-journal 1 1 b 1\n+ thing x\n", &h, &live), -EINVAL);
  EXPECT_EQ(bpfd::ParseJournal("bpfd-journal 1 1 b 1\n+ pin !!\n", &h, &live), -EINVAL);
  EXPECT_EQ(bpfd::ParseJournal("bpfd-journal 1 1 b 1\n+ cgroup L3g= 1\n", &h, &live), -EINVAL);
}

TEST(SelfIdentityNamesThisProcess) {
  bpfd::JournalHeader h;
  EXPECT_EQ(bpfd::SelfIdentity(&h), 0);
  EXPECT_EQ(h.pid, static_cast<int>(getpid()));
  EXPECT(!h.boot_id.empty());
  uint64_t st = 0;
  EXPECT_EQ(bpfd::ProcessStartTime(h.pid, &st), 0);
  EXPECT_EQ(st, h.start_time);
  EXPECT_EQ(bpfd::ProcessStartTime(0x7ffffff0, &st), -ESRCH);
}

TEST_MAIN()
