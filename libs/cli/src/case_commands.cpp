// concord case|duty|deadlines: case work over a node's local API (docs/cases.md "Command line").
// Each command is one HTTPS call to /api/v1 with a bearer token and the node's certificate pin;
// the node decides everything, the command only builds the call and prints the answer.

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "concord/net/client.hpp"

#include "api_client.hpp"
#include "commands.hpp"
#include "io.hpp"

namespace concord::cli {
namespace {

void PrintCaseSummary(std::ostream& out, const boost::json::value& c) {
    const std::vector<std::pair<const char*, const char*>> fields = {
        {"case", "id"},
        {"number", "number"},
        {"direction", "direction"},
        {"state", "state"},
        {"version", "version"},
        {"instrument", "instrument"},
        {"type", "request_type"},
        {"peer", "peer_node"},
        {"requesting", "requesting_party"},
        {"requested", "requested_party"},
        {"priority", "priority"},
        {"unit", "unit"},
        {"assignee", "assignee"},
        {"drafted by", "drafted_by"},
        {"approved by", "approved_by"},
        {"offence", "offence"},
        {"peer number", "peer_number"},
        {"created", "created"},
        {"updated", "updated"},
        {"next due", "next_due"},
    };
    std::vector<std::vector<std::string>> rows;
    for (const auto& [label, key] : fields) {
        std::string value = Str(c, key);
        if (!value.empty()) {
            rows.push_back({std::string(label) + ":", value});
        }
    }
    PrintTable(out, rows);
}

// One line saying what the request's signed approval proves (docs/cases.md "Signed approvals").
std::string ApprovalLine(const boost::json::value& approval) {
    if (!approval.is_object()) {
        return "approval: none recorded (a draft, or a case from before signed approvals)";
    }
    const std::string status = Str(approval, "status");
    std::string line = "approval: ";
    if (status == "verified" || status == "signed") {
        line += "approved by " + Str(approval, "approver");
        if (!Str(approval, "approved").empty()) {
            line += " at " + Str(approval, "approved");
        }
        line += " (" + status + ")";
        if (!Str(approval, "description").empty()) {
            line += ": " + Str(approval, "description");
        }
    } else if (status == "missing") {
        line += "missing: the request carries no signed approval";
    } else {
        line += status + ": " + Str(approval, "failure");
        if (!Str(approval, "description").empty()) {
            line += ": " + Str(approval, "description");
        }
    }
    const auto* alert = approval.as_object().if_contains("alert");
    if (alert != nullptr && alert->is_bool() && alert->as_bool()) {
        line += " [ALERT: emergency request without a valid approval]";
    }
    return line;
}

// A boolean member of an answer; false when absent or of another type.
bool Flag(const boost::json::value& v, std::string_view key) {
    const auto* m = v.is_object() ? v.as_object().if_contains(key) : nullptr;
    return m != nullptr && m->is_bool() && m->as_bool();
}

// One line for an obligation to extradite or prosecute (docs/cases.md), or "" for none.
std::string ObligationLine(const boost::json::value& o) {
    if (!o.is_object()) {
        return "";
    }
    std::string line = "obligation: " + Str(o, "state") + " (" + Str(o, "cite") + ", ground " +
                       Str(o, "ground") + (Flag(o, "owed_here") ? "; owed here" : "") + ")";
    if (!Str(o, "decision").empty()) {
        line += "; decision: " + Str(o, "decision");
    }
    if (!Str(o, "due").empty()) {
        line += "; next step due " + Str(o, "due");
    }
    if (Flag(o, "overdue")) {
        line += " [OVERDUE]";
    }
    if (!Str(o, "outcome").empty()) {
        line += "; outcome: " + Str(o, "outcome");
    }
    return line;
}

void PrintCaseView(std::ostream& out, const boost::json::value& view) {
    const boost::json::value* c = view.as_object().if_contains("case");
    if (c != nullptr) {
        PrintCaseSummary(out, *c);
    }
    const auto* approval = view.as_object().if_contains("approval");
    out << ApprovalLine(approval != nullptr ? *approval : boost::json::value(nullptr)) << "\n";
    const auto* obligation = view.as_object().if_contains("obligation");
    if (obligation != nullptr && obligation->is_object()) {
        out << ObligationLine(*obligation) << "\n";
    }
    const auto* hearing = view.as_object().if_contains("hearing");
    if (hearing != nullptr && hearing->is_object()) {
        const auto& agreed = hearing->as_object().at("agreed");
        out << "hearing: " << Str(*hearing, "state")
            << (agreed.is_object() ? " for " + Str(agreed, "start") : std::string{})
            << " (concord case hearing show)\n";
    }
    out << "\ntimeline:\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : Array(view, "timeline")) {
        std::string step =
            Str(e, "transition") + " " + Str(e, "from_state") + " -> " + Str(e, "to_state");
        std::string more;
        const auto& grounds = Array(e, "grounds");
        for (std::size_t i = 0; i < grounds.size(); ++i) {
            more += (i == 0 ? "grounds " : ", ") +
                    std::string(grounds[i].is_string() ? grounds[i].as_string() : "");
        }
        if (!Str(e, "reasons").empty()) {
            more += (more.empty() ? "" : "; ") + Str(e, "reasons");
        }
        rows.push_back({"  " + Str(e, "at"), Str(e, "actor"), step, more});
    }
    if (rows.empty()) {
        out << "  (none)\n";
    }
    PrintTable(out, rows);
    out << "\nnotes:\n";
    const auto& notes = Array(view, "notes");
    if (notes.empty()) {
        out << "  (none)\n";
    }
    for (const auto& n : notes) {
        out << "  " << Str(n, "at") << "  " << Str(n, "author") << ": " << Str(n, "text") << "\n";
    }
}

void PrintCaseLine(Context& ctx, const ApiOptions& o, const boost::json::value& c) {
    if (o.json) {
        PrintJson(ctx, c);
        return;
    }
    ctx.out << "case " << Str(c, "id") << " (" << Str(c, "number") << "): " << Str(c, "state")
            << ", version " << Str(c, "version");
    if (!Str(c, "unit").empty()) {
        ctx.out << ", unit " << Str(c, "unit");
    }
    if (!Str(c, "assignee").empty()) {
        ctx.out << ", assignee " << Str(c, "assignee");
    }
    ctx.out << "\n";
}

/// POST /api/v1/cases/{id}/{step} with `body`, then the case line of the answer.
void PostCaseStep(
    Context& ctx,
    const ApiOptions& api,
    const std::string& id,
    std::string_view step,
    const boost::json::object& body
) {
    auto answer = Call(
        ctx,
        api,
        "POST",
        "/api/v1/cases/" + net::PercentEncode(id) + "/" + std::string(step),
        boost::json::serialize(body)
    );
    if (answer) {
        PrintCaseLine(ctx, api, *answer);
    }
}

void AddList(CLI::App& cases, Context& ctx) {
    struct Args {
        ApiOptions api;
        std::string state, type, party, direction, due_before;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = cases.add_subcommand("list", "list the node's cases (newest first)");
    AddApiOptions(cmd, a->api, true);
    cmd->add_option("--state", a->state, "only cases in this state");
    cmd->add_option("--type", a->type, "only this request type");
    cmd->add_option("--party", a->party, "only cases with this party (requesting or requested)");
    cmd->add_option("--direction", a->direction, "in or out")->check(CLI::IsMember({"in", "out"}));
    cmd->add_option(
        "--due-before", a->due_before, "only cases with a running deadline due before (RFC 3339)"
    );
    cmd->callback([&ctx, a] {
        std::string query = "?limit=500";
        const std::pair<const char*, const std::string*> params[] = {
            {"state", &a->state},
            {"type", &a->type},
            {"party", &a->party},
            {"direction", &a->direction},
            {"due_before", &a->due_before},
        };
        for (const auto& [name, value] : params) {
            if (!value->empty()) {
                query += std::string("&") + name + "=" + net::PercentEncode(*value);
            }
        }
        auto answer = Call(ctx, a->api, "GET", "/api/v1/cases" + query);
        if (!answer) {
            return;
        }
        if (a->api.json) {
            PrintJson(ctx, *answer);
            return;
        }
        const auto& list = Array(*answer, "cases");
        if (list.empty()) {
            ctx.out << "no cases\n";
            return;
        }
        std::vector<std::vector<std::string>> rows{
            {"ID", "NUMBER", "DIR", "STATE", "TYPE", "PEER", "PRIORITY", "NEXT DUE"}};
        for (const auto& c : list) {
            rows.push_back(
                {Str(c, "id"),
                 Str(c, "number"),
                 Str(c, "direction"),
                 Str(c, "state"),
                 Str(c, "request_type"),
                 Str(c, "peer_node"),
                 Str(c, "priority"),
                 Str(c, "next_due").empty() ? "-" : Str(c, "next_due")}
            );
        }
        PrintTable(ctx.out, rows);
    });
}

void AddObligations(CLI::App& cases, Context& ctx) {
    struct Args {
        ApiOptions api;
        std::string state;
        bool overdue{false};
        std::uint64_t limit{100};
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = cases.add_subcommand(
        "obligations", "obligations to extradite or prosecute that refusals opened (newest first)"
    );
    AddApiOptions(cmd, a->api, true);
    cmd->add_option("--state", a->state, "only those in this state")
        ->check(CLI::IsMember({"opened", "submitted", "decided", "reported"}));
    cmd->add_flag("--overdue", a->overdue, "only those whose next step is past due");
    cmd->add_option("--limit", a->limit, "at most this many (1-500)")->check(CLI::Range(1, 500));
    cmd->callback([&ctx, a] {
        std::string query = "?limit=" + std::to_string(a->limit);
        if (!a->state.empty()) {
            query += "&state=" + a->state;
        }
        if (a->overdue) {
            query += "&overdue=true";
        }
        auto answer = Call(ctx, a->api, "GET", "/api/v1/obligations" + query);
        if (!answer) {
            return;
        }
        if (a->api.json) {
            PrintJson(ctx, *answer);
            return;
        }
        const auto& list = Array(*answer, "obligations");
        if (list.empty()) {
            ctx.out << "no obligations\n";
            return;
        }
        std::vector<std::vector<std::string>> rows{
            {"CASE", "NUMBER", "PARTIES", "OWED", "STATE", "DECISION", "DUE", "CITE"}};
        for (const auto& o : list) {
            const bool overdue = Flag(o, "overdue");
            rows.push_back(
                {Str(o, "case"),
                 Str(o, "number"),
                 Str(o, "requesting_party") + "->" + Str(o, "requested_party"),
                 Flag(o, "owed_here") ? "here" : "by peer",
                 Str(o, "state"),
                 Str(o, "decision").empty() ? "-" : Str(o, "decision"),
                 (Str(o, "due").empty() ? "-" : Str(o, "due")) + (overdue ? " OVERDUE" : ""),
                 Str(o, "cite")}
            );
        }
        PrintTable(ctx.out, rows);
    });
}

// `concord case assets ID`: the case's asset record (docs/assets.md).
void AddAssets(CLI::App& cases, Context& ctx) {
    struct Args {
        ApiOptions api;
        std::string id;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = cases.add_subcommand(
        "assets", "a case's asset record: assets, their orders and exact totals per currency"
    );
    cmd->add_option("id", a->id, "case id")->required();
    AddApiOptions(cmd, a->api, true);
    cmd->callback([&ctx, a] {
        auto answer =
            Call(ctx, a->api, "GET", "/api/v1/cases/" + net::PercentEncode(a->id) + "/assets");
        if (!answer) {
            return;
        }
        if (a->api.json || !answer->is_object()) {
            PrintJson(ctx, *answer);
            return;
        }
        const auto& assets = Array(*answer, "assets");
        if (assets.empty()) {
            ctx.out << "no assets\n";
            return;
        }
        std::vector<std::vector<std::string>> rows{
            {"ASSET", "KIND", "IDENTIFIER", "STATE", "VALUE", "FROZEN UNTIL"}};
        for (const auto& asset : assets) {
            const auto* value =
                asset.is_object() ? asset.as_object().if_contains("value") : nullptr;
            const std::string amount = value != nullptr && value->is_object()
                                           ? Str(*value, "amount") + " " + Str(*value, "currency")
                                           : "-";
            rows.push_back(
                {Str(asset, "id"),
                 Str(asset, "kind"),
                 Str(asset, "identifier"),
                 Str(asset, "state"),
                 amount,
                 Str(asset, "frozen_until").empty() ? "-" : Str(asset, "frozen_until")}
            );
        }
        PrintTable(ctx.out, rows);
        ctx.out << "\ntotals:\n";
        const auto* totals = answer->as_object().if_contains("totals");
        const auto* amounts = totals != nullptr && totals->is_object()
                                  ? totals->as_object().if_contains("amounts")
                                  : nullptr;
        std::vector<std::vector<std::string>> sums{{"  STATE", "CURRENCY", "AMOUNT"}};
        if (amounts != nullptr && amounts->is_object()) {
            for (const auto& [state, currencies] : amounts->as_object()) {
                if (!currencies.is_object()) {
                    continue;
                }
                for (const auto& [currency, amount] : currencies.as_object()) {
                    sums.push_back(
                        {"  " + std::string(state),
                         std::string(currency),
                         amount.is_string() ? std::string(amount.as_string()) : ""}
                    );
                }
            }
        }
        PrintTable(ctx.out, sums);
    });
}

void AddShow(CLI::App& cases, Context& ctx) {
    struct Args {
        ApiOptions api;
        std::string id;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd =
        cases.add_subcommand("show", "a case: its record, approval, timeline and notes");
    cmd->add_option("id", a->id, "case id")->required();
    AddApiOptions(cmd, a->api, true);
    cmd->callback([&ctx, a] {
        auto answer = Call(ctx, a->api, "GET", "/api/v1/cases/" + net::PercentEncode(a->id));
        if (!answer) {
            return;
        }
        if (a->api.json || !answer->is_object()) {
            PrintJson(ctx, *answer);
            return;
        }
        PrintCaseView(ctx.out, *answer);
    });
}

// The legal request of `file`, a JSON object; nullopt (the error reported) otherwise.
std::optional<boost::json::value> ReadRequest(Context& ctx, const std::string& file) {
    auto text = ReadFile(file);
    if (!text) {
        ctx.status = ReportError(ctx.err, text.error());
        return std::nullopt;
    }
    boost::system::error_code ec;
    boost::json::value request = boost::json::parse(*text, ec);
    if (ec || !request.is_object()) {
        ctx.status = ReportError(
            ctx.err, MakeError(ErrorCode::kInvalidArgument, file + ": not a JSON object")
        );
        return std::nullopt;
    }
    return request;
}

void AddDraft(CLI::App& cases, Context& ctx) {
    struct Args {
        ApiOptions api;
        std::string request_file, peer, priority, unit;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = cases.add_subcommand("draft", "draft an outgoing request (a case to approve)");
    cmd->add_option("--request", a->request_file, "the legal request (JSON file)")->required();
    cmd->add_option("--peer", a->peer, "the node it is for")->required();
    cmd->add_option("--priority", a->priority, "normal (default) or emergency")
        ->check(CLI::IsMember({"normal", "emergency"}));
    cmd->add_option("--unit", a->unit, "the unit that owns the case");
    AddApiOptions(cmd, a->api, true);
    cmd->callback([&ctx, a] {
        auto request = ReadRequest(ctx, a->request_file);
        if (!request) {
            return;
        }
        boost::json::object body;
        body["request"] = std::move(*request);
        body["peer_node"] = a->peer;
        if (!a->priority.empty()) {
            body["priority"] = a->priority;
        }
        if (!a->unit.empty()) {
            body["unit"] = a->unit;
        }
        auto answer = Call(ctx, a->api, "POST", "/api/v1/cases", boost::json::serialize(body));
        if (answer) {
            PrintCaseLine(ctx, a->api, *answer);
        }
    });
}

void AddApprove(CLI::App& cases, Context& ctx) {
    struct Args {
        ApiOptions api;
        std::string id;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = cases.add_subcommand(
        "approve", "approve a draft and send it (signed with your key; not its drafter)"
    );
    cmd->add_option("id", a->id, "case id")->required();
    AddApiOptions(cmd, a->api, true);
    cmd->callback([&ctx, a] { PostCaseStep(ctx, a->api, a->id, "approve", {}); });
}

void AddReturn(CLI::App& cases, Context& ctx) {
    struct Args {
        ApiOptions api;
        std::string id, reasons;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd =
        cases.add_subcommand("return", "return a draft to its drafter with the reasons (approver)");
    cmd->add_option("id", a->id, "case id")->required();
    cmd->add_option("--reasons", a->reasons, "why it goes back")->required();
    AddApiOptions(cmd, a->api, true);
    cmd->callback([&ctx, a] {
        PostCaseStep(ctx, a->api, a->id, "return", boost::json::object{{"reasons", a->reasons}});
    });
}

void AddRevise(CLI::App& cases, Context& ctx) {
    struct Args {
        ApiOptions api;
        std::string id, request_file;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = cases.add_subcommand(
        "revise", "replace a draft's request (checked again; a returned draft is a draft again)"
    );
    cmd->add_option("id", a->id, "case id")->required();
    cmd->add_option("--request", a->request_file, "the revised legal request (JSON file)")
        ->required();
    AddApiOptions(cmd, a->api, true);
    cmd->callback([&ctx, a] {
        auto request = ReadRequest(ctx, a->request_file);
        if (!request) {
            return;
        }
        boost::json::object body;
        body["request"] = std::move(*request);
        auto answer = Call(
            ctx,
            a->api,
            "PUT",
            "/api/v1/cases/" + net::PercentEncode(a->id) + "/request",
            boost::json::serialize(body)
        );
        if (answer) {
            PrintCaseLine(ctx, a->api, *answer);
        }
    });
}

void AddStep(CLI::App& cases, Context& ctx) {
    struct Args {
        ApiOptions api;
        std::string id, transition, reasons, details;
        std::vector<std::string> grounds;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = cases.add_subcommand(
        "step", "take a lifecycle step (accept, refuse, execute, respond, close, ...)"
    );
    cmd->add_option(
        "--details", a->details, "a JSON file of the step's facts (a hearing's, docs/cases.md)"
    );
    cmd->add_option("id", a->id, "case id")->required();
    cmd->add_option("--transition", a->transition, "the transition")->required();
    cmd->add_option("--ground", a->grounds, "a refusal or postponement ground id (repeatable)");
    cmd->add_option("--reasons", a->reasons, "the reasons, where the step needs them");
    AddApiOptions(cmd, a->api, true);
    cmd->callback([&ctx, a] {
        boost::json::object body;
        body["transition"] = a->transition;
        boost::json::array grounds;
        for (const auto& g : a->grounds) {
            grounds.emplace_back(g);
        }
        body["grounds"] = std::move(grounds);
        if (!a->reasons.empty()) {
            body["reasons"] = a->reasons;
        }
        if (!a->details.empty()) {
            auto text = ReadFile(a->details);
            boost::system::error_code ec;
            boost::json::value details =
                text ? boost::json::parse(*text, ec) : boost::json::value(nullptr);
            if (!text || ec || !details.is_object()) {
                ctx.status = ReportError(
                    ctx.err,
                    text
                        ? MakeError(ErrorCode::kInvalidArgument, a->details + ": not a JSON object")
                        : text.error()
                );
                return;
            }
            body["details"] = std::move(details);
        }
        PostCaseStep(ctx, a->api, a->id, "transition", body);
    });
}

void AddAssign(CLI::App& cases, Context& ctx) {
    struct Args {
        ApiOptions api;
        std::string id, unit, assignee;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = cases.add_subcommand("assign", "give a case to a unit and/or a person");
    cmd->add_option("id", a->id, "case id")->required();
    cmd->add_option("--unit", a->unit, "the unit");
    cmd->add_option("--assignee", a->assignee, "the person's login");
    AddApiOptions(cmd, a->api, true);
    cmd->callback([&ctx, a] {
        boost::json::object body;
        if (!a->unit.empty()) {
            body["unit"] = a->unit;
        }
        if (!a->assignee.empty()) {
            body["assignee"] = a->assignee;
        }
        PostCaseStep(ctx, a->api, a->id, "assign", body);
    });
}

void AddNote(CLI::App& cases, Context& ctx) {
    struct Args {
        ApiOptions api;
        std::string id, text;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = cases.add_subcommand("note", "add an internal note to a case");
    cmd->add_option("id", a->id, "case id")->required();
    cmd->add_option("--text", a->text, "the note")->required();
    AddApiOptions(cmd, a->api, true);
    cmd->callback([&ctx, a] {
        boost::json::object body;
        body["text"] = a->text;
        auto answer = Call(
            ctx,
            a->api,
            "POST",
            "/api/v1/cases/" + net::PercentEncode(a->id) + "/notes",
            boost::json::serialize(body)
        );
        if (!answer) {
            return;
        }
        if (a->api.json) {
            PrintJson(ctx, *answer);
            return;
        }
        ctx.out << "note added at " << Str(*answer, "at") << " by " << Str(*answer, "author")
                << "\n";
    });
}

void PrintAlert(std::ostream& out, const boost::json::value& alert) {
    out << Str(alert, "id") << "  " << Str(alert, "created") << "  " << Str(alert, "kind");
    if (!Str(alert, "case").empty()) {
        out << "  case " << Str(alert, "case");
    }
    out << "  " << Str(alert, "text");
    if (!Str(alert, "acknowledged").empty()) {
        out << "  (acknowledged by " << Str(alert, "acknowledged_by") << " at "
            << Str(alert, "acknowledged") << ")";
    }
    out << "\n";
}

void AddDuty(CLI::App& app, Context& ctx) {
    CLI::App* duty = app.add_subcommand("duty", "the duty desk's alerts over the node's API");
    duty->require_subcommand(1);

    auto alerts = std::make_shared<ApiOptions>();
    auto open = std::make_shared<bool>(false);
    CLI::App* list = duty->add_subcommand("alerts", "the duty desk's alerts (newest first)");
    AddApiOptions(list, *alerts, true);
    list->add_flag("--open", *open, "only alerts not yet acknowledged");
    list->callback([&ctx, alerts, open] {
        auto answer = Call(
            ctx, *alerts, "GET", std::string("/api/v1/duty/alerts") + (*open ? "?open=true" : "")
        );
        if (!answer) {
            return;
        }
        if (alerts->json) {
            PrintJson(ctx, *answer);
            return;
        }
        const auto& found = Array(*answer, "alerts");
        if (found.empty()) {
            ctx.out << "no alerts\n";
        }
        for (const auto& alert : found) {
            PrintAlert(ctx.out, alert);
        }
    });

    struct AckArgs {
        ApiOptions api;
        std::string id;
    };
    auto ack = std::make_shared<AckArgs>();
    CLI::App* acknowledge = duty->add_subcommand("ack", "acknowledge an alert");
    acknowledge->add_option("alert", ack->id, "alert id")->required();
    AddApiOptions(acknowledge, ack->api, true);
    acknowledge->callback([&ctx, ack] {
        auto answer = Call(
            ctx,
            ack->api,
            "POST",
            "/api/v1/duty/alerts/" + net::PercentEncode(ack->id) + "/acknowledge",
            "{}"
        );
        if (!answer) {
            return;
        }
        if (ack->api.json) {
            PrintJson(ctx, *answer);
            return;
        }
        PrintAlert(ctx.out, *answer);
    });
}

void AddDeadlines(CLI::App& app, Context& ctx) {
    struct Args {
        ApiOptions api;
        std::string case_id;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand("deadlines", "a case's legal deadlines");
    cmd->add_option("--case", a->case_id, "case id")->required();
    AddApiOptions(cmd, a->api, true);
    cmd->callback([&ctx, a] {
        auto answer =
            Call(ctx, a->api, "GET", "/api/v1/deadlines?case=" + net::PercentEncode(a->case_id));
        if (!answer) {
            return;
        }
        if (a->api.json) {
            PrintJson(ctx, *answer);
            return;
        }
        const auto& list = Array(*answer, "deadlines");
        if (list.empty()) {
            ctx.out << "no deadlines\n";
            return;
        }
        std::vector<std::vector<std::string>> rows{{"ID", "KIND", "STATE", "DUE", "WARN"}};
        for (const auto& d : list) {
            rows.push_back(
                {Str(d, "id"), Str(d, "kind"), Str(d, "state"), Str(d, "due"), Str(d, "warn")}
            );
        }
        PrintTable(ctx.out, rows);
    });
}

void AddAccessRecords(CLI::App& app, Context& ctx) {
    struct Args {
        ApiOptions api;
        std::string case_id;
        std::string actor;
        std::string limit;
        std::string before;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand(
        "access-records",
        "who read which case's personal data and when, newest first (the auditor's view; no "
        "content)"
    );
    cmd->add_option("--case", a->case_id, "only reads of this case");
    cmd->add_option("--actor", a->actor, "only reads by this actor: user:LOGIN or node");
    cmd->add_option("--limit", a->limit, "at most this many (1-1000, default 100)");
    cmd->add_option("--before", a->before, "only reads before this ledger index (next page)");
    AddApiOptions(cmd, a->api, true);
    cmd->callback([&ctx, a] {
        std::string query;
        for (const auto& [name, value] :
             {std::pair<const char*, const std::string*>{"case", &a->case_id},
              {"actor", &a->actor},
              {"limit", &a->limit},
              {"before", &a->before}}) {
            if (!value->empty()) {
                query += std::string(query.empty() ? "?" : "&") + name + "=" +
                         net::PercentEncode(*value);
            }
        }
        auto answer = Call(ctx, a->api, "GET", "/api/v1/access-records" + query);
        if (!answer) {
            return;
        }
        if (a->api.json) {
            PrintJson(ctx, *answer);
            return;
        }
        const auto& list = Array(*answer, "records");
        if (list.empty()) {
            ctx.out << "no reads recorded\n";
            return;
        }
        std::vector<std::vector<std::string>> rows{
            {"AT", "ACTOR", "EVENT", "CASE", "WHAT", "LEAF"}};
        for (const auto& r : list) {
            rows.push_back(
                {Str(r, "at"),
                 Str(r, "actor"),
                 Str(r, "event"),
                 Str(r, "case"),
                 Str(r, "object"),
                 Str(r, "ledger_index")}
            );
        }
        PrintTable(ctx.out, rows);
        if (!Str(*answer, "next_before").empty()) {
            ctx.out << "more: --before " << Str(*answer, "next_before") << "\n";
        }
    });
}

}  // namespace

void AddCaseCommands(CLI::App& app, Context& ctx) {
    CLI::App* cases = app.add_subcommand("case", "case work over the node's local API");
    cases->require_subcommand(1);
    AddList(*cases, ctx);
    AddShow(*cases, ctx);
    AddObligations(*cases, ctx);
    AddAssets(*cases, ctx);
    AddDraft(*cases, ctx);
    AddApprove(*cases, ctx);
    AddReturn(*cases, ctx);
    AddRevise(*cases, ctx);
    AddStep(*cases, ctx);
    AddHearingCommands(*cases, ctx);
    AddAssign(*cases, ctx);
    AddNote(*cases, ctx);
    AddDuty(app, ctx);
    AddDeadlines(app, ctx);
    AddAccessRecords(app, ctx);
}

}  // namespace concord::cli
