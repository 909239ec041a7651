// Replays tests/fuzz/corpus/* through the line-parser fuzz target (and every prefix of each
// file), so `bazel test` exercises the fuzzer's checks without libFuzzer. A violated reply
// invariant aborts inside the target.
#include <dirent.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/testing.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::string CorpusDir() {
  if (const char* d = std::getenv("BPFD_FUZZ_CORPUS")) return d;
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* ws = std::getenv("TEST_WORKSPACE");
  if (srcdir && ws) return std::string(srcdir) + "/" + ws + "/tests/fuzz/corpus";
  return "tests/fuzz/corpus";
}

}  // namespace

TEST(ReplayCorpus) {
  std::string dir = CorpusDir();
  DIR* d = opendir(dir.c_str());
  if (!d) {
    std::printf("cannot open corpus directory %s\n", dir.c_str());
    EXPECT(false);
    return;
  }
  std::vector<std::string> files;
  while (dirent* e = readdir(d))
    if (e->d_name[0] != '.') files.push_back(dir + "/" + e->d_name);
  closedir(d);
  EXPECT(files.size() >= 10u);
  for (const std::string& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (size_t len = 0; len <= data.size(); ++len)
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(data.data()), len);
  }
}

TEST_MAIN()
