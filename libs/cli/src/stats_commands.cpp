// concord stats report: a node's official statistics for a period (docs/statistics.md), as a
// table, JSON, CSV, or one self-contained HTML page.
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "concord/app/statistics_aggregate.hpp"
#include "concord/app/statistics_collection.hpp"
#include "concord/app/statistics_publication.hpp"
#include "concord/core/time.hpp"
#include "concord/federation/signed_json.hpp"
#include "concord/net/http.hpp"

#include "api_client.hpp"
#include "commands.hpp"
#include "io.hpp"

namespace concord::cli {
namespace {

// A report's CSV is a line per party pair, type and priority: far below this.
constexpr std::size_t kMaxCsvBytes = std::size_t{64} << 20;

struct ReportArgs {
    ApiOptions api;
    std::string from;
    std::string to;
    bool csv = false;
    bool html = false;
    std::string out;
};

// A figure as printed: a hidden one (null) is "·", in every form meant for people.
std::string Figure(const boost::json::value& row, std::string_view key) {
    const boost::json::value* v = row.as_object().if_contains(key);
    return v == nullptr || v->is_null() ? std::string("·") : Str(row, key);
}

// A duration in milliseconds as hours and minutes ("2 h 05 min", "40 s").
std::string Duration(const boost::json::value& row, std::string_view key) {
    const boost::json::value* v = row.as_object().if_contains(key);
    if (v == nullptr || !v->is_int64()) {
        return "·";
    }
    const std::int64_t seconds = v->as_int64() / 1000;
    if (seconds < 60) {
        return std::to_string(seconds) + " s";
    }
    const std::int64_t minutes = seconds / 60;
    std::string m = std::to_string(minutes % 60);
    if (minutes < 60) {
        return m + " min";
    }
    return std::to_string(minutes / 60) + " h " + (m.size() == 1 ? "0" : "") + m + " min";
}

std::string Escape(std::string_view text) {
    std::string out;
    for (char ch : text) {
        switch (ch) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += ch;
        }
    }
    return out;
}

std::vector<std::string> RequestHeader() {
    return {
        "direction",
        "requesting",
        "requested",
        "type",
        "priority",
        "requests",
        "acknowledged",
        "responded",
        "refused",
        "withdrawn",
        "open",
        "ack. median",
        "ack. p90",
        "answer median",
        "answer p90"};
}

std::vector<std::vector<std::string>> RequestRows(const boost::json::value& report) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : Array(report, "requests")) {
        rows.push_back(
            {Str(r, "direction"),
             Str(r, "requesting_party"),
             Str(r, "requested_party"),
             Str(r, "request_type"),
             Str(r, "priority"),
             Figure(r, "requests"),
             Figure(r, "acknowledged"),
             Figure(r, "responded"),
             Figure(r, "refused"),
             Figure(r, "withdrawn"),
             Figure(r, "open"),
             Duration(r, "acknowledge_median_ms"),
             Duration(r, "acknowledge_p90_ms"),
             Duration(r, "answer_median_ms"),
             Duration(r, "answer_p90_ms")}
        );
    }
    return rows;
}

std::vector<std::vector<std::string>> RefusalRows(const boost::json::value& report) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : Array(report, "refusals")) {
        rows.push_back(
            {Str(r, "direction"),
             Str(r, "requesting_party"),
             Str(r, "requested_party"),
             Str(r, "ground"),
             Figure(r, "refusals")}
        );
    }
    return rows;
}

std::vector<std::vector<std::string>> DimensionRows(const boost::json::value& report) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : Array(report, "dimensions")) {
        rows.push_back(
            {Str(r, "direction"), Str(r, "dimension"), Str(r, "value"), Figure(r, "requests")}
        );
    }
    return rows;
}

std::vector<std::vector<std::string>> DeadlineRows(const boost::json::value& report) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : Array(report, "deadlines")) {
        rows.push_back(
            {Str(r, "kind"),
             Figure(r, "met"),
             Figure(r, "breached"),
             Figure(r, "running"),
             Figure(r, "cancelled")}
        );
    }
    return rows;
}

struct Section {
    std::string title;
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
};

