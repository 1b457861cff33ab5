// The permission matrix over HTTP (issue 9 §3; docs/permissions.md "The matrix test"): every
// authenticated /api/v1 route of NodeService::ApiRouteActions() (the route table itself, so a new
// route is covered without editing this file) × every role (one user per role, each with a
// personal token scoped to that role) and the node-wide token × every relation to a case (own
// unit, other unit, incoming) for the routes about one case. Each answer must be what
// app::Decide says: 403 when it denies, anything but 401/403 when it allows. A denied request
// changes nothing — every table of the node's store is the same before and after (the audit log
// aside, which gains exactly the request's `access.denied` leaf naming the actor, the action and
// the route, and for a personal token its `token.used`).
//
// The matrix runs on SQLite only: what it checks is the HTTP layer and the policy, which do not
// depend on the backend (the use cases' own tests run on both).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "concord/app/policy.hpp"
#include "concord/app/totp.hpp"
#include "concord/core/time.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/crypto/init.hpp"
#include "concord/federation/signed_json.hpp"
#include "concord/ledger/log.hpp"
#include "concord/net/client.hpp"
#include "concord/server/config.hpp"
#include "concord/server/init.hpp"
#include "concord/server/service.hpp"
#include "concord/server/testing/two_nodes.hpp"
#include "concord/store/store.hpp"

#include <unistd.h>

namespace concord::server {
namespace {

// The file every evidence package of the matrix holds.
constexpr const char* kEvidenceFile = "matrix.txt";

boost::json::object Object(const std::string& text) {
    boost::system::error_code ec;
    boost::json::parse_options deep;
    deep.max_depth = 64;
    auto v = boost::json::parse(text, ec, {}, deep);
    return !ec && v.is_object() ? v.as_object() : boost::json::object{};
}

// The "event" member of an audit leaf; empty if it has none.
std::string EventOf(const boost::json::object& leaf) {
    const auto* event = leaf.if_contains("event");
    return event != nullptr && event->is_string() ? std::string(event->as_string()) : "";
}

// One caller of the matrix: a user holding one role (with a personal token scoped to it), or the
// node-wide token. `actor` is what app::Decide is asked about.
struct Caller {
    std::string name;
    app::Actor actor;
    std::string token;
};

// One cell of the matrix.
struct Cell {
    const NodeService::RouteAction* route;
    app::Action action;
    app::Relation relation;
    const Caller* caller;
    bool allowed;
};

constexpr const char* kUnit = "unit-a";
constexpr const char* kOtherUnit = "unit-b";

// A legal request example of instruments/examples with today's date, from `from` to `to`.
boost::json::object ExampleRequest(const std::string& from, const std::string& to) {
    auto request = Object(test_util::ReadText(
        std::filesystem::path(CONCORD_SOURCE_DIR) / "instruments/examples/mla-stored-data.json"
    ));
    request["date"] = FormatTimestamp(NowMillis()).substr(0, 10);
    request["requesting_party"] = from;
    request["requested_party"] = to;
    return request;
}

// Two nodes in one process over real HTTPS: fr.central (the node under test) and hu.poc (its
// peer, which sends it the incoming request).
class MatrixTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(crypto::Initialize());
        dir_ = std::filesystem::temp_directory_path() /
               ("concord-matrix-" + std::to_string(std::random_device{}()));
        auto inits = test_util::InitTwoNodes(dir_, directory_key_);
        ASSERT_TRUE(inits) << inits.error().ToString();
        inits_ = std::move(*inits);
        WriteDirectory();
        for (auto& r : inits_) {
            auto config = LoadConfig(r.config_file);
            ASSERT_TRUE(config) << config.error().ToString();
            // The cheapest Argon2id (sanitizer builds are slow) and no witnessing during the test.
            config->argon2_memory_kib = 8;
            config->argon2_passes = 1;
            config->witness_interval = std::chrono::hours(24);
            auto service = NodeService::Start(*config);
            ASSERT_TRUE(service) << service.error().ToString();
            services_.push_back(std::move(*service));
            net::ClientOptions options;
            options.pinned_cert_sha256 = r.entry.tls_sha256;
            clients_.push_back(std::make_unique<net::HttpClient>(options));
        }
        auto store = store::Store::Open("sqlite:" + (dir_ / "fr.central" / "node.db").string());
        ASSERT_TRUE(store) << store.error().ToString();
        store_ = std::move(*store);
        auto log = ledger::Log::Open(*store_);
        ASSERT_TRUE(log) << log.error().ToString();
        log_ = std::move(*log);
    }

