#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "concord/core/result.hpp"
#include "concord/legal/catalog.hpp"

#include <toml++/toml.h>

namespace concord::legal::detail {

/// Typed access to the tables of one TOML file; every error names the file, line and column.
class TomlReader {
public:
    explicit TomlReader(std::filesystem::path file) : file_(std::move(file)) {}

    /// Parses the file: kNotFound if it cannot be read, kInvalidArgument with the parser's
    /// line, column and reason otherwise.
    Result<toml::table> Parse() const;

    /// "<file>:<line>:<column>: <reason>" for `node` (kInvalidArgument).
    [[nodiscard]] Error Fail(const toml::node& node, std::string_view reason) const;

    /// A string (or TOML date, as YYYY-MM-DD) under `key`; empty if absent and not required.
    Result<std::string> String(const toml::table& t, std::string_view key, bool required) const;
    /// An array of strings under `key`; empty if absent.
    Result<std::vector<std::string>> Strings(const toml::table& t, std::string_view key) const;
    /// A boolean under `key`, `fallback` if absent.
    Result<bool> Bool(const toml::table& t, std::string_view key, bool fallback) const;
    /// An integer under `key`, `fallback` if absent.
    Result<std::int64_t> Int(const toml::table& t, std::string_view key, std::int64_t fallback)
        const;
    /// A table of the six languages under `key`; every language must be present and non-empty.
    /// Absent and not required: an empty Localized.
    Result<Localized> Texts(const toml::table& t, std::string_view key, bool required) const;
    /// The verification status under "verification" (required).
    Result<Verification> Status(const toml::table& t) const;
    /// The array of tables under `key` (empty if absent).
    Result<std::vector<const toml::table*>> Tables(const toml::table& t, std::string_view key)
        const;
    /// Checks a six-language table.
    Result<Localized> LanguageTable(const toml::table& t, std::string_view what) const;

    [[nodiscard]] const std::filesystem::path& File() const { return file_; }

private:
    std::filesystem::path file_;
};

}  // namespace concord::legal::detail
