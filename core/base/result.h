// Status and Result<T>: errors as values for the host side (client/, output/, cmd/), in the
// spirit of Android's base::Result. err is a negative errno; msg says it in words for users.
// The kernel layer keeps plain -errno ints (libbpf style).
#pragma once
#include <string>
#include <utility>

namespace bpfd {

struct Status {
  int err = 0;      // 0, or -errno
  std::string msg;  // what failed and, where known, what to do
  bool ok() const { return err == 0; }
};

inline Status Error(int err, std::string msg) { return Status{err, std::move(msg)}; }

template <class T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}          // NOLINT: implicit, as a return value
  Result(Status status) : status_(std::move(status)) {}  // NOLINT: status.err must be < 0
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  int err() const { return status_.err; }
  const std::string& msg() const { return status_.msg; }
  T& value() { return value_; }
  const T& value() const { return value_; }
  T* operator->() { return &value_; }
  const T* operator->() const { return &value_; }
  T& operator*() { return value_; }

 private:
  Status status_;
  T value_{};
};

}  // namespace bpfd