    void TearDown() override {
        log_.reset();
        store_.reset();
        clients_.clear();
        services_.clear();
        std::filesystem::remove_all(dir_);
    }

    void WriteDirectory() {
        auto written = test_util::WriteDirectory(dir_, inits_, directory_key_, 1);
        ASSERT_TRUE(written) << written.error().ToString();
    }

    // Calls node `i` (0: fr.central) on its local API.
    net::Response Call(
        std::size_t i,
        std::string_view method,
        const std::string& path,
        const std::string& body,
        net::HeaderList headers
    ) {
        auto r = clients_[i]->Send(
            method,
            "https://127.0.0.1:" + std::to_string(services_[i]->ApiPort()) + path,
            body,
            headers
        );
        EXPECT_TRUE(r) << method << " " << path << ": " << r.error().ToString();
        return r ? *r : net::Response{};
    }

    net::Response AsNode(
        std::size_t i, std::string_view method, const std::string& path, const std::string& body
    ) {
        return Call(i, method, path, body, {{"Authorization", "Bearer " + inits_[i].api_token}});
    }

    // Adds user `login` with `roles` on fr.central, signs in with password and TOTP and creates a
    // personal token scoped to `roles`; returns the token and its id.
    std::pair<std::string, std::string> UserWithToken(
        const std::string& login, const std::vector<app::Role>& roles
    ) {
        boost::json::object user;
        user["login"] = login;
        user["display_name"] = "Matrix " + login;
        user["unit"] = kUnit;
        boost::json::array names;
        for (app::Role role : roles) {
            names.emplace_back(app::RoleName(role));
        }
        user["roles"] = names;
        auto added = AsNode(0, "POST", "/api/v1/users", boost::json::serialize(user));
        EXPECT_EQ(added.status, 201u) << added.body;
        const auto enrolment = Object(added.body);
        auto secret = app::Base32Decode(enrolment.at("totp_secret").as_string());
        EXPECT_TRUE(secret);
        auto code = app::TotpCode(*secret, NowMillis() / 1000);
        EXPECT_TRUE(code);
        boost::json::object login_body;
        login_body["login"] = login;
        login_body["password"] = enrolment.at("password");
        login_body["code"] = *code;
        auto session = Call(0, "POST", "/api/v1/session", boost::json::serialize(login_body), {});
        EXPECT_EQ(session.status, 201u) << session.body;
        const std::string set_cookie = session.Header("Set-Cookie").value_or("");
        const std::string csrf(Object(session.body).at("csrf_token").as_string());
        boost::json::object token;
        token["name"] = "matrix";
        token["roles"] = names;
        token["lifetime"] = "1d";
        auto created = Call(
            0,
            "POST",
            "/api/v1/tokens",
            boost::json::serialize(token),
            {{"Cookie", set_cookie.substr(0, set_cookie.find(';'))}, {"X-CSRF-Token", csrf}}
        );
        EXPECT_EQ(created.status, 201u) << created.body;
        const auto o = Object(created.body);
        return {std::string(o.at("token").as_string()), std::string(o.at("id").as_string())};
    }

    // A draft of an outgoing request of `unit` on fr.central, made with the node token.
    std::string Draft(const std::string& unit) {
        boost::json::object draft;
        draft["request"] = ExampleRequest("FR", "HU");
        draft["peer_node"] = "hu.poc";
        draft["unit"] = unit;
        auto r = AsNode(0, "POST", "/api/v1/cases", boost::json::serialize(draft));
        EXPECT_EQ(r.status, 201u) << r.body;
        return std::string(Object(r.body).at("id").as_string());
    }

    // Has hu.poc send fr.central a request and returns the id of the incoming case it makes
    // (not yet assigned to a unit); empty if none arrives within a minute.
    // A draft evidence package of `case_id` holding the file kEvidenceFile, made with the node
    // token; its id.
    std::string EvidencePackageOf(const std::string& case_id) {
        auto r = AsNode(0, "POST", "/api/v1/cases/" + case_id + "/evidence", "{}");
        EXPECT_EQ(r.status, 201u) << r.body;
        const std::string package(Object(r.body).at("package").as_string());
        auto added =
            AsNode(0, "PUT", "/api/v1/evidence/" + package + "/files/" + kEvidenceFile, "matrix");
        EXPECT_EQ(added.status, 201u) << added.body;
        return package;
    }

