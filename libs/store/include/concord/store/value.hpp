#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "concord/core/bytes.hpp"

namespace concord::store {

/// SQL NULL.
struct Null {
    friend bool operator==(Null, Null) { return true; }
};

/// A value bound to a statement parameter or read from a result column: NULL, a 64-bit integer,
/// UTF-8 text or a byte string (SQLite BLOB, PostgreSQL BYTEA).
using Value = std::variant<Null, std::int64_t, std::string, Bytes>;

/// One result row. Accessors read column `i` (0-based); the caller knows the column types from its
/// own query, so a type mismatch is a programming error and aborts (CONCORD_ASSERT).
class Row {
public:
    Row() = default;
    explicit Row(std::vector<Value> values) : values_(std::move(values)) {}

    [[nodiscard]] std::size_t size() const { return values_.size(); }
    [[nodiscard]] bool IsNull(std::size_t i) const;
    [[nodiscard]] std::int64_t Int(std::size_t i) const;
    [[nodiscard]] const std::string& Text(std::size_t i) const;
    [[nodiscard]] const Bytes& Blob(std::size_t i) const;
    [[nodiscard]] const Value& at(std::size_t i) const { return values_.at(i); }

private:
    std::vector<Value> values_;
};

}  // namespace concord::store
