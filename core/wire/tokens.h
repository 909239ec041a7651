// Tokenizer and strict number parsers for the line protocol: tokens are separated by single
// spaces (two spaces make an empty token); numbers are plain decimal with no '+', no spaces.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace bpfd {

// Splits `line` on every ' '. "a  b" gives {"a", "", "b"}; "" gives {}.
std::vector<std::string_view> SplitTokens(std::string_view line);
// How many tokens SplitTokens would give, without allocating.
size_t CountTokens(std::string_view line);
// SplitTokens into `out` (no allocation): the count, or SIZE_MAX when out is too small.
size_t SplitTokensInto(std::string_view line, std::span<std::string_view> out);

// Each parser returns true and sets *out only if the whole token is a decimal number that
// fits the type. Signed parsers accept one leading '-'; unsigned ones reject any sign.
bool ParseInt64(std::string_view s, int64_t* out);
bool ParseUint64(std::string_view s, uint64_t* out);
bool ParseInt(std::string_view s, int* out);
bool ParseUint32(std::string_view s, uint32_t* out);
// A hexadecimal number with an optional "0x" (kallsyms, GET_ELF_FUNCS).
bool ParseHexUint64(std::string_view s, uint64_t* out);

}  // namespace bpfd
