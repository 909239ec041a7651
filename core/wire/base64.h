// Standard base64 (RFC 4648 alphabet "+/", '=' padding). Encoding appends to a string;
// decoding is strict: any bad character, bad padding or non-zero pad bits is -EINVAL.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bpfd {

// Number of characters Base64Encode produces for `len` input bytes.
constexpr size_t Base64EncodedSize(size_t len) { return (len + 2) / 3 * 4; }

// Appends the encoding of data[0, len) to *out (amortised linear, no reallocation storms).
void Base64Append(const uint8_t* data, size_t len, std::string* out);

std::string Base64Encode(const uint8_t* data, size_t len);

// Decodes `in` into *out (replacing its contents). Returns 0, or -EINVAL for input that is
// not canonical base64 (length not a multiple of 4, bytes outside the alphabet, '=' anywhere
// but the last one or two positions, or non-zero bits under the padding).
int Base64Decode(std::string_view in, std::vector<uint8_t>* out);
// The same into out[0, Base64DecodedSize(in)) (which the caller provides); -EINVAL as above
// (out's contents are then unspecified). Base64DecodedSize is -EINVAL for a bad length.
int64_t Base64DecodedSize(std::string_view in);
int Base64DecodeTo(std::string_view in, uint8_t* out);

// Protocol data tokens (the forwarding commands): "-" for no bytes, else strict base64.
// DecodeData: 0 or -EINVAL. AppendData appends the token for data[0, len) to *out.
int DecodeData(std::string_view token, std::vector<uint8_t>* out);
void AppendData(const uint8_t* data, size_t len, std::string* out);

}  // namespace bpfd
