// Replays tests/fuzz/corpus_handshake/* through handshake_fuzz.cc (both ends of the
// listener's challenge–response, over socketpairs).
#include "tests/fuzz/replay.h"
#include "tests/testing.h"

TEST(ReplayHandshakeCorpus) {
  auto inputs = bpfd::fuzz::ReadCorpus("corpus_handshake");
  EXPECT(inputs.size() >= 5u);
  bpfd::fuzz::Replay(inputs, bpfd::fuzz::Prefixes::kEveryByte);
}

TEST_MAIN()
