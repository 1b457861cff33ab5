// Totals of several parties' published statistics, without a central database: each input is a
// publication document its node signed through its ledger (docs/statistics.md "Aggregation").
#include "concord/app/statistics_aggregate.hpp"

#include <map>
#include <set>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "concord/core/canonical_json.hpp"
#include "concord/core/time.hpp"
#include "concord/federation/signed_json.hpp"

namespace concord::app {
namespace {

constexpr std::string_view kFormat = "concord-statistics-aggregate/1";
constexpr std::size_t kMaxInputs = 1000;

// A figure that adds up: a count. Times (`*_ms`) are percentiles, which do not.
bool Summable(std::string_view name, const boost::json::value& v) {
    return (v.is_int64() || v.is_null()) && !name.ends_with("_ms");
}

struct Total {
    std::int64_t sum{0};
    std::int64_t hidden{0};  ///< inputs in which the figure was suppressed
};

// One table's rows of every input, summed by their key (every text member of a row).
boost::json::array SumTable(
    const std::vector<boost::json::object>& reports, std::string_view table
) {
    std::map<std::string, std::pair<boost::json::object, std::map<std::string, Total>>> rows;
    for (const boost::json::object& report : reports) {
        const boost::json::value* list = report.if_contains(table);
        if (list == nullptr || !list->is_array()) {
            continue;
        }
        for (const boost::json::value& row : list->as_array()) {
            if (!row.is_object()) {
                continue;
            }
            boost::json::object key;
            for (const auto& member : row.as_object()) {
                if (member.value().is_string()) {
                    key[member.key()] = member.value();
                }
            }
            auto& [key_object, totals] = rows[boost::json::serialize(key)];
            key_object = key;
            for (const auto& member : row.as_object()) {
                if (!Summable(member.key(), member.value())) {
                    continue;
                }
                Total& t = totals[std::string(member.key())];
                if (member.value().is_null()) {
                    ++t.hidden;
                } else {
                    // A count is from 0 to 2^53 (VerifyPublication checked), so 1000 inputs
                    // add up within int64.
                    t.sum += member.value().as_int64();
                }
            }
        }
    }
    boost::json::array out;
    for (auto& [text, entry] : rows) {
        boost::json::object row = entry.first;
        boost::json::object hidden;
        for (const auto& [name, total] : entry.second) {
            row[name] = total.sum;
            if (total.hidden != 0) {
                hidden[name] = total.hidden;
            }
        }
        if (!hidden.empty()) {
            row["hidden_in"] = std::move(hidden);
        }
        out.push_back(std::move(row));
    }
    return out;
}

// The totals of `inputs` (verified), and the period they share.
Result<boost::json::object> Totals(const std::vector<VerifiedPublication>& inputs) {
    if (inputs.empty() || inputs.size() > kMaxInputs) {
        return MakeError(ErrorCode::kInvalidArgument, "an aggregate takes 1 to 1000 reports");
    }
    std::vector<boost::json::object> reports;
    std::set<std::string> nodes;
    for (const VerifiedPublication& p : inputs) {
        if (!nodes.insert(p.node).second) {
            return MakeError(ErrorCode::kInvalidArgument, "two reports of node " + p.node);
        }
        CONCORD_ASSIGN_OR_RETURN(boost::json::object report, federation::ParseObject(p.report));
        reports.push_back(std::move(report));
    }
    boost::json::object totals;
    for (std::size_t i = 0; i < reports.size(); ++i) {
        CONCORD_ASSIGN_OR_RETURN(const std::string from, federation::GetString(reports[i], "from"));
        CONCORD_ASSIGN_OR_RETURN(const std::string to, federation::GetString(reports[i], "to"));
        if (i == 0) {
            totals["from"] = from;
            totals["to"] = to;
        } else if (from != totals["from"].as_string() || to != totals["to"].as_string()) {
            return MakeError(
                ErrorCode::kInvalidArgument,
                "the report of " + inputs[i].node + " covers another period than " +
                    inputs[0].node + "'s"
            );
        }
    }
    for (std::string_view table : kStatisticsTables) {
        totals[table] = SumTable(reports, table);
    }
    return totals;
}

}  // namespace

Result<VerifiedAggregate> AggregateStatistics(
    const federation::Directory& directory,
    const std::vector<std::string>& documents,
    std::int64_t now_ms
) {
    VerifiedAggregate a;
    boost::json::array inputs;
    for (std::size_t i = 0; i < documents.size(); ++i) {
        auto verified = VerifyPublication(directory, documents[i]);
        if (!verified) {
            return MakeError(
                verified.error().code,
                "input " + std::to_string(i + 1) + ": " + verified.error().message
            );
        }
        a.inputs.push_back(std::move(*verified));
        CONCORD_ASSIGN_OR_RETURN(boost::json::object input, federation::ParseObject(documents[i]));
        inputs.push_back(std::move(input));
    }
    CONCORD_ASSIGN_OR_RETURN(boost::json::object totals, Totals(a.inputs));
    boost::json::object doc;
    doc["format"] = kFormat;
    doc["generated"] = FormatTimestamp(now_ms);
    doc["totals"] = std::move(totals);
    doc["inputs"] = std::move(inputs);
    a.document = boost::json::serialize(doc);
    return a;
}

Result<VerifiedAggregate> VerifyAggregate(
    const federation::Directory& directory, std::string_view document
) {
    CONCORD_ASSIGN_OR_RETURN(boost::json::object doc, federation::ParseObject(document));
    for (const auto& member : doc) {
        const std::string_view name = member.key();
        if (name != "format" && name != "generated" && name != "totals" && name != "inputs") {
            return MakeError(
                ErrorCode::kInvalidArgument,
                "malformed statistics aggregate: unknown member " + std::string(name)
            );
        }
    }
    CONCORD_ASSIGN_OR_RETURN(const std::string format, federation::GetString(doc, "format"));
    const boost::json::value* inputs = doc.if_contains("inputs");
    const boost::json::value* totals = doc.if_contains("totals");
    if (format != kFormat || inputs == nullptr || !inputs->is_array() || totals == nullptr ||
        !totals->is_object()) {
        return MakeError(
            ErrorCode::kInvalidArgument, "not a " + std::string(kFormat) + " document"
        );
    }
    std::vector<std::string> documents;
    for (const boost::json::value& input : inputs->as_array()) {
        documents.push_back(boost::json::serialize(input));
    }
    CONCORD_ASSIGN_OR_RETURN(VerifiedAggregate a, AggregateStatistics(directory, documents, 0));
    CONCORD_ASSIGN_OR_RETURN(
        const std::string claimed, json::CanonicalizeOrError(boost::json::serialize(*totals))
    );
    CONCORD_ASSIGN_OR_RETURN(boost::json::object again, federation::ParseObject(a.document));
    CONCORD_ASSIGN_OR_RETURN(
        const std::string recomputed,
        json::CanonicalizeOrError(boost::json::serialize(again["totals"]))
    );
    if (claimed != recomputed) {
        return MakeError(
            ErrorCode::kCorruption, "the totals are not the sum of the inputs it carries"
        );
    }
    a.document = std::string(document);
    return a;
}

}  // namespace concord::app
