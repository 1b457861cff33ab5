// concord assistance ...: technical assistance between States over a node's local API
// (docs/assistance.md): post needs and offers, list them, rank the offers for a need, and move
// the engagement that follows a match.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "concord/net/client.hpp"

#include "api_client.hpp"
#include "commands.hpp"

namespace concord::cli {
namespace {

std::string Joined(const boost::json::value& v, std::string_view key) {
    std::string out;
    for (const auto& item : Array(v, key)) {
        out += (out.empty() ? "" : ",") +
               (item.is_string() ? std::string(item.as_string()) : boost::json::serialize(item));
    }
    return out;
}

void PrintPostings(Context& ctx, const boost::json::array& postings) {
    std::vector<std::vector<std::string>> rows{
        {"id", "kind", "party", "topic", "languages", "from", "to", "status", "from node"}};
    for (const auto& p : postings) {
        const std::string node = Str(p, "node");
        rows.push_back(
            {Str(p, "id"),
             Str(p, "kind"),
             Str(p, "party"),
             Str(p, "topic"),
             Joined(p, "languages"),
             Str(p, "from"),
             Str(p, "to"),
             Str(p, "status"),
             node.empty() ? "-" : node}
        );
    }
    PrintTable(ctx.out, rows);
}

void PrintEngagement(Context& ctx, const boost::json::value& e) {
    ctx.out << "engagement " << Str(e, "id") << ": " << Str(e, "state") << " (" << Str(e, "topic")
            << ", " << Str(e, "provider") << " assists " << Str(e, "beneficiary") << ")\n";
    const auto* evaluation = e.is_object() ? e.as_object().if_contains("evaluation") : nullptr;
    if (evaluation != nullptr && evaluation->is_object()) {
        ctx.out << "evaluation: " << Str(*evaluation, "score") << "/5 "
                << Str(*evaluation, "comment") << "\n";
    }
}

void AddPost(CLI::App& parent, Context& ctx, const std::string& kind) {
    struct Args {
        ApiOptions api;
        std::string topic, from, to, description, party;
        std::vector<std::string> languages;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = parent.add_subcommand(
        kind, kind == "need" ? "post a need of assistance" : "post an offer of assistance"
    );
    cmd->add_option("--topic", a->topic, "a topic of `concord assistance topics`")->required();
    cmd->add_option("--language", a->languages, "an ISO 639-1 code (repeatable)")->required();
    cmd->add_option("--from", a->from, "first day, YYYY-MM-DD")->required();
    cmd->add_option("--to", a->to, "last day, YYYY-MM-DD")->required();
    cmd->add_option("--description", a->description, "what is needed or offered")->required();
    cmd->add_option("--party", a->party, "the State it is for (a secretariat's node only)");
    AddApiOptions(cmd, a->api, true);
    cmd->callback([&ctx, a, kind] {
        boost::json::array languages;
        for (const std::string& l : a->languages) {
            languages.emplace_back(l);
        }
        boost::json::object body{
            {"topic", a->topic},
            {"languages", std::move(languages)},
            {"from", a->from},
            {"to", a->to},
            {"description", a->description}};
        if (!a->party.empty()) {
            body["party"] = a->party;
        }
        auto answer = Call(
            ctx, a->api, "POST", "/api/v1/assistance/" + kind + "s", boost::json::serialize(body)
        );
        if (!answer) {
            return;
        }
        if (a->api.json) {
            PrintJson(ctx, *answer);
            return;
        }
        ctx.out << kind << " " << Str(*answer, "id") << " posted for " << Str(*answer, "party")
                << "\n";
    });
}

void AddList(CLI::App& parent, Context& ctx) {
    struct Args {
        ApiOptions api;
        std::string kind{"any"}, status{"any"}, topic{"any"};
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = parent.add_subcommand("list", "the needs and offers this node sees");
    cmd->add_option("--kind", a->kind, "need, offer or any");
    cmd->add_option("--status", a->status, "open, matched, withdrawn or any");
    cmd->add_option("--topic", a->topic, "a topic or any");
    AddApiOptions(cmd, a->api, true);
    cmd->callback([&ctx, a] {
        auto answer = Call(
            ctx,
            a->api,
            "GET",
            "/api/v1/assistance/postings?kind=" + net::PercentEncode(a->kind) + "&status=" +
                net::PercentEncode(a->status) + "&topic=" + net::PercentEncode(a->topic)
        );
        if (!answer) {
            return;
        }
        if (a->api.json) {
            PrintJson(ctx, *answer);
            return;
        }
        PrintPostings(ctx, Array(*answer, "postings"));
    });
}

// A subcommand that makes one call about one id and prints the answer.
void AddOneCall(
    CLI::App& parent,
    Context& ctx,
    const std::string& name,
    const std::string& help,
    const std::string& method,
    std::function<std::string(const std::string&)> path,
    std::function<void(Context&, const boost::json::value&)> print
) {
    struct Args {
        ApiOptions api;
        std::string id;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = parent.add_subcommand(name, help);
    cmd->add_option("id", a->id, "id")->required();
    AddApiOptions(cmd, a->api, true);
    cmd->callback([&ctx, a, method, path, print] {
        auto answer = Call(
            ctx, a->api, method, path(net::PercentEncode(a->id)), method == "POST" ? "{}" : ""
        );
        if (!answer) {
            return;
        }
        if (a->api.json) {
            PrintJson(ctx, *answer);
            return;
        }
        print(ctx, *answer);
    });
}

void AddMatch(CLI::App& parent, Context& ctx) {
    AddOneCall(
        parent,
        ctx,
        "match",
        "the open offers ranked for a need, with the reasons of each score",
        "GET",
        [](const std::string& id) { return "/api/v1/assistance/needs/" + id + "/matches"; },
        [](Context& c, const boost::json::value& answer) {
            const auto& candidates = Array(answer, "candidates");
            if (candidates.empty()) {
                c.out << "no open offer matches this need\n";
                return;
            }
            for (const auto& candidate : candidates) {
                const auto& offer = candidate.as_object().at("offer");
                c.out << Str(candidate, "score") << "  offer " << Str(offer, "id") << " of "
                      << Str(offer, "party") << " (" << Joined(offer, "languages") << ", "
                      << Str(offer, "from") << " to " << Str(offer, "to") << ")\n";
                for (const auto& reason : Array(candidate, "reasons")) {
                    c.out << "     - " << std::string(reason.as_string()) << "\n";
                }
            }
        }
    );
}

void AddEngage(CLI::App& parent, Context& ctx) {
    struct Args {
        ApiOptions api;
        std::string need, offer;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = parent.add_subcommand("engage", "match a need and an offer: an engagement");
    cmd->add_option("need", a->need, "need id")->required();
    cmd->add_option("offer", a->offer, "offer id")->required();
    AddApiOptions(cmd, a->api, true);
    cmd->callback([&ctx, a] {
        boost::json::object body{{"need", a->need}, {"offer", a->offer}};
        auto answer = Call(
            ctx, a->api, "POST", "/api/v1/assistance/engagements", boost::json::serialize(body)
        );
        if (!answer) {
            return;
        }
        if (a->api.json) {
            PrintJson(ctx, *answer);
            return;
        }
        PrintEngagement(ctx, *answer);
    });
}

void AddStep(CLI::App& parent, Context& ctx, const std::string& step, const std::string& help) {
    struct Args {
        ApiOptions api;
        std::string id, comment;
        int score{0};
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = parent.add_subcommand(step, help);
    cmd->add_option("id", a->id, "engagement id")->required();
    if (step == "evaluate") {
        cmd->add_option("--score", a->score, "1 (poor) to 5 (excellent)")->required();
        cmd->add_option("--comment", a->comment, "what the beneficiary says of it");
    } else if (step == "cancel") {
        cmd->add_option("--reason", a->comment, "why it is cancelled")->required();
    }
    AddApiOptions(cmd, a->api, true);
    cmd->callback([&ctx, a, step] {
        boost::json::object body{{"step", step}};
        if (step == "evaluate") {
            body["score"] = a->score;
        }
        if (!a->comment.empty()) {
            body["comment"] = a->comment;
        }
        auto answer = Call(
            ctx,
            a->api,
            "POST",
            "/api/v1/assistance/engagements/" + net::PercentEncode(a->id) + "/steps",
            boost::json::serialize(body)
        );
        if (!answer) {
            return;
        }
        if (a->api.json) {
            PrintJson(ctx, *answer);
            return;
        }
        PrintEngagement(ctx, *answer);
    });
}

void AddEngagements(CLI::App& parent, Context& ctx) {
    auto a = std::make_shared<ApiOptions>();
    CLI::App* cmd = parent.add_subcommand("engagements", "the engagements this node sees");
    AddApiOptions(cmd, *a, true);
    cmd->callback([&ctx, a] {
        auto answer = Call(ctx, *a, "GET", "/api/v1/assistance/engagements");
        if (!answer) {
            return;
        }
        if (a->json) {
            PrintJson(ctx, *answer);
            return;
        }
        std::vector<std::vector<std::string>> rows{
            {"id", "topic", "beneficiary", "provider", "state", "score"}};
        for (const auto& e : Array(*answer, "engagements")) {
            const auto& evaluation = e.as_object().at("evaluation");
            rows.push_back(
                {Str(e, "id"),
                 Str(e, "topic"),
                 Str(e, "beneficiary"),
                 Str(e, "provider"),
                 Str(e, "state"),
                 evaluation.is_object() ? Str(evaluation, "score") : ""}
            );
        }
        PrintTable(ctx.out, rows);
    });
}

void AddTopics(CLI::App& parent, Context& ctx) {
    auto a = std::make_shared<ApiOptions>();
    CLI::App* cmd = parent.add_subcommand("topics", "the topics a need or an offer may name");
    AddApiOptions(cmd, *a, true);
    cmd->callback([&ctx, a] {
        auto answer = Call(ctx, *a, "GET", "/api/v1/assistance/topics");
        if (!answer) {
            return;
        }
        if (a->json) {
            PrintJson(ctx, *answer);
            return;
        }
        for (const auto& topic : Array(*answer, "topics")) {
            ctx.out << std::string(topic.as_string()) << "\n";
        }
    });
}

void AddSummary(CLI::App& parent, Context& ctx) {
    auto a = std::make_shared<ApiOptions>();
    CLI::App* cmd = parent.add_subcommand(
        "summary", "per topic: open needs against open offers, matches, evaluations"
    );
    AddApiOptions(cmd, *a, true);
    cmd->callback([&ctx, a] {
        auto answer = Call(ctx, *a, "GET", "/api/v1/assistance/summary");
        if (!answer) {
            return;
        }
        if (a->json) {
            PrintJson(ctx, *answer);
            return;
        }
        std::vector<std::vector<std::string>> rows{
            {"topic", "open needs", "open offers", "matched", "engagements", "evaluated", "mean"}};
        for (const auto& t : Array(*answer, "topics")) {
            const std::int64_t n = t.at("evaluations").as_int64();
            const std::int64_t total = t.at("score_total").as_int64();
            // One decimal, exact: tenths rounded half up.
            const std::int64_t tenths = n > 0 ? (total * 20 + n) / (2 * n) : 0;
            rows.push_back(
                {Str(t, "topic"),
                 Str(t, "open_needs"),
                 Str(t, "open_offers"),
                 Str(t, "matched_needs"),
                 Str(t, "engagements"),
                 Str(t, "evaluations"),
                 n > 0 ? std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) : "-"}
            );
        }
        PrintTable(ctx.out, rows);
    });
}

}  // namespace

void AddAssistanceCommands(CLI::App& app, Context& ctx) {
    CLI::App* assistance = app.add_subcommand(
        "assistance", "technical assistance between States: needs, offers, engagements"
    );
    assistance->require_subcommand(1);
    AddTopics(*assistance, ctx);
    AddPost(*assistance, ctx, "need");
    AddPost(*assistance, ctx, "offer");
    AddList(*assistance, ctx);
    AddSummary(*assistance, ctx);
    AddOneCall(
        *assistance,
        ctx,
        "withdraw",
        "withdraw an open need or offer",
        "POST",
        [](const std::string& id) { return "/api/v1/assistance/postings/" + id + "/withdraw"; },
        [](Context& c, const boost::json::value& p) {
            c.out << Str(p, "kind") << " " << Str(p, "id") << " " << Str(p, "status") << "\n";
        }
    );
    AddMatch(*assistance, ctx);
    AddEngage(*assistance, ctx);
    AddEngagements(*assistance, ctx);
    AddStep(*assistance, ctx, "deliver", "record that the assistance was delivered");
    AddStep(*assistance, ctx, "evaluate", "record the beneficiary's evaluation (score 1-5)");
    AddStep(*assistance, ctx, "cancel", "cancel an engagement; its need and offer open again");
}

}  // namespace concord::cli