std::vector<Section> Sections(const boost::json::value& report) {
    return {
        {"Requests", RequestHeader(), RequestRows(report)},
        {"Refusals by ground",
         {"direction", "requesting", "requested", "ground", "refusals"},
         RefusalRows(report)},
        {"Offences and data categories",
         {"direction", "dimension", "value", "requests"},
         DimensionRows(report)},
        {"Legal deadlines",
         {"kind", "met", "breached", "running", "cancelled"},
         DeadlineRows(report)}};
}

std::string Caption(const boost::json::value& report) {
    return "from " + Str(report, "from") + " to " + Str(report, "to") + "; figures from 1 to " +
           std::to_string(report.at("threshold").as_int64() - 1) +
           " are hidden (·), and so is any figure that would reveal one; times are nearest-rank "
           "medians and 90th percentiles; generated " +
           Str(report, "generated") + " from the domain events up to " +
           Str(report, "events_through");
}

void PrintText(std::ostream& out, const boost::json::value& report) {
    out << "Official statistics " << Caption(report) << "\n";
    for (Section& s : Sections(report)) {
        out << "\n" << s.title << "\n";
        if (s.rows.empty()) {
            out << "  none\n";
            continue;
        }
        s.rows.insert(s.rows.begin(), s.header);
        PrintTable(out, s.rows);
    }
}

// One page, no scripts, no outside resources: it opens the same way in ten years.
std::string Html(const boost::json::value& report) {
    std::string page =
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
        "'unsafe-inline'\"><title>Official statistics</title><style>"
        "body{font-family:sans-serif;margin:2em;color:#111}"
        "table{border-collapse:collapse;margin-bottom:2em}"
        "th,td{border:1px solid #bbb;padding:.3em .6em;text-align:left}"
        "td.n{text-align:right;font-variant-numeric:tabular-nums}"
        ".bar{display:inline-block;height:.7em;background:#3b6ea5;margin-right:.4em}"
        "</style></head><body>\n<h1>Official statistics</h1>\n<p>" +
        Escape(Caption(report)) + "</p>\n";
    // The bars of the requests column are scaled to the largest published count.
    std::int64_t largest = 1;
    for (const auto& r : Array(report, "requests")) {
        const boost::json::value* n = r.as_object().if_contains("requests");
        if (n != nullptr && n->is_int64()) {
            largest = std::max(largest, n->as_int64());
        }
    }
    for (const Section& s : Sections(report)) {
        page += "<h2>" + Escape(s.title) + "</h2>\n";
        if (s.rows.empty()) {
            page += "<p>None.</p>\n";
            continue;
        }
        page += "<table><thead><tr>";
        for (const std::string& h : s.header) {
            page += "<th>" + Escape(h) + "</th>";
        }
        page += "</tr></thead><tbody>\n";
        for (const auto& row : s.rows) {
            page += "<tr>";
            for (std::size_t i = 0; i < row.size(); ++i) {
                const bool number =
                    !row[i].empty() &&
                    (std::isdigit(static_cast<unsigned char>(row[i][0])) != 0 || row[i] == "·");
                page += number ? "<td class=\"n\">" : "<td>";
                if (s.title == "Requests" && s.header[i] == "requests" && row[i] != "·") {
                    const std::int64_t width = std::stoll(row[i]) * 100 / largest;
                    page += "<span class=\"bar\" style=\"width:" + std::to_string(width) +
                            "px\"></span>";
                }
                page += Escape(row[i]) + "</td>";
            }
            page += "</tr>\n";
        }
        page += "</tbody></table>\n";
    }
    return page + "</body></html>\n";
}

// `text` to the file `path`, or to `fallback` when no path is given.
Result<void> Write(const std::string& path, std::string_view text, std::ostream& fallback) {
    if (path.empty()) {
        fallback << text;
        return {};
    }
    return WriteFile(path, text);
}

std::string Period(const ReportArgs& a) {
    return "from=" + net::PercentEncode(a.from) + "&to=" + net::PercentEncode(a.to);
}

std::string Query(const ReportArgs& a, std::string_view format) {
    return "/api/v1/statistics?" + Period(a) + "&format=" + std::string(format);
}

// A publication document is a report and a proof, an aggregate up to 1000 of them: far below
// this.
constexpr std::uintmax_t kMaxPublicationBytes = std::uintmax_t{64} << 20;

