// Status charts of the parties to each instrument: instruments/parties/charts/*.tsv.
//
// names.tsv gives every party's short name in the six UN languages; each other file
// <instrument>.tsv is one instrument's chart of signatures and ratifications, one row per party.
// docs/legal-data.md ("Parties") describes both formats.

#include <algorithm>
#include <array>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "concord/legal/catalog.hpp"

namespace concord::legal {
namespace {

namespace fs = std::filesystem;

constexpr std::uintmax_t kMaxChartBytes = 8U << 20U;
constexpr std::string_view kNamesFile = "names.tsv";

constexpr std::array<std::string_view, 12> kChartColumns = {
    "code",
    "name_en",
    "signed",
    "consent",
    "consent_kind",
    "in_force",
    "reservations",
    "reservations_complete",
    "declarations",
    "verification",
    "source",
    "note"};

constexpr std::array<std::string_view, 6> kConsentKinds = {
    "ratification", "accession", "acceptance", "approval", "succession", "definitive_signature"};

// One line of a TSV file: its number (1-based) and its fields.
struct Line {
    std::size_t number{0};
    std::vector<std::string_view> fields;
};

// The comment lines, header and rows of one TSV file.
struct Table {
    std::map<std::string, std::string, std::less<>> meta;  // "# key = value" comments
    Line header;
    std::vector<Line> rows;
};

Error Fail(const fs::path& file, std::size_t line, std::string_view reason) {
    return MakeError(
        ErrorCode::kInvalidArgument, fmt::format("{}:{}: {}", file.string(), line, reason)
    );
}

std::vector<std::string_view> Split(std::string_view text, char sep) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (true) {
        const std::size_t end = text.find(sep, start);
        out.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
        if (end == std::string_view::npos) {
            return out;
        }
        start = end + 1;
    }
}

// Splits at `sep` outside round brackets, so that a declaration may say "(reservation; per the
// 2010 chart)"; nullopt when the brackets do not balance.
std::optional<std::vector<std::string_view>> SplitOutsideBrackets(std::string_view text, char sep) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    int depth = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '(') {
            ++depth;
        } else if (text[i] == ')' && --depth < 0) {
            return std::nullopt;
        } else if (text[i] == sep && depth == 0) {
            out.push_back(text.substr(start, i - start));
            start = i + 1;
        }
    }
    if (depth != 0) {
        return std::nullopt;
    }
    out.push_back(text.substr(start));
    return out;
}

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ')) {
        s.remove_suffix(1);
    }
    return s;
}

Result<std::string> ReadText(const fs::path& file) {
    std::error_code ec;
    const std::uintmax_t size = fs::file_size(file, ec);
    if (ec) {
        return MakeError(ErrorCode::kNotFound, fmt::format("{}: cannot read", file.string()));
    }
    if (size > kMaxChartBytes) {
        return Fail(file, 1, fmt::format("file larger than {} bytes", kMaxChartBytes));
    }
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in && !in.eof()) {
        return MakeError(ErrorCode::kNotFound, fmt::format("{}: cannot read", file.string()));
    }
    return text.str();
}

// Splits `text` into comment metadata, header and rows. Blank lines are ignored; so is a
// trailing carriage return.
Result<Table> ParseTable(const fs::path& file, const std::string& text) {
    Table t;
    std::size_t number = 0;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) {
            end = text.size();
        }
        std::string_view line(text.data() + start, end - start);
        start = end + 1;
        ++number;
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (line.empty()) {
            continue;
        }
        if (line.front() == '#') {
            const std::string_view body = Trim(line.substr(1));
            const std::size_t eq = body.find('=');
            if (eq != std::string_view::npos && t.header.number == 0) {
                t.meta.insert_or_assign(
                    std::string(Trim(body.substr(0, eq))), std::string(Trim(body.substr(eq + 1)))
                );
            }
            continue;
        }
        Line l{number, Split(line, '\t')};
        if (t.header.number == 0) {
            t.header = std::move(l);
        } else {
            t.rows.push_back(std::move(l));
        }
    }
    if (t.header.number == 0) {
        return Fail(file, number == 0 ? 1 : number, "no header line");
    }
    return t;
}