    std::string IncomingCase() {
        boost::json::object submit;
        submit["to"] = "fr.central";
        submit["type"] = "request";
        submit["priority"] = "normal";
        submit["body"] = ExampleRequest("HU", "FR");
        auto sent = AsNode(1, "POST", "/api/v1/messages", boost::json::serialize(submit));
        EXPECT_EQ(sent.status, 201u) << sent.body;
        message_id_ = std::string(Object(sent.body).at("id").as_string());
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (std::chrono::steady_clock::now() < deadline) {
            const auto list = Object(AsNode(0, "GET", "/api/v1/cases?direction=in", "").body);
            if (const auto* found = list.if_contains("cases"); found != nullptr) {
                for (const auto& item : found->as_array()) {
                    const auto& c = item.as_object();
                    const std::string id(c.at("id").as_string());
                    if (c.at("unit").as_string().empty() && !seen_incoming_.contains(id)) {
                        seen_incoming_.insert(id);
                        return id;
                    }
                }
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        ADD_FAILURE() << "the incoming request never made a case";
        return "";
    }

    // Whether case `id` is still incoming and unassigned (an allowed assignment gives it a unit).
    bool StillIncoming(const std::string& id) {
        const auto view = Object(AsNode(0, "GET", "/api/v1/cases/" + id, "").body);
        return view.contains("case") && view.at("case").as_object().at("unit").as_string().empty();
    }

    // Every table of fr.central's store but the audit log's, as text: rows sorted, the column
    // `last_used_ms` (a personal token's last use, written by every authenticated request) left
    // out.
    std::string StoreDigest() {
        auto tx = store_->Begin();
        EXPECT_TRUE(tx);
        std::string out;
        auto tables = (*tx)->Query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'ledger_%' ORDER BY name"
        );
        EXPECT_TRUE(tables);
        for (const auto& table : *tables) {
            const std::string name = table.Text(0);
            auto columns = (*tx)->Query("SELECT name FROM pragma_table_info($1)", {name});
            EXPECT_TRUE(columns);
            std::string select;
            for (const auto& c : *columns) {
                if (c.Text(0) != "last_used_ms") {
                    select += (select.empty() ? "" : ", ") + std::string("\"") + c.Text(0) + "\"";
                }
            }
            auto rows = (*tx)->Query("SELECT " + select + " FROM \"" + name + "\"");
            EXPECT_TRUE(rows) << name;
            std::vector<std::string> lines;
            for (const auto& row : *rows) {
                std::string line;
                for (std::size_t i = 0; i < row.Size(); ++i) {
                    const auto& v = row.At(i);
                    if (std::holds_alternative<store::Null>(v)) {
                        line += "|null";
                    } else if (const auto* n = std::get_if<std::int64_t>(&v)) {
                        line += "|" + std::to_string(*n);
                    } else if (const auto* s = std::get_if<std::string>(&v)) {
                        line += "|" + std::to_string(s->size()) + ":" + *s;
                    } else {
                        const Bytes& b = std::get<Bytes>(v);
                        line += "|" + std::to_string(b.size()) + "#" + HexEncode(b);
                    }
                }
                lines.push_back(std::move(line));
            }
            std::sort(lines.begin(), lines.end());
            out += "[" + name + "]\n";
            for (const auto& line : lines) {
                out += line + "\n";
            }
        }
        return out;
    }

    std::uint64_t LedgerSize() {
        auto tx = store_->Begin();
        EXPECT_TRUE(tx);
        auto size = log_->Size(**tx);
        EXPECT_TRUE(size);
        return size ? *size : 0;
    }

    // The audit leaves from index `from` on, as JSON objects.
    std::vector<boost::json::object> LeavesFrom(std::uint64_t from) {
        auto tx = store_->Begin();
        EXPECT_TRUE(tx);
        std::vector<boost::json::object> out;
        auto size = log_->Size(**tx);
        EXPECT_TRUE(size);
        for (std::uint64_t i = from; size && i < *size; ++i) {
            auto leaf = log_->Leaf(**tx, i);
            EXPECT_TRUE(leaf);
            out.push_back(Object(std::string(leaf->begin(), leaf->end())));
        }
        return out;
    }

    std::filesystem::path dir_;
    crypto::SigningKey directory_key_ = crypto::SigningKey::Generate();
    std::vector<InitResult> inits_;
    std::vector<std::unique_ptr<NodeService>> services_;
    std::vector<std::unique_ptr<net::HttpClient>> clients_;
    std::unique_ptr<store::Store> store_;  // fr.central's database, read beside the node
    std::unique_ptr<ledger::Log> log_;
    std::string message_id_;  // the newest request hu.poc sent fr.central
    std::set<std::string> seen_incoming_;
};

std::optional<app::Action> ActionNamed(std::string_view name) {
    for (app::Action action : app::AllActions()) {
        if (app::ActionName(action) == name) {
            return action;
        }
    }
    return std::nullopt;
}

// How `actor` stands to the case the matrix uses for `relation` (a case of kUnit, of
// kOtherUnit, or incoming): for the node, whose actor has no unit, a case of any unit is one of
// another unit.
app::Relation RelationOf(const app::Actor& actor, app::Relation relation) {
    if (relation == app::Relation::kOwnUnit) {
        return actor.unit == kUnit ? app::Relation::kOwnUnit : app::Relation::kOtherUnit;
    }
    if (relation == app::Relation::kOtherUnit) {
        return actor.unit == kOtherUnit ? app::Relation::kOwnUnit : app::Relation::kOtherUnit;
    }
    return relation;
}

// Routes about one case: the case's own, and those of an evidence package (of a case).
bool AboutOneCase(const std::string& pattern) {
    return pattern.starts_with("/api/v1/cases/{id}") ||
           pattern.starts_with("/api/v1/evidence/{package}");
}

// The request body a cell sends. Routes about one case get a body their handler accepts far
// enough to reach the use case's decision on the case's relation, changing as little as an
// allowed caller can: no such transition; an assignment to the unit the case already has (an
// incoming case has none: it is replaced by a new one after an allowed assignment). Every other
// route gets "{}": the route's own decision comes before the body is read, and an allowed
// caller's 400 is an answer past the policy.
std::string BodyFor(const NodeService::RouteAction& route, app::Relation relation) {
    if (route.method == "GET" || route.method == "DELETE") {
        return "";
    }
    if (route.pattern == "/api/v1/cases/{id}/transition") {
        return R"({"transition":"matrix-no-such-step"})";
    }
    if (route.pattern == "/api/v1/cases/{id}/assign") {
        return std::string(R"({"unit":")") +
               (relation == app::Relation::kOtherUnit ? kOtherUnit : kUnit) +
               R"(","assignee":"matrix"})";
    }
    if (route.pattern == "/api/v1/cases/{id}/request") {
        return R"({"request":{}})";  // the legal check refuses it once the policy allowed it
    }
    if (route.pattern == "/api/v1/cases/{id}/notes") {
        return R"({"text":"a note of the permission matrix"})";
    }
    return "{}";
}