void RunReport(Context& ctx, const ReportArgs& a) {
    if (a.csv) {
        auto client = ApiClient::Open(ctx, a.api);
        if (!client) {
            return;
        }
        auto got = client->Fetch(Query(a, "csv"), kMaxCsvBytes);
        Finish(ctx, got ? Write(a.out, *got, ctx.out) : Result<void>(got.error()));
        return;
    }
    auto report = Call(ctx, a.api, "GET", Query(a, "json"));
    if (!report) {
        return;
    }
    if (a.api.json) {
        if (a.out.empty()) {
            PrintJson(ctx, *report);
        } else {
            Finish(ctx, Write(a.out, boost::json::serialize(*report) + "\n", ctx.out));
        }
        return;
    }
    if (a.html) {
        Finish(ctx, Write(a.out, Html(*report), ctx.out));
        return;
    }
    PrintText(ctx.out, *report);
}

// The publication document `answer` to --out, or its summary when there is no file.
void Keep(Context& ctx, const boost::json::value& answer, const std::string& out) {
    if (out.empty()) {
        PrintJson(ctx, answer);
        return;
    }
    Finish(ctx, WriteFile(out, boost::json::serialize(answer) + "\n"));
    if (ctx.status == kExitOk) {
        ctx.out << "publication " << Str(answer, "id") << " of " << Str(answer, "node") << " ("
                << Str(answer, "party") << ") written to " << out << "\n";
    }
}

void AddPeriodOptions(CLI::App* cmd, ReportArgs& a) {
    cmd->add_option("--from", a.from, "start of the period (RFC 3339)")->required();
    cmd->add_option("--to", a.to, "end of the period, excluded (RFC 3339)")->required();
}

// A publication or aggregate document from `path`, refused past kMaxPublicationBytes.
Result<std::string> ReadDocument(const std::string& path) {
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    if (!ec && size > kMaxPublicationBytes) {
        return MakeError(ErrorCode::kInvalidArgument, path + " is too large");
    }
    return ReadFile(path);
}

void AddDirectoryOptions(CLI::App* cmd, std::string& directory, std::vector<std::string>& trusted) {
    cmd->add_option("--directory", directory, "signed directory file")->required();
    cmd->add_option("--trusted-key", trusted, "trusted directory key (base64)")->required();
}

// "statistics of HU (node hu.poc) from ... to ..., published ..." and the proof's summary.
void PrintProven(Context& ctx, const app::VerifiedPublication& p) {
    const boost::json::value report = boost::json::parse(p.report);
    ctx.out << "statistics of " << p.party << " (node " << p.node << ") from "
            << Str(report, "from") << " to " << Str(report, "to") << ", published "
            << FormatTimestamp(p.published_ms) << "\n"
            << "  ledger: " << p.ledger << "\n";
}

// A command that prints the list `member` of GET `path` as a table of `columns` (heading, member
// of each item), `none` when it is empty, or the answer as is with --json.
void AddListCommand(
    CLI::App& stats,
    Context& ctx,
    const std::string& name,
    const std::string& help,
    const std::string& path,
    const std::string& member,
    const std::vector<std::pair<std::string, std::string>>& columns,
    const std::string& none
) {
    auto api = std::make_shared<ApiOptions>();
    CLI::App* cmd = stats.add_subcommand(name, help);
    AddApiOptions(cmd, *api, true);
    cmd->callback([&ctx, api, path, member, columns, none] {
        auto answer = Call(ctx, *api, "GET", path);
        if (!answer) {
            return;
        }
        if (api->json) {
            PrintJson(ctx, *answer);
            return;
        }
        std::vector<std::vector<std::string>> rows(1);
        for (const auto& [heading, key] : columns) {
            rows[0].push_back(heading);
        }
        for (const auto& item : Array(*answer, member)) {
            std::vector<std::string> row;
            row.reserve(columns.size());
            for (const auto& [heading, key] : columns) {
                row.push_back(Str(item, key));
            }
            rows.push_back(std::move(row));
        }
        if (rows.size() == 1) {
            ctx.out << none << "\n";
            return;
        }
        PrintTable(ctx.out, rows);
    });
}

