#pragma once

#include <initializer_list>
#include <ostream>
#include <string_view>
#include <utility>

namespace concord::log {

/// Severity of a log line.
enum class Level : unsigned char { kDebug, kInfo, kWarning, kError };

/// One field of a log line. Values are copied into the line as JSON strings or numbers.
struct Field {
    std::string_view key;
    std::string_view text;
    long long number{0};
    bool is_number{false};

    Field(std::string_view k, std::string_view v) : key(k), text(v) {}
    Field(std::string_view k, const char* v) : key(k), text(v) {}
    Field(std::string_view k, long long v) : key(k), number(v), is_number(true) {}
    Field(std::string_view k, int v) : key(k), number(v), is_number(true) {}
    Field(std::string_view k, unsigned long v)
        : key(k), number(static_cast<long long>(v)), is_number(true) {}
    Field(std::string_view k, unsigned long long v)
        : key(k), number(static_cast<long long>(v)), is_number(true) {}
    Field(std::string_view k, long v) : key(k), number(v), is_number(true) {}
};

/// Sends log lines to `out` (default std::cerr) from now on; lines below `min_level` are dropped.
/// Each line is one JSON object: {"ts":..,"level":..,"msg":..,<fields>}. Callers never pass
/// secrets or case content as fields (docs/operations.md).
void Configure(std::ostream* out, Level min_level);

/// Writes one line. Thread-safe; a line is written whole.
void Write(Level level, std::string_view message, std::initializer_list<Field> fields = {});

inline void Info(std::string_view m, std::initializer_list<Field> f = {}) {
    Write(Level::kInfo, m, f);
}
inline void Warning(std::string_view m, std::initializer_list<Field> f = {}) {
    Write(Level::kWarning, m, f);
}
inline void Error(std::string_view m, std::initializer_list<Field> f = {}) {
    Write(Level::kError, m, f);
}
inline void Debug(std::string_view m, std::initializer_list<Field> f = {}) {
    Write(Level::kDebug, m, f);
}

}  // namespace concord::log
