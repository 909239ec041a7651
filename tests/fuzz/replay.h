// Replaying a fuzz target's corpus without libFuzzer (the *_replay_test.cc files): `bazel
// test` runs every target's checks on every architecture. A violated invariant aborts inside
// the target.
#pragma once
#include <dirent.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace bpfd::fuzz {

// The contents of tests/fuzz/<subdir>/* (sorted by name); empty, with a line saying why, if the
// directory cannot be read.
inline std::vector<std::string> ReadCorpus(const std::string& subdir) {
  std::string dir;
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* ws = std::getenv("TEST_WORKSPACE");
  dir = srcdir && ws ? std::string(srcdir) + "/" + ws + "/tests/fuzz/" + subdir
                     : "tests/fuzz/" + subdir;
  std::vector<std::string> names, out;
  DIR* d = opendir(dir.c_str());
  if (!d) {
    std::printf("cannot open corpus directory %s\n", dir.c_str());
    return out;
  }
  while (dirent* e = readdir(d))
    if (e->d_name[0] != '.') names.push_back(dir + "/" + e->d_name);
  closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& f : names) {
    std::ifstream in(f, std::ios::binary);
    out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return out;
}

enum class Prefixes {
  kEveryByte,  // each input cut after every byte (cheap targets)
  kEveryLine,  // each input cut after every '\n' (targets whose inputs make kernel calls)
};

// Runs the target on every prefix of every input, the whole input last.
inline void Replay(const std::vector<std::string>& inputs, Prefixes p) {
  for (const std::string& data : inputs) {
    for (size_t len = 0; len < data.size(); ++len)
      if (p == Prefixes::kEveryByte || data[len] == '\n')
        LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(data.data()), len);
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(data.data()), data.size());
  }
}

}  // namespace bpfd::fuzz
