// Replays tests/fuzz/corpus/* through the line-parser fuzz target (line_parser_fuzz.cc).
#include "tests/fuzz/replay.h"
#include "tests/testing.h"

TEST(ReplayLineParserCorpus) {
  auto inputs = bpfd::fuzz::ReadCorpus("corpus");
  EXPECT(inputs.size() >= 10u);
  bpfd::fuzz::Replay(inputs, bpfd::fuzz::Prefixes::kEveryByte);
}

TEST_MAIN()