// submit, collected, total (docs/statistics.md "Collection by a secretariat").
void AddCollectionCommands(CLI::App& stats, Context& ctx) {
    struct SubmitArgs {
        ApiOptions api;
        std::string id;
    };
    auto one = std::make_shared<SubmitArgs>();
    CLI::App* submit = stats.add_subcommand(
        "submit", "send one of the node's publications to the secretariat's node"
    );
    submit->add_option("ID", one->id, "the publication id")->required();
    AddApiOptions(submit, one->api, true);
    submit->callback([&ctx, one] {
        auto answer = Call(
            ctx,
            one->api,
            "POST",
            "/api/v1/statistics/publications/" + net::PercentEncode(one->id) + "/submit"
        );
        if (!answer) {
            return;
        }
        if (one->api.json) {
            PrintJson(ctx, *answer);
            return;
        }
        ctx.out << "publication " << one->id << " sent to " << Str(*answer, "to") << " (message "
                << Str(*answer, "message") << ")\n";
    });

    AddListCommand(
        stats,
        ctx,
        "collected",
        "the reports States' nodes sent this secretariat's node, newest first",
        "/api/v1/statistics/collected",
        "reports",
        {{"PUBLICATION", "publication"},
         {"NODE", "node"},
         {"PARTY", "party"},
         {"FROM", "from"},
         {"TO", "to"},
         {"RECEIVED", "received"}},
        "no reports collected"
    );

    auto t = std::make_shared<ReportArgs>();
    CLI::App* total = stats.add_subcommand(
        "total",
        "on a secretariat's node: sum the period's collected reports and the node's own, and "
        "publish the total anchored in the node's audit log"
    );
    AddPeriodOptions(total, *t);
    total->add_option("--out", t->out, "write the aggregate publication document to this file");
    AddApiOptions(total, t->api, false);
    total->callback([&ctx, t] {
        auto answer = Call(ctx, t->api, "POST", "/api/v1/statistics/aggregates?" + Period(*t));
        if (answer) {
            Keep(ctx, *answer, t->out);
        }
    });
}