TEST_F(MatrixTest, EveryRouteRoleAndRelationIsDecidedByThePolicyAndADenyChangesNothing) {
    // Callers: one user per role, each with a personal token of that role only, and the node.
    std::vector<Caller> callers;
    for (app::Role role : app::kAllRoles) {
        std::string login = "m-" + std::string(app::RoleName(role));
        std::replace(login.begin(), login.end(), '_', '-');
        const std::string token = UserWithToken(login, {role}).first;
        ASSERT_FALSE(HasFailure());
        Caller caller;
        caller.name = std::string(app::RoleName(role));
        caller.actor.kind = app::Actor::Kind::kUser;
        caller.actor.user_id = login;
        caller.actor.unit = kUnit;
        caller.actor.roles = {role};
        caller.token = token;
        callers.push_back(std::move(caller));
    }
    callers.push_back(Caller{"node", app::Actor::Node(), inits_[0].api_token});
    // The objects path parameters name: a user and a personal token that are no caller's own
    // (disabling or revoking them leaves every caller signed in), the cases of each relation and
    // the incoming request's message.
    const std::string target_login = "m-target";
    const std::string target_token_id = UserWithToken(target_login, {app::Role::kOfficer}).second;
    std::map<app::Relation, std::string> cases;
    cases[app::Relation::kOwnUnit] = Draft(kUnit);
    cases[app::Relation::kOtherUnit] = Draft(kOtherUnit);
    cases[app::Relation::kIncoming] = IncomingCase();
    const std::string message_id = message_id_;
    std::map<app::Relation, std::string> packages;
    for (const auto& [relation, id] : cases) {
        packages[relation] = EvidencePackageOf(id);
    }
    ASSERT_FALSE(HasFailure());

    // The cells: every authenticated route of the table × caller × relation.
    const auto routes = NodeService::ApiRouteActions();
    std::vector<Cell> cells;
    for (const auto& route : routes) {
        if (route.action.empty()) {
            continue;  // open routes:
                       // RoutePolicyTest.EveryApiRouteButHealthAndMetricsNamesAKnownAction
        }
        const auto action = ActionNamed(route.action);
        ASSERT_TRUE(action) << route.method << " " << route.pattern << ": " << route.action;
        std::vector<app::Relation> relations = {app::Relation::kNone};
        if (AboutOneCase(route.pattern)) {
            relations = {
                app::Relation::kOwnUnit, app::Relation::kOtherUnit, app::Relation::kIncoming};
        }
        for (app::Relation relation : relations) {
            for (const Caller& caller : callers) {
                cells.push_back(Cell{
                    &route,
                    *action,
                    relation,
                    &caller,
                    static_cast<bool>(
                        app::Decide(caller.actor, *action, RelationOf(caller.actor, relation))
                    )});
            }
        }
    }
    // The path of a cell: each parameter filled with a real object of the cell's relation. A
    // parameter this test does not know fails it: teach fill_path about the new route.
    auto fill_path = [&](const Cell& cell) -> std::string {
        std::string path = cell.route->pattern;
        auto replace = [&path](const std::string& name, const std::string& value) {
            if (const auto at = path.find(name); at != std::string::npos) {
                path.replace(at, name.size(), value);
            }
        };
        if (path.starts_with("/api/v1/evidence/{package}")) {
            replace("{package}", packages.at(cell.relation));
            replace("{name}", kEvidenceFile);
        } else if (AboutOneCase(path)) {
            replace("{id}", cases.at(cell.relation));
        } else if (path.starts_with("/api/v1/messages/{id}")) {
            replace("{id}", message_id);
        } else if (path.starts_with("/api/v1/tokens/{id}")) {
            replace("{id}", target_token_id);
        } else if (path.starts_with("/api/v1/statistics/")) {
            // No report or aggregate is published: an id of none (the policy decides before the
            // lookup).
            replace("{id}", "00000000-0000-7000-8000-000000000000");
        } else if (path.starts_with("/api/v1/assistance/")) {
            // No posting or engagement exists: an id of none (the policy decides first).
            replace("{id}", "00000000-0000-7000-8000-000000000000");
        } else if (path.starts_with("/api/v1/preservation/queue/{id}")) {
            // No order waits in the queue: an id of none (the policy decides first).
            replace("{id}", "00000000-0000-7000-8000-000000000000");
        } else if (path.starts_with("/api/v1/duty/alerts/{id}")) {
            // No duty alert exists (the incoming request is not an emergency): an id of none.
            replace("{id}", "00000000-0000-7000-8000-000000000000");
        }
        replace("{login}", target_login);
        EXPECT_EQ(path.find('{'), std::string::npos)
            << cell.route->pattern << ": the matrix test has no object for this parameter";
        return path;
    };
    auto describe = [](const Cell& cell) {
        return cell.route->method + " " + cell.route->pattern + " as " + cell.caller->name +
               (cell.relation == app::Relation::kNone
                    ? std::string()
                    : " on the " + std::string(app::RelationName(cell.relation)) + " case");
    };
    auto headers = [](const Cell& cell) -> net::HeaderList {
        return {{"Authorization", "Bearer " + cell.caller->token}};
    };

    // Denied cells first, while nothing else happens on the node (allowed cells send messages
    // whose delivery goes on in the background): each must answer 403, leave every table as it
    // was and add exactly its token.used and its access.denied leaf to the audit log.
    std::size_t denied = 0;
    const std::string start = StoreDigest();
    std::string before = start;
    for (const Cell& cell : cells) {
        if (cell.allowed) {
            continue;
        }
        ++denied;
        const std::uint64_t size = LedgerSize();
        const auto r = Call(
            0,
            cell.route->method,
            fill_path(cell),
            BodyFor(*cell.route, cell.relation),
            headers(cell)
        );
        EXPECT_EQ(r.status, 403u) << describe(cell) << ": " << r.body;
        const std::string after = StoreDigest();
        EXPECT_EQ(after, before) << describe(cell) << " changed the store";
        before = after;
        const auto leaves = LeavesFrom(size);
        std::size_t access_denied = 0;
        for (const auto& leaf : leaves) {
            const std::string event = EventOf(leaf);
            EXPECT_TRUE(event == "token.used" || event == "access.denied")
                << describe(cell) << " appended " << boost::json::serialize(leaf);
            if (event == "access.denied") {
                ++access_denied;
                EXPECT_EQ(leaf.at("actor").as_string(), cell.caller->actor.Label())
                    << describe(cell);
                EXPECT_EQ(leaf.at("action").as_string(), cell.route->action) << describe(cell);
                EXPECT_EQ(
                    leaf.at("route").as_string(), cell.route->method + " " + cell.route->pattern
                ) << describe(cell);
            }
        }
        // A personal token's request is audited as token.used before it is decided.
        const bool personal = cell.caller->actor.kind == app::Actor::Kind::kUser;
        EXPECT_EQ(leaves.size(), personal ? 2u : 1u) << describe(cell);
        EXPECT_EQ(access_denied, 1u) << describe(cell);
    }

    // Allowed cells: past the policy (not 401, not 403, no 5xx), and no access.denied leaf. The
    // live event stream never ends when allowed: it is opened and closed.
    std::size_t allowed = 0;
    for (const Cell& cell : cells) {
        if (!cell.allowed) {
            continue;
        }
        ++allowed;
        const std::uint64_t size = LedgerSize();
        if (cell.action == app::Action::kEventStream) {
            net::ClientOptions options;
            options.pinned_cert_sha256 = inits_[0].entry.tls_sha256;
            auto stream = net::EventStreamClient::Connect(
                "https://127.0.0.1:" + std::to_string(services_[0]->ApiPort()) + fill_path(cell),
                options,
                headers(cell),
                [](const net::Event&) {}
            );
            EXPECT_TRUE(stream) << describe(cell) << ": " << stream.error().ToString();
            if (stream) {
                (*stream)->Stop();
            }
        } else {
            const auto r = Call(
                0,
                cell.route->method,
                fill_path(cell),
                BodyFor(*cell.route, cell.relation),
                headers(cell)
            );
            EXPECT_NE(r.status, 401u) << describe(cell) << ": " << r.body;
            EXPECT_NE(r.status, 403u) << describe(cell) << ": " << r.body;
            // Past the policy the handler answers, and never with a server error.
            EXPECT_LT(r.status, 500u) << describe(cell) << ": " << r.body;
        }
        for (const auto& leaf : LeavesFrom(size)) {
            EXPECT_NE(EventOf(leaf), "access.denied")
                << describe(cell) << ": " << boost::json::serialize(leaf);
        }
        if (cell.relation == app::Relation::kIncoming &&
            !StillIncoming(cases[app::Relation::kIncoming])) {
            cases[app::Relation::kIncoming] = IncomingCase();
            packages[app::Relation::kIncoming] = EvidencePackageOf(cases[app::Relation::kIncoming]);
            ASSERT_FALSE(HasFailure());
        }
    }
    // The observable of "nothing changed" does see changes: the allowed cells made some.
    EXPECT_NE(StoreDigest(), start);
    EXPECT_GT(denied, 0u);
    EXPECT_GT(allowed, 0u);
    std::cout << "permission matrix: " << cells.size() << " cells over " << routes.size()
              << " routes, " << denied << " denied, " << allowed << " allowed, "
              << seen_incoming_.size() << " incoming cases\n";
}

