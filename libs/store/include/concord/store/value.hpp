#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
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

/// The column names of one result, shared by all its rows.
using ColumnNames = std::shared_ptr<const std::vector<std::string>>;

/// One result row. Accessors read column `i` (0-based) or the column named `name` (as the query
/// names it: the column itself or its `AS` alias; both backends report the same names for
/// lower-case identifiers). The caller knows the column names and types from its own query, so an
/// unknown name or a type mismatch is a programming error and aborts (CONCORD_ASSERT).
class Row {
public:
    Row() = default;
    explicit Row(std::vector<Value> values, ColumnNames names = nullptr)
        : values_(std::move(values)), names_(std::move(names)) {}

    [[nodiscard]] std::size_t Size() const { return values_.size(); }
    [[nodiscard]] bool IsNull(std::size_t i) const;
    [[nodiscard]] std::int64_t Int(std::size_t i) const;
    [[nodiscard]] const std::string& Text(std::size_t i) const;
    [[nodiscard]] const Bytes& Blob(std::size_t i) const;
    [[nodiscard]] const Value& At(std::size_t i) const { return values_.at(i); }

    /// The index of the column named `name`; aborts if the result has no such column.
    [[nodiscard]] std::size_t Index(std::string_view name) const;
    [[nodiscard]] bool IsNull(std::string_view name) const { return IsNull(Index(name)); }
    [[nodiscard]] std::int64_t Int(std::string_view name) const { return Int(Index(name)); }
    [[nodiscard]] const std::string& Text(std::string_view name) const { return Text(Index(name)); }
    [[nodiscard]] const Bytes& Blob(std::string_view name) const { return Blob(Index(name)); }

private:
    std::vector<Value> values_;
    ColumnNames names_;
};

}  // namespace concord::store