// Compares a header line with the expected columns, naming the first one that differs.
Result<void> CheckHeader(
    const fs::path& file, const Line& header, const std::vector<std::string_view>& expected
) {
    for (std::size_t i = 0; i < header.fields.size(); ++i) {
        if (i >= expected.size() || header.fields[i] != expected[i]) {
            return Fail(
                file,
                header.number,
                fmt::format(
                    "unknown column '{}' (column {}; expected '{}')",
                    header.fields[i],
                    i + 1,
                    i < expected.size() ? expected[i] : std::string_view("end of line")
                )
            );
        }
    }
    if (header.fields.size() < expected.size()) {
        return Fail(
            file, header.number, fmt::format("missing column '{}'", expected[header.fields.size()])
        );
    }
    return {};
}

Result<void> CheckFieldCount(const fs::path& file, const Line& row, std::size_t expected) {
    if (row.fields.size() != expected) {
        return Fail(
            file,
            row.number,
            fmt::format(
                "{} fields, expected {} (fields are separated by one tab)",
                row.fields.size(),
                expected
            )
        );
    }
    return {};
}

bool IsCode(std::string_view code) {
    return code.size() == 2 &&
           std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// YYYY-MM-DD naming a real calendar day.
bool IsDate(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') {
        return false;
    }
    for (std::size_t i : {0U, 1U, 2U, 3U, 5U, 6U, 8U, 9U}) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    auto num = [&](std::size_t pos, std::size_t len) {
        int v = 0;
        for (std::size_t i = pos; i < pos + len; ++i) {
            v = v * 10 + (s[i] - '0');
        }
        return v;
    };
    const int year = num(0, 4);
    const int month = num(5, 2);
    const int day = num(8, 2);
    if (month < 1 || month > 12 || day < 1) {
        return false;
    }
    constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    const int max_day = month == 2 && leap ? 29 : kDays[static_cast<std::size_t>(month - 1)];
    return day <= max_day;
}

Result<Verification> ParseVerification(const fs::path& file, std::size_t line, std::string_view s) {
    if (auto v = VerificationNamed(s)) {
        return *v;
    }
    return Fail(
        file, line, fmt::format("verification '{}' is not verified, secondary or unverified", s)
    );
}

using Names = std::map<std::string, Localized, std::less<>>;

Result<Names> LoadNames(const fs::path& file) {
    CONCORD_ASSIGN_OR_RETURN(std::string text, ReadText(file));
    CONCORD_ASSIGN_OR_RETURN(Table t, ParseTable(file, text));
    std::vector<std::string_view> columns = {"code"};
    columns.insert(columns.end(), kLanguages.begin(), kLanguages.end());
    CONCORD_RETURN_IF_ERROR(CheckHeader(file, t.header, columns));
    Names names;
    for (const Line& row : t.rows) {
        CONCORD_RETURN_IF_ERROR(CheckFieldCount(file, row, columns.size()));
        const std::string_view code = row.fields[0];
        if (!IsCode(code)) {
            return Fail(
                file, row.number, fmt::format("code '{}' is not two capital letters", code)
            );
        }
        Localized name;
        for (std::size_t i = 0; i < kLanguages.size(); ++i) {
            const std::string_view value = Trim(row.fields[i + 1]);
            if (value.empty()) {
                return Fail(
                    file, row.number, fmt::format("{} has no '{}' name", code, kLanguages[i])
                );
            }
            name.emplace(std::string(kLanguages[i]), std::string(value));
        }
        if (!names.emplace(std::string(code), std::move(name)).second) {
            return Fail(file, row.number, fmt::format("code '{}' listed twice", code));
        }
    }
    return names;
}