// publish, publications, publication, verify, aggregate (docs/statistics.md "Publication").
void AddPublicationCommands(CLI::App& stats, Context& ctx) {
    auto p = std::make_shared<ReportArgs>();
    CLI::App* publish = stats.add_subcommand(
        "publish",
        "publish the node's report of a period: kept at the node, its SHA-256 an entry of the "
        "node's audit log, so anyone with the directory can check it unaltered"
    );
    AddPeriodOptions(publish, *p);
    publish->add_option("--out", p->out, "write the publication document to this file");
    AddApiOptions(publish, p->api, false);
    publish->callback([&ctx, p] {
        auto answer = Call(ctx, p->api, "POST", "/api/v1/statistics/publications?" + Period(*p));
        if (answer) {
            Keep(ctx, *answer, p->out);
        }
    });

    AddListCommand(
        stats,
        ctx,
        "publications",
        "the node's published reports, newest first",
        "/api/v1/statistics/publications",
        "publications",
        {{"ID", "id"},
         {"PUBLISHED", "published"},
         {"BY", "published_by"},
         {"FROM", "from"},
         {"TO", "to"},
         {"LEDGER", "ledger_index"}},
        "no publications"
    );

    struct OneArgs {
        ApiOptions api;
        std::string id;
        std::string out;
    };
    auto one = std::make_shared<OneArgs>();
    CLI::App* get =
        stats.add_subcommand("publication", "one publication document, with a fresh proof");
    get->add_option("ID", one->id, "the publication id")->required();
    get->add_option("--out", one->out, "write it to this file");
    AddApiOptions(get, one->api, false);
    get->callback([&ctx, one] {
        auto answer = Call(
            ctx, one->api, "GET", "/api/v1/statistics/publications/" + net::PercentEncode(one->id)
        );
        if (answer) {
            Keep(ctx, *answer, one->out);
        }
    });

    struct VerifyArgs {
        std::vector<std::string> files;
        std::string directory;
        std::vector<std::string> trusted;
        std::string out;
    };
    auto v = std::make_shared<VerifyArgs>();
    CLI::App* verify = stats.add_subcommand(
        "verify",
        "check a publication or aggregate document offline: each report is the one whose SHA-256 "
        "the publishing node's audit log holds, proven by a checkpoint signed with that node's "
        "key in the directory; an aggregate's totals are the sum of its inputs (and a published "
        "total's aggregate is the one its node's log holds)"
    );
    verify->add_option("FILE", v->files, "the document")->required()->expected(1);
    AddDirectoryOptions(verify, v->directory, v->trusted);
    verify->callback([&ctx, v] {
        Finish(ctx, [&]() -> Result<void> {
            CONCORD_ASSIGN_OR_RETURN(const std::string text, ReadDocument(v->files[0]));
            CONCORD_ASSIGN_OR_RETURN(
                federation::Directory directory, ReadTrustedDirectory(v->directory, v->trusted)
            );
            if (text.find("\"concord-statistics-aggregate-publication/1\"") != std::string::npos) {
                CONCORD_ASSIGN_OR_RETURN(
                    app::VerifiedAggregate a, app::VerifyAggregatePublication(directory, text)
                );
                CONCORD_ASSIGN_OR_RETURN(boost::json::object doc, federation::ParseObject(text));
                ctx.out << "OK: a total published by " << Str(doc, "node") << " ("
                        << Str(doc, "party") << ") on " << Str(doc, "published")
                        << ", proven in its log; the totals are the sum of " << a.inputs.size()
                        << " reports\n";
                for (const app::VerifiedPublication& input : a.inputs) {
                    PrintProven(ctx, input);
                }
                return {};
            }
            if (text.find("\"concord-statistics-aggregate/1\"") != std::string::npos) {
                CONCORD_ASSIGN_OR_RETURN(
                    app::VerifiedAggregate a, app::VerifyAggregate(directory, text)
                );
                ctx.out << "OK: the totals are the sum of " << a.inputs.size() << " reports\n";
                for (const app::VerifiedPublication& input : a.inputs) {
                    PrintProven(ctx, input);
                }
                return {};
            }
            CONCORD_ASSIGN_OR_RETURN(
                app::VerifiedPublication proven, app::VerifyPublication(directory, text)
            );
            ctx.out << "OK: ";
            PrintProven(ctx, proven);
            return {};
        }());
    });

    AddCollectionCommands(stats, ctx);

    auto g = std::make_shared<VerifyArgs>();
    CLI::App* aggregate = stats.add_subcommand(
        "aggregate",
        "sum the published reports of several nodes for one period into one document that "
        "carries every input, each verifiable"
    );
    aggregate->add_option("FILE", g->files, "publication documents, one per node")->required();
    AddDirectoryOptions(aggregate, g->directory, g->trusted);
    aggregate->add_option("--out", g->out, "write the aggregate to this file")->required();
    aggregate->callback([&ctx, g] {
        Finish(ctx, [&]() -> Result<void> {
            CONCORD_ASSIGN_OR_RETURN(
                federation::Directory directory, ReadTrustedDirectory(g->directory, g->trusted)
            );
            std::vector<std::string> documents;
            for (const std::string& file : g->files) {
                CONCORD_ASSIGN_OR_RETURN(std::string text, ReadDocument(file));
                documents.push_back(std::move(text));
            }
            CONCORD_ASSIGN_OR_RETURN(
                app::VerifiedAggregate a,
                app::AggregateStatistics(directory, documents, NowMillis())
            );
            CONCORD_RETURN_IF_ERROR(WriteFile(g->out, a.document + "\n"));
            ctx.out << "aggregate of " << a.inputs.size() << " reports written to " << g->out
                    << "\n";
            return {};
        }());
    });
}

// concord stats eu-art28: the e-Evidence Regulation's figures (docs/statistics.md).
void PrintEuArt28(std::ostream& out, const boost::json::value& report) {
    out << "EU e-Evidence statistics (" << Str(report, "regulation") << "), " << Str(report, "from")
        << " to " << Str(report, "to") << ", threshold " << Str(report, "threshold")
        << " (· hidden)\n\n(b) EPOCs issued as emergency cases: "
        << Figure(report, "emergency_epocs") << "\n\n(a), (c), (e) orders issued\n";
    std::vector<std::vector<std::string>> orders{
        {"order",
         "data",
         "addressee",
         "situation",
         "issued",
         "fulfilled",
         "not fulfilled",
         "withdrawn",
         "open",
         "average to data"}};
    for (const auto& row : Array(report, "orders")) {
        orders.push_back(
            {Str(row, "order"),
             Str(row, "data_category"),
             Str(row, "addressee"),
             Str(row, "situation"),
             Figure(row, "issued"),
             Figure(row, "fulfilled"),
             Figure(row, "not_fulfilled"),
             Figure(row, "withdrawn"),
             Figure(row, "open"),
             Duration(row, "average_ms")}
        );
    }
    PrintTable(out, orders);
    out << "\n(d) EPOCs refused, by ground\n";
    std::vector<std::vector<std::string>> refusals{
        {"addressee", "situation", "ground", "refusals"}};
    for (const auto& row : Array(report, "refusals")) {
        refusals.push_back(
            {Str(row, "addressee"),
             Str(row, "situation"),
             Str(row, "ground"),
             Figure(row, "refusals")}
        );
    }
    PrintTable(out, refusals);
    out << "\nnot recorded by Concord:\n";
    for (const auto& row : Array(report, "not_recorded")) {
        out << "  " << Str(row, "point") << " " << Str(row, "figure") << ": " << Str(row, "why")
            << "\n";
    }
}

