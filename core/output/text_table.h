// TextTable: left-aligned columns for the modes' human-readable output (two spaces apart; the
// last column is not padded).
#pragma once
#include <string>
#include <vector>

namespace bpfd {

class TextTable {
 public:
  void AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  // Every row, each line prefixed with `indent` and ended with '\n'.
  std::string Render(const std::string& indent = "") const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace bpfd
