// RFC 8785 canonicalisation throughput on realistic documents, beside the limit of the parser it
// is built on: Boost.JSON's SAX parser with a handler that does nothing, over the same bytes.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <string_view>

#include <benchmark/benchmark.h>
#include <boost/json/basic_parser_impl.hpp>

#include "concord/core/canonical_json.hpp"

namespace concord::json {
namespace {

namespace bj = boost::json;

std::string Hex(std::mt19937_64& rng, std::size_t bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * bytes);
    for (std::size_t i = 0; i < bytes; ++i) {
        auto b = static_cast<unsigned>(rng() & 0xffU);
        out += kDigits[b >> 4U];
        out += kDigits[b & 0xfU];
    }
    return out;
}

// One incident report as a node would receive it: members in no particular order, nested
// objects, an array of attachments, non-ASCII text, escapes, integers and doubles. ~2 KiB.
std::string MakeRecord(std::mt19937_64& rng, std::uint64_t n) {
    std::uniform_real_distribution<double> coord(-90.0, 90.0);
    std::string r;
    r += "{\n  \"type\": \"incident.report\",\n";
    r += "  \"id\": \"" + Hex(rng, 16) + "\",\n";
    r += "  \"sequence\": " + std::to_string(n) + ",\n";
    r += "  \"created_at\": \"2024-05-17T08:" + std::to_string(10 + n % 50) + ":03.512Z\",\n";
    r += "  \"authority\": {\"name\": \"Préfecture du Rhône — cellule de crise\", "
         "\"country\": \"FR\", \"key_id\": \"" +
         Hex(rng, 8) +
         "\", "
         "\"public_key\": \"" +
         Hex(rng, 32) + "\"},\n";
    r += "  \"location\": {\"lon\": " + std::to_string(coord(rng)) +
         ", \"lat\": " + std::to_string(coord(rng)) +
         ", \"accuracy_m\": 12.5, \"altitude\": -0.0},\n";
    r += "  \"severity\": " + std::to_string(n % 5) + ",\n";
    r += "  \"tags\": [\"flood\", \"évacuation\", \"Hochwasser\", \"洪水\", \"road-closed\"],\n";
    r += "  \"description\": \"Water level at the gauge rose 1.8 m in 3 h.\\nResidents of the "
         "lower quarter (≈ 420 people) were moved to the gymnasium; \\\"Zone B\\\" remains "
         "closed.\\tNext report at 10:00. Ünterführung gesperrt. Контакт: дежурный офицер.\",\n";
    r += "  \"attachments\": [\n";
    for (int i = 0; i < 4; ++i) {
        r += "    {\"sha256\": \"" + Hex(rng, 32) +
             "\", \"size\": " + std::to_string(100000 + (rng() % 5000000)) +
             ", \"mime\": \"image/jpeg\", \"name\": \"photo-" + std::to_string(i) +
             ".jpg\", \"taken_at\": 1.7159332e9}" + (i == 3 ? "\n" : ",\n");
    }
    r += "  ],\n";
    r +=
        "  \"resources\": {\"vehicles\": 7, \"staff\": 31, \"boats\": 2, \"budget_eur\": 125000.75,"
        " \"requested\": [\"sandbags\", \"pumps\", \"generators\"], \"confirmed\": false, "
        "\"escalated\": true, \"previous\": null},\n";
    r += "  \"contacts\": [{\"role\": \"duty-officer\", \"phone\": \"+33 4 72 00 00 00\"}, "
         "{\"role\": \"liaison\", \"phone\": \"+41 22 000 00 00\"}],\n";
    r += "  \"signature\": \"" + Hex(rng, 64) + "\"\n}";
    return r;
}

// A document of about `target` bytes: one record, or a batch of records.
std::string MakeDocument(std::size_t target) {
    std::mt19937_64 rng(20240517);
    std::string first = MakeRecord(rng, 0);
    if (first.size() >= target / 2) {
        return first;
    }
    std::string doc = "{\"origin\": \"node-a.example\", \"batch\": [" + first;
    for (std::uint64_t n = 1; doc.size() < target; ++n) {
        doc += ",\n" + MakeRecord(rng, n);
    }
    doc += "], \"count_hint\": 1e2}";
    return doc;
}

void BM_Canonicalize(benchmark::State& state) {
    const std::string doc = MakeDocument(static_cast<std::size_t>(state.range(0)));
    for ([[maybe_unused]] auto _ : state) {
        auto canonical = Canonicalize(doc);
        if (!canonical) {
            state.SkipWithError(canonical.error().message.c_str());
            break;
        }
        benchmark::DoNotOptimize(canonical);
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(doc.size()));
    state.counters["doc_bytes"] = static_cast<double>(doc.size());
}
BENCHMARK(BM_Canonicalize)->Arg(2 << 10)->Arg(200 << 10);

// A Boost.JSON SAX handler that accepts everything and keeps nothing: the parser's own cost.
class NullHandler {
public:
    // NOLINTBEGIN(readability-identifier-naming): names fixed by Boost.JSON's handler concept.
    static constexpr std::size_t max_array_size = std::numeric_limits<std::size_t>::max();
    static constexpr std::size_t max_object_size = std::numeric_limits<std::size_t>::max();
    static constexpr std::size_t max_string_size = std::numeric_limits<std::size_t>::max();
    static constexpr std::size_t max_key_size = std::numeric_limits<std::size_t>::max();