// Reads one chart row into a PartyInstrument of `ins`.
Result<PartyInstrument> ReadRow(
    const fs::path& file, const Line& row, const Instrument& ins, const std::string& as_of
) {
    const std::size_t n = row.number;
    const auto& f = row.fields;
    PartyInstrument pi;
    pi.instrument = ins.id;
    pi.chart = file;
    pi.as_of = as_of;
    pi.signed_on = std::string(f[2]);
    pi.ratified = std::string(f[3]);
    pi.consent_kind = std::string(f[4]);
    pi.in_force = std::string(f[5]);
    for (auto [what, value] :
         {std::pair<std::string_view, std::string_view>{"signed", f[2]},
          {"consent", f[3]},
          {"in_force", f[5]}}) {
        if (!value.empty() && !IsDate(value)) {
            return Fail(file, n, fmt::format("{} '{}' is not a date YYYY-MM-DD", what, value));
        }
    }
    if (!pi.consent_kind.empty() &&
        std::find(kConsentKinds.begin(), kConsentKinds.end(), pi.consent_kind) ==
            kConsentKinds.end()) {
        return Fail(
            file,
            n,
            fmt::format(
                "consent_kind '{}' is not ratification, accession, acceptance, approval, "
                "succession or definitive_signature",
                pi.consent_kind
            )
        );
    }
    // consent_kind alone records a consent whose date was not read; an empty row records a party
    // whose status was not read (PartyStatus::kUnknown).
    if (!pi.in_force.empty() && !pi.ratified.empty() && pi.in_force < pi.ratified) {
        return Fail(file, n, "in_force before consent");
    }
    if (!f[6].empty()) {
        for (std::string_view res : Split(f[6], ';')) {
            res = Trim(res);
            if (ins.FindReservation(res) == nullptr) {
                return Fail(
                    file,
                    n,
                    fmt::format(
                        "'{}' is not a reservation point of {} (see {}.toml)", res, ins.id, ins.id
                    )
                );
            }
            pi.reservations.emplace_back(res);
        }
    }
    if (f[7] != "true" && f[7] != "false") {
        return Fail(file, n, fmt::format("reservations_complete '{}' is not true or false", f[7]));
    }
    pi.reservations_complete = f[7] == "true";
    if (!f[8].empty()) {
        const auto declarations = SplitOutsideBrackets(f[8], ';');
        if (!declarations) {
            return Fail(file, n, "unbalanced brackets in the declarations");
        }
        for (std::string_view d : *declarations) {
            d = Trim(d);
            if (d.empty()) {
                return Fail(file, n, "empty declaration between ';'");
            }
            pi.declarations.emplace_back(d);
        }
    }
    CONCORD_ASSIGN_OR_RETURN(pi.verification, ParseVerification(file, n, f[9]));
    pi.source = std::string(Trim(f[10]));
    if (pi.source.empty()) {
        return Fail(file, n, "no source");
    }
    pi.note = std::string(Trim(f[11]));
    return pi;
}

