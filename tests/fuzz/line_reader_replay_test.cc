// Replays tests/fuzz/corpus_line_reader/* through line_reader_fuzz.cc.
#include "tests/fuzz/replay.h"
#include "tests/testing.h"

TEST(ReplayLineReaderCorpus) {
  auto inputs = bpfd::fuzz::ReadCorpus("corpus_line_reader");
  EXPECT(inputs.size() >= 5u);
  bpfd::fuzz::Replay(inputs, bpfd::fuzz::Prefixes::kEveryByte);
}

TEST_MAIN()