    bool on_document_begin(bj::error_code& /*ec*/) { return true; }
    bool on_document_end(bj::error_code& /*ec*/) { return true; }
    bool on_array_begin(bj::error_code& /*ec*/) { return true; }
    bool on_array_end(std::size_t /*n*/, bj::error_code& /*ec*/) { return true; }
    bool on_object_begin(bj::error_code& /*ec*/) { return true; }
    bool on_object_end(std::size_t /*n*/, bj::error_code& /*ec*/) { return true; }
    bool on_string_part(bj::string_view /*s*/, std::size_t /*n*/, bj::error_code& /*ec*/) {
        return true;
    }
    bool on_string(bj::string_view /*s*/, std::size_t /*n*/, bj::error_code& /*ec*/) {
        return true;
    }
    bool on_key_part(bj::string_view /*s*/, std::size_t /*n*/, bj::error_code& /*ec*/) {
        return true;
    }
    bool on_key(bj::string_view /*s*/, std::size_t /*n*/, bj::error_code& /*ec*/) { return true; }
    bool on_number_part(bj::string_view /*s*/, bj::error_code& /*ec*/) { return true; }
    bool on_int64(std::int64_t /*i*/, bj::string_view /*s*/, bj::error_code& /*ec*/) {
        return true;
    }
    bool on_uint64(std::uint64_t /*u*/, bj::string_view /*s*/, bj::error_code& /*ec*/) {
        return true;
    }
    bool on_double(double /*d*/, bj::string_view /*s*/, bj::error_code& /*ec*/) { return true; }
    bool on_bool(bool /*b*/, bj::error_code& /*ec*/) { return true; }
    bool on_null(bj::error_code& /*ec*/) { return true; }
    bool on_comment_part(bj::string_view /*s*/, bj::error_code& /*ec*/) { return true; }
    bool on_comment(bj::string_view /*s*/, bj::error_code& /*ec*/) { return true; }
    // NOLINTEND(readability-identifier-naming)
};

// The parser limit: the same strict options Canonicalize uses, no tree, no output.
void BM_JsonParseOnly(benchmark::State& state) {
    const std::string doc = MakeDocument(static_cast<std::size_t>(state.range(0)));
    bj::parse_options options;
    options.max_depth = kMaxNestingDepth;
    options.allow_comments = false;
    options.allow_trailing_commas = false;
    options.allow_invalid_utf8 = false;
    for ([[maybe_unused]] auto _ : state) {
        bj::basic_parser<NullHandler> parser(options);
        bj::error_code ec;
        std::size_t consumed = parser.write_some(false, doc.data(), doc.size(), ec);
        if (ec || consumed != doc.size()) {
            state.SkipWithError("the document did not parse");
            break;
        }
        benchmark::DoNotOptimize(consumed);
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(doc.size()));
    state.counters["doc_bytes"] = static_cast<double>(doc.size());
}
BENCHMARK(BM_JsonParseOnly)->Arg(2 << 10)->Arg(200 << 10);

}  // namespace
}  // namespace concord::json

BENCHMARK_MAIN();