// A request refused by the use case after the route's own check (here: an officer reading a
// case of another unit) is a deny too: 403 and one access.denied leaf naming stage "use_case".
TEST_F(MatrixTest, AUseCaseRefusalIsAuditedLikeAPolicyRefusal) {
    const std::string token = UserWithToken("m-officer", {app::Role::kOfficer}).first;
    ASSERT_FALSE(HasFailure());
    const std::string other = Draft(kOtherUnit);
    const std::uint64_t size = LedgerSize();
    auto r = Call(0, "GET", "/api/v1/cases/" + other, "", {{"Authorization", "Bearer " + token}});
    EXPECT_EQ(r.status, 403u) << r.body;
    std::vector<boost::json::object> denials;
    for (auto& leaf : LeavesFrom(size)) {
        if (EventOf(leaf) == "access.denied") {
            denials.push_back(leaf);
        }
    }
    ASSERT_EQ(denials.size(), 1u);
    EXPECT_EQ(denials[0].at("stage").as_string(), "use_case");
    EXPECT_EQ(denials[0].at("actor").as_string(), "user:m-officer");
    EXPECT_EQ(denials[0].at("action").as_string(), "case.read");
    EXPECT_EQ(denials[0].at("route").as_string(), "GET /api/v1/cases/{id}");
    // The leaf names no case: neither its id nor anything of its content.
    EXPECT_EQ(boost::json::serialize(denials[0]).find(other), std::string::npos);
    EXPECT_FALSE(denials[0].contains("case"));
}

}  // namespace
}  // namespace concord::server