Result<void> LoadChart(const fs::path& file, const Names& names, Catalog& catalog) {
    const std::string id = file.stem().string();
    auto ins = catalog.instruments.find(id);
    if (ins == catalog.instruments.end()) {
        return Fail(file, 1, fmt::format("unknown instrument '{}' (the file is named by it)", id));
    }
    CONCORD_ASSIGN_OR_RETURN(std::string text, ReadText(file));
    CONCORD_ASSIGN_OR_RETURN(Table t, ParseTable(file, text));
    auto as_of = t.meta.find("as_of");
    if (as_of == t.meta.end() || !IsDate(as_of->second)) {
        return Fail(file, 1, "no '# as_of = YYYY-MM-DD' comment before the header");
    }
    auto source = t.meta.find("source");
    if (source == t.meta.end() || source->second.empty()) {
        return Fail(file, 1, "no '# source = ...' comment before the header");
    }
    CONCORD_RETURN_IF_ERROR(CheckHeader(
        file, t.header, std::vector<std::string_view>(kChartColumns.begin(), kChartColumns.end())
    ));
    std::set<std::string, std::less<>> seen;
    for (const Line& row : t.rows) {
        CONCORD_RETURN_IF_ERROR(CheckFieldCount(file, row, kChartColumns.size()));
        const std::string code(row.fields[0]);
        if (!(IsCode(code))) {
            return Fail(
                file, row.number, fmt::format("code '{}' is not two capital letters", code)
            );
        }
        auto name = names.find(code);
        if (name == names.end()) {
            return Fail(
                file, row.number, fmt::format("unknown code '{}' (not in {})", code, kNamesFile)
            );
        }
        if (!seen.insert(code).second) {
            return Fail(file, row.number, fmt::format("{} listed twice", code));
        }
        CONCORD_ASSIGN_OR_RETURN(
            PartyInstrument pi, ReadRow(file, row, ins->second, as_of->second)
        );
        auto [it, created] = catalog.parties.try_emplace(code);
        Party& party = it->second;
        if (created) {
            party.code = code;
            party.name = name->second;
            party.source = fmt::format("status charts ({})", file.parent_path().string());
            party.as_of = as_of->second;
            party.file = file;
        }
        const PartyInstrument* existing = party.Find(id);
        if (existing != nullptr && existing->chart.empty()) {
            continue;  // a hand-written entry overrides the chart row
        }
        if (existing != nullptr) {
            return Fail(file, row.number, fmt::format("{} already has a row for {}", code, id));
        }
        party.instruments.push_back(std::move(pi));
    }
    return {};
}

}  // namespace

Result<void> LoadPartyCharts(Catalog& catalog, const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        return {};
    }
    std::vector<fs::path> charts;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".tsv" &&
            entry.path().filename() != kNamesFile) {
            charts.push_back(entry.path());
        }
    }
    if (ec) {
        return MakeError(ErrorCode::kNotFound, fmt::format("{}: cannot list", dir.string()));
    }
    std::sort(charts.begin(), charts.end());
    Names names;
    if (fs::exists(dir / kNamesFile, ec)) {
        CONCORD_ASSIGN_OR_RETURN(names, LoadNames(dir / kNamesFile));
    } else if (!charts.empty()) {
        return Fail(dir / kNamesFile, 1, "missing: the charts name their parties there");
    }
    for (const fs::path& chart : charts) {
        CONCORD_RETURN_IF_ERROR(LoadChart(chart, names, catalog));
    }
    return {};
}

std::string_view PartyStatusName(PartyStatus s) {
    switch (s) {
        case PartyStatus::kSigned:
            return "signed";
        case PartyStatus::kNotYetInForce:
            return "not_in_force";
        case PartyStatus::kInForce:
            return "in_force";
        case PartyStatus::kUnknown:
            return "unknown";
    }
    return "signed";
}

std::vector<InstrumentParty> PartiesTo(
    const Catalog& catalog, std::string_view instrument, std::string_view date
) {
    std::vector<InstrumentParty> out;
    for (const auto& [code, party] : catalog.parties) {
        const PartyInstrument* pi = party.Find(instrument);
        if (pi == nullptr) {
            continue;
        }
        PartyStatus status = PartyStatus::kUnknown;
        if (party.BoundBy(instrument, date)) {
            status = PartyStatus::kInForce;
        } else if (!pi->ratified.empty() || !pi->consent_kind.empty() || !pi->in_force.empty()) {
            status = PartyStatus::kNotYetInForce;
        } else if (!pi->signed_on.empty()) {
            status = PartyStatus::kSigned;
        }
        out.push_back({&party, pi, status});
    }
    return out;
}

}  // namespace concord::legal