// concord stats hearings: the hearings by video conference (docs/statistics.md).
void PrintHearings(std::ostream& out, const boost::json::value& report) {
    out << "Hearings by video conference, " << Str(report, "from") << " to " << Str(report, "to")
        << ", threshold " << Str(report, "threshold") << " (· hidden)\n";
    std::vector<std::vector<std::string>> rows{
        {"direction",
         "requesting",
         "requested",
         "requests",
         "none",
         "proposed",
         "scheduled",
         "held",
         "recorded",
         "to held (median)",
         "to held (p90)",
         "proposals (median)"}};
    for (const auto& row : Array(report, "hearings")) {
        rows.push_back(
            {Str(row, "direction"),
             Str(row, "requesting_party"),
             Str(row, "requested_party"),
             Figure(row, "requests"),
             Figure(row, "none"),
             Figure(row, "proposed"),
             Figure(row, "scheduled"),
             Figure(row, "held"),
             Figure(row, "recorded"),
             Duration(row, "to_held_median_ms"),
             Duration(row, "to_held_p90_ms"),
             Figure(row, "proposals_median")}
        );
    }
    PrintTable(out, rows);
}

// A `stats` subcommand that reads one report of a period from `path` and prints it as text
// with `print`, as JSON with --json, or writes its JSON to --out.
void AddPeriodReport(
    CLI::App& stats,
    Context& ctx,
    const std::string& name,
    const std::string& description,
    const std::string& path,
    void (*print)(std::ostream&, const boost::json::value&)
) {
    auto a = std::make_shared<ReportArgs>();
    CLI::App* cmd = stats.add_subcommand(name, description);
    AddPeriodOptions(cmd, *a);
    cmd->add_option("--out", a->out, "write the JSON report to this file");
    AddApiOptions(cmd, a->api, true);
    cmd->callback([&ctx, a, path, print] {
        auto report = Call(ctx, a->api, "GET", path + "?" + Period(*a));
        if (!report) {
            return;
        }
        if (!a->out.empty()) {
            Finish(ctx, WriteFile(a->out, boost::json::serialize(*report) + "\n"));
        } else if (a->api.json) {
            PrintJson(ctx, *report);
        } else {
            print(ctx.out, *report);
        }
    });
}

}  // namespace

void AddStatsCommands(CLI::App& app, Context& ctx) {
    CLI::App* stats = app.add_subcommand(
        "stats", "official statistics computed from the cases (docs/statistics.md)"
    );
    stats->require_subcommand(1);
    auto a = std::make_shared<ReportArgs>();
    CLI::App* report = stats->add_subcommand(
        "report", "the node's statistics of the requests that started in a period"
    );
    AddPeriodOptions(report, *a);
    auto* csv = report->add_flag("--csv", a->csv, "the requests table as CSV");
    auto* html = report->add_flag("--html", a->html, "one self-contained HTML page");
    csv->excludes(html);
    report->add_option("--out", a->out, "write to this file instead of the standard output");
    AddApiOptions(report, a->api, true);
    report->callback([&ctx, a] { RunReport(ctx, *a); });
    AddPublicationCommands(*stats, ctx);
    AddPeriodReport(
        *stats,
        ctx,
        "eu-art28",
        "the figures of Art 28(2) of the EU e-Evidence Regulation (2023/1543) for a period: the "
        "EPOCs and EPOC-PRs this node issued",
        "/api/v1/statistics/eu-art28",
        PrintEuArt28
    );
    AddPeriodReport(
        *stats,
        ctx,
        "hearings",
        "the hearings by video conference of the requests that started in a period",
        "/api/v1/statistics/hearings",
        PrintHearings
    );
}

}  // namespace concord::cli
