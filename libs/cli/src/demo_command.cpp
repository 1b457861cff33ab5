// concord demo: a three-node federation on loopback running the emergency preservation scenario
// (README §Demo).

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <iomanip>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "concord/core/time.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/crypto/random.hpp"
#include "concord/federation/directory.hpp"
#include "concord/federation/signed_json.hpp"
#include "concord/legal/catalog.hpp"
#include "concord/net/client.hpp"
#include "concord/server/init.hpp"
#include "concord/server/testing/api_client.hpp"
#include "concord/server/testing/arrival_log.hpp"
#include "concord/server/testing/local_node.hpp"
#include "concord/server/testing/people.hpp"

#include "commands.hpp"
#include "io.hpp"
#include <signal.h>
#include <unistd.h>

namespace concord::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct DemoNode {
    std::string id;
    std::string party;
    std::string role;
    std::string authority;
    std::uint16_t port{0};
    std::uint16_t api_port{0};  // the local API listener
    std::filesystem::path dir;
    server::InitResult init;
    pid_t pid{-1};
};

void StopNodes(std::vector<DemoNode>& nodes) {
    for (auto& n : nodes) {
        server::testing::TerminateProcess(n.pid, std::chrono::seconds(30));
        n.pid = -1;
    }
}

// Parties FR and HU with their treaty status from the legal catalogue.
Result<std::vector<federation::Party>> DemoParties(const legal::Catalog& catalog) {
    std::vector<federation::Party> parties;
    for (const char* code : {"FR", "HU"}) {
        const auto it = catalog.parties.find(code);
        if (it == catalog.parties.end()) {
            return MakeError(
                ErrorCode::kNotFound, std::string("party ") + code + " not in the legal data"
            );
        }
        federation::Party p;
        p.code = code;
        p.name = std::string(legal::Pick(it->second.name, "en"));
        p.languages = it->second.languages;
        for (const auto& inst : it->second.instruments) {
            federation::InstrumentBinding b;
            b.id = inst.instrument;
            b.status =
                inst.ratified.empty() ? (inst.in_force.empty() ? "signed" : "bound") : "ratified";
            b.date = inst.ratified.empty() ? inst.signed_on : inst.ratified;
            p.instruments.push_back(std::move(b));
        }
        parties.push_back(std::move(p));
    }
    return parties;
}

// One step a person (or a node) took, and when: milliseconds since A's approval.
struct Moment {
    std::string node;
    std::string who;
    std::string what;
    double at_ms{0};
};

// One federation message of the scenario and what verifies its delivery.
struct Delivery {
    std::string from;
    std::string to;
    std::string type;
    std::string id;
    bool receipt_ok{false};
    bool proof_ok{false};
    std::uint64_t ledger_index{0};
    std::string problem;
};

// A person of one node, signed in with a personal token of their own.
struct Person {
    std::size_t node{0};
    std::string login;
    std::string name;
    std::vector<std::string> roles;
    std::string unit;
    std::unique_ptr<server::testing::ApiClient> api;
};

std::string Str(const boost::json::object& o, std::string_view key) {
    const boost::json::value* v = o.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

// `text` padded with spaces to `width` characters (UTF-8 code points, so names with accents
// line up).
std::string Pad(const std::string& text, std::size_t width) {
    std::size_t chars = 0;
    for (const char ch : text) {
        chars += (static_cast<unsigned char>(ch) & 0xC0) != 0x80 ? 1 : 0;
    }
    return text + std::string(chars < width ? width - chars : 0, ' ');
}

Error Refused(std::string_view what, const server::testing::ApiReply& reply) {
    return MakeError(
        ErrorCode::kUnavailable,
        std::string(what) + ": HTTP " + std::to_string(reply.status) + " " + reply.body
    );
}

double Millis(Clock::duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

class Demo {
public:
    Demo(
        Context& ctx,
        std::filesystem::path dir,
        std::uint16_t base_port,
        std::filesystem::path concordd,
        std::filesystem::path web_root
    )
        : ctx_(ctx),
          dir_(std::move(dir)),
          base_port_(base_port),
          concordd_(std::move(concordd)),
          web_root_(std::move(web_root)) {}
    ~Demo() { StopNodes(nodes_); }

    Result<void> Setup() {
        CONCORD_ASSIGN_OR_RETURN(catalog_, legal::LoadCatalog(legal::DefaultInstrumentsDir()));
        const std::array<std::array<const char*, 4>, 3> plan = {{
            {"fr.central",
             "FR",
             "central_authority",
             "State A: central authority for mutual legal assistance"},
            {"hu.poc", "HU", "point_of_contact_24_7", "State B: 24/7 point of contact"},
            {"hu.provider",
             "HU",
             "service_provider",
             "Provider C: hosting provider established in State B"},
        }};
        for (const auto& [id, party, role, authority] : plan) {
            DemoNode n;
            n.id = id;
            n.party = party;
            n.role = role;
            n.authority = authority;
            nodes_.push_back(std::move(n));
        }
        const crypto::SigningKey directory_key = crypto::SigningKey::Generate();
        const auto& pk = directory_key.PublicKey().Bytes();
        const std::string directory_pub = crypto::Base64Encode(ByteSpan(pk.data(), pk.size()));
        for (std::size_t i = 0; i < nodes_.size(); ++i) {
            DemoNode& n = nodes_[i];
            n.port = static_cast<std::uint16_t>(base_port_ + 1 + i);
            n.api_port = static_cast<std::uint16_t>(base_port_ + 101 + i);
            n.dir = dir_ / n.id;
            server::InitOptions o;
            o.dir = n.dir;
            o.node_id = n.id;
            o.party = n.party;
            o.roles = {n.role};
            o.authority = n.authority;
            o.listen = "127.0.0.1:" + std::to_string(n.port);
            o.api_listen = "127.0.0.1:" + std::to_string(n.api_port);
            o.passphrase = HexEncode(crypto::RandomBytes(16));
            o.write_passphrase_file = true;
            o.fast_key_derivation = true;
            o.directory_file = dir_ / "directory.json";
            o.directory_keys = {directory_pub};
            CONCORD_ASSIGN_OR_RETURN(n.init, server::InitNode(o));
        }
        CONCORD_ASSIGN_OR_RETURN(auto parties, DemoParties(catalog_));
        std::vector<federation::NodeEntry> entries;
        for (const auto& n : nodes_) {
            entries.push_back(n.init.entry);
        }
        CONCORD_ASSIGN_OR_RETURN(
            std::string directory,
            server::testing::SignedDirectory(1, parties, entries, directory_key)
        );
        CONCORD_RETURN_IF_ERROR(WriteFile(dir_ / "directory.json", directory + "\n"));
        auto parsed = federation::ParseObject(directory);
        CONCORD_ASSIGN_OR_RETURN(
            directory_,
            federation::ParseDirectoryBody(*federation::GetObject(*parsed, "directory").value())
        );
        for (const auto& n : nodes_) {
            // Demo nodes hash passwords with OWASP's minimum Argon2id settings (19 MiB, two
            // passes) so that five sign-ins stay quick on a laptop; a real node keeps the default.
            CONCORD_ASSIGN_OR_RETURN(std::string config, ReadFile(n.dir / "config.toml"));
            config += "\n[people]\nargon2_memory_kib = 19456\nargon2_passes = 2\n";
            if (!web_root_.empty()) {
                // A JSON string is a TOML basic string (the same escapes).
                config += "\n[web]\nroot = " +
                          boost::json::serialize(boost::json::value(web_root_.string())) + "\n";
            }
            CONCORD_RETURN_IF_ERROR(WriteFile(n.dir / "config.toml", config));
        }
        CONCORD_RETURN_IF_ERROR(ConfigureProviderHook(nodes_[2]));
        for (auto& n : nodes_) {
            CONCORD_ASSIGN_OR_RETURN(
                n.pid,
                server::testing::SpawnConcordd(
                    concordd_, n.dir / "config.toml", n.dir / "concordd.log"
                )
            );
        }
        for (auto& n : nodes_) {
            if (auto healthy = server::testing::WaitHealthy(
                    n.pid, n.port, n.init.entry.tls_sha256, std::chrono::seconds(60)
                );
                !healthy) {
                return MakeError(
                    healthy.error().code,
                    n.id + ": " + healthy.error().message + "; see " +
                        (n.dir / "concordd.log").string()
                );
            }
        }
        for (auto& n : nodes_) {
            apis_.push_back(std::make_unique<server::testing::ApiClient>(
                "https://127.0.0.1:" + std::to_string(n.api_port),
                n.init.api_token,
                n.init.entry.tls_sha256,
                std::chrono::seconds(60),
                "https://127.0.0.1:" + std::to_string(n.port)
            ));
            arrivals_.push_back(std::make_unique<server::testing::ArrivalLog>());
            server::testing::ArrivalLog* arrivals = arrivals_.back().get();
            CONCORD_ASSIGN_OR_RETURN(
                auto stream, apis_.back()->Events([arrivals](const net::Event& e) {
                    arrivals->Record(e.event, e.data);
                })
            );
            streams_.push_back(std::move(stream));
        }
        return {};
    }

    // C's preservation hook: a script that keeps the order it is given and answers with a
    // reference and the SHA-256 of what it froze (docs/operations.md "Preservation hook").
    Result<void> ConfigureProviderHook(const DemoNode& provider) {
        const std::filesystem::path hook = provider.dir / "preserve.sh";
        CONCORD_RETURN_IF_ERROR(WriteFile(
            hook,
            "#!/bin/sh\n"
            "# Demo preservation hook: freezes the order it is given and reports its hash.\n"
            "set -e\n"
            "dir=$(dirname \"$0\")/frozen\n"
            "mkdir -p \"$dir\"\n"
            "n=$(ls \"$dir\" | wc -l)\n"
            "f=\"$dir/order-$n.json\"\n"
            "cat > \"$f\"\n"
            "h=$(sha256sum < \"$f\" | cut -d' ' -f1)\n"
            "printf '{\"reference\":\"HOLD-%04d\",\"sha256\":\"%s\",\"note\":\"connection logs "
            "and subscriber record frozen\"}' \"$n\" \"$h\"\n"
        ));
        std::filesystem::permissions(hook, std::filesystem::perms::owner_all);
        CONCORD_ASSIGN_OR_RETURN(std::string config, ReadFile(provider.dir / "config.toml"));
        config += "\n[preservation]\nhook = [\"" + hook.string() + "\"]\nhook_timeout = \"20s\"\n";
        return WriteFile(provider.dir / "config.toml", config);
    }

    // Enrols a person on node `node`, signed in with a personal token of their own.
    Result<std::size_t> Enrol(
        std::size_t node,
        std::string login,
        std::string name,
        std::vector<std::string> roles,
        std::string unit
    ) {
        CONCORD_ASSIGN_OR_RETURN(
            std::string token,
            server::testing::EnrolAndSignIn(
                *apis_[node], server::testing::NewPerson{login, name, roles, unit}
            )
        );
        const DemoNode& n = nodes_[node];
        Person p;
        p.node = node;
        p.login = std::move(login);
        p.name = std::move(name);
        p.roles = std::move(roles);
        p.unit = std::move(unit);
        p.api = std::make_unique<server::testing::ApiClient>(
            "https://127.0.0.1:" + std::to_string(n.api_port),
            token,
            n.init.entry.tls_sha256,
            std::chrono::seconds(60),
            "https://127.0.0.1:" + std::to_string(n.port)
        );
        people_.push_back(std::move(p));
        return people_.size() - 1;
    }

    // People for the web UI, enrolled but not signed in, so a person can sign in in a browser
    // with the one-time password and a code from an authenticator app given the secret.
    Result<void> EnrolBrowserPeople() {
        struct Plan {
            std::size_t node;
            const char* login;
            const char* name;
            std::vector<std::string> roles;
            const char* unit;
        };
        const std::array<Plan, 4> plan{{
            {0, "anna", "Anna Lefèvre (web)", {"officer"}, "cybercrime"},
            {0, "bruno", "Bruno Petit (web)", {"approver"}, "cybercrime"},
            {1, "dora", "Dóra Szabó (web)", {"duty_officer", "officer"}, "duty-desk"},
            {2, "cyril", "Cyril Varga (web)", {"responder"}, "le-requests"},
        }};
        for (const Plan& p : plan) {
            CONCORD_ASSIGN_OR_RETURN(
                auto enrolment,
                server::testing::Enrol(
                    *apis_[p.node], server::testing::NewPerson{p.login, p.name, p.roles, p.unit}
                )
            );
            std::string roles;
            for (const auto& r : p.roles) {
                roles += (roles.empty() ? "" : ",") + r;
            }
            browser_people_ += "  " + nodes_[p.node].id +
                               "  https://127.0.0.1:" + std::to_string(nodes_[p.node].api_port) +
                               "/  login " + p.login + " (" + roles + ")  password " +
                               enrolment.password + "  TOTP secret " + enrolment.totp_secret + "\n";
        }
        return {};
    }

    // The people of the scenario, and B's duty officer on B's roster.
    Result<void> People() {
        CONCORD_ASSIGN_OR_RETURN(
            a_officer_, Enrol(0, "camille", "Camille Martin", {"officer"}, "cybercrime")
        );
        CONCORD_ASSIGN_OR_RETURN(
            a_approver_, Enrol(0, "louis", "Louis Bernard", {"approver"}, "cybercrime")
        );
        CONCORD_ASSIGN_OR_RETURN(
            b_duty_, Enrol(1, "zsofia", "Zsófia Nagy", {"duty_officer", "officer"}, "duty-desk")
        );
        CONCORD_ASSIGN_OR_RETURN(
            b_approver_, Enrol(1, "gabor", "Gábor Kovács", {"approver"}, "duty-desk")
        );
        CONCORD_ASSIGN_OR_RETURN(
            c_responder_, Enrol(2, "eszter", "Eszter Tóth", {"responder"}, "le-requests")
        );
        boost::json::object shift;
        shift["login"] = people_[b_duty_].login;
        shift["from"] = FormatTimestamp(NowMillis() - std::int64_t{3600} * 1000);
        shift["to"] = FormatTimestamp(NowMillis() + std::int64_t{12} * 3600 * 1000);
        shift["role"] = "primary";
        boost::json::object roster;
        roster["shifts"] = boost::json::array{shift};
        CONCORD_ASSIGN_OR_RETURN(
            auto put, apis_[1]->Call("PUT", "/api/v1/duty/roster", boost::json::serialize(roster))
        );
        if (put.status != 200) {
            return Refused("roster of " + nodes_[1].id, put);
        }
        return {};
    }

    // Polls `probe` every 2 ms until it yields a value; kUnavailable after 60 s.
    template <class F>
    auto Until(std::string_view what, F probe) -> decltype(probe()) {
        const auto give_up = Clock::now() + std::chrono::seconds(60);
        for (;;) {
            auto got = probe();
            if (got) {
                return got;
            }
            if (Clock::now() > give_up) {
                return MakeError(
                    ErrorCode::kUnavailable, "timed out waiting for " + std::string(what)
                );
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    }

    // GET /api/v1/cases/{id} as `p`.
    Result<boost::json::object> ReadCase(Person& p, const std::string& id) {
        CONCORD_ASSIGN_OR_RETURN(auto r, p.api->Call("GET", "/api/v1/cases/" + id));
        if (r.status != 200) {
            return Refused("read case " + id, r);
        }
        return r.json;
    }

    // Waits until case `id` as `p` sees it is in `state`, then reads it. The wait polls the case's
    // summary, which holds no request content and so is not an access record; only the one read
    // at the end is (docs/cases.md "Access records").
    Result<boost::json::object> UntilState(Person& p, const std::string& id, std::string state) {
        CONCORD_RETURN_IF_ERROR(Until("case " + id + " to be " + state, [&]() -> Result<bool> {
            CONCORD_ASSIGN_OR_RETURN(
                auto r, p.api->Call("GET", "/api/v1/cases/" + id + "/summary")
            );
            if (r.status != 200) {
                return Refused("case summary " + id, r);
            }
            if (Str(r.json, "state") != state) {
                return MakeError(ErrorCode::kNotFound, "not yet");
            }
            return true;
        }));
        return ReadCase(p, id);
    }

    // POST /api/v1/cases/{id}/transition as `p`.
    Result<void> Step(
        Person& p,
        const std::string& id,
        const std::string& transition,
        const std::string& reasons = ""
    ) {
        boost::json::object step;
        step["transition"] = transition;
        if (!reasons.empty()) {
            step["reasons"] = reasons;
        }
        CONCORD_ASSIGN_OR_RETURN(
            auto r,
            p.api->Call("POST", "/api/v1/cases/" + id + "/transition", boost::json::serialize(step))
        );
        if (r.status != 200) {
            return Refused(transition + " on case " + id, r);
        }
        return {};
    }

    void Note(std::size_t node, const std::string& who, std::string what) {
        moments_.push_back(Moment{nodes_[node].id, who, std::move(what), Millis(Clock::now() - t0_)}
        );
    }

    // The scenario as people live it (README "What the demo shows").
    Result<void> Scenario() {
        CONCORD_ASSIGN_OR_RETURN(
            std::string example,
            ReadFile(legal::DefaultInstrumentsDir() / "examples" / "expedited-preservation.json")
        );
        boost::json::value request = boost::json::parse(example);
        request.as_object()["date"] = FormatTimestamp(NowMillis()).substr(0, 10);
        Person& officer = people_[a_officer_];
        Person& approver = people_[a_approver_];
        Person& duty = people_[b_duty_];
        Person& b_approver = people_[b_approver_];
        Person& responder = people_[c_responder_];

        // A's officer drafts the case to B's 24/7 point.
        boost::json::object draft;
        draft["request"] = request;
        draft["peer_node"] = nodes_[1].id;
        draft["priority"] = "emergency";
        const auto drafting = Clock::now();
        CONCORD_ASSIGN_OR_RETURN(
            auto drafted, officer.api->Call("POST", "/api/v1/cases", boost::json::serialize(draft))
        );
        if (drafted.status != 201) {
            return Refused("draft at A", drafted);
        }
        const std::string case_a = Str(drafted.json, "id");
        drafted_ms_ = Millis(Clock::now() - drafting);

        // A's approver approves: the request leaves A. Times count from here.
        t0_ = Clock::now();
        t0_wall_ = NowMillis();
        CONCORD_ASSIGN_OR_RETURN(
            auto approved, approver.api->Call("POST", "/api/v1/cases/" + case_a + "/approve")
        );
        if (approved.status != 200) {
            return Refused("approval at A", approved);
        }
        Note(
            0,
            approver.name,
            "approves case " + Str(approved.json, "number") + "; the request leaves A"
        );

        // B's duty officer sees the alert and acknowledges it: a signed acknowledgement to A.
        CONCORD_ASSIGN_OR_RETURN(
            auto alert,
            Until(
                "the duty alert at B",
                [&]() -> Result<boost::json::object> {
                    CONCORD_ASSIGN_OR_RETURN(
                        auto r, duty.api->Call("GET", "/api/v1/duty/alerts?open=true")
                    );
                    const boost::json::value* list = r.json.if_contains("alerts");
                    if (r.status == 200 && list != nullptr && list->is_array()) {
                        for (const auto& a : list->as_array()) {
                            if (a.is_object() && Str(a.as_object(), "sender") == nodes_[0].id) {
                                return a.as_object();
                            }
                        }
                    }
                    return MakeError(ErrorCode::kNotFound, "no alert yet");
                }
            )
        );
        Note(1, duty.name, "sees the emergency alert on the duty desk");
        CONCORD_ASSIGN_OR_RETURN(
            auto acknowledged,
            duty.api->Call("POST", "/api/v1/duty/alerts/" + Str(alert, "id") + "/acknowledge")
        );
        if (acknowledged.status != 200) {
            return Refused("acknowledgement at B", acknowledged);
        }
        Note(1, duty.name, "acknowledges it: a signed acknowledgement goes back to A");

        // B's duty officer takes the case and relays it to the provider.
        CONCORD_ASSIGN_OR_RETURN(
            std::string case_b,
            Until(
                "the case at B",
                [&]() -> Result<std::string> {
                    CONCORD_ASSIGN_OR_RETURN(auto r, duty.api->Call("GET", "/api/v1/cases"));
                    const boost::json::value* list = r.json.if_contains("cases");
                    if (r.status == 200 && list != nullptr && list->is_array()) {
                        for (const auto& c : list->as_array()) {
                            if (c.is_object() && Str(c.as_object(), "origin_id") == case_a) {
                                return Str(c.as_object(), "id");
                            }
                        }
                    }
                    return MakeError(ErrorCode::kNotFound, "no case yet");
                }
            )
        );
        CONCORD_RETURN_IF_ERROR(Step(duty, case_b, "acknowledge"));
        CONCORD_RETURN_IF_ERROR(Step(duty, case_b, "accept"));
        Note(1, duty.name, "acknowledges and accepts the case (case steps to A)");
        CONCORD_ASSIGN_OR_RETURN(auto view_b, ReadCase(duty, case_b));
        boost::json::object relay;
        relay["request"] = view_b["request"];
        relay["peer_node"] = nodes_[2].id;
        relay["priority"] = "emergency";
        relay["relay_of"] = case_b;
        CONCORD_ASSIGN_OR_RETURN(
            auto relayed, duty.api->Call("POST", "/api/v1/cases", boost::json::serialize(relay))
        );
        if (relayed.status != 201) {
            return Refused("relay draft at B", relayed);
        }
        const std::string relay_case = Str(relayed.json, "id");
        Note(1, duty.name, "drafts the relay to provider C");
        CONCORD_ASSIGN_OR_RETURN(
            auto relay_sent,
            b_approver.api->Call("POST", "/api/v1/cases/" + relay_case + "/approve")
        );
        if (relay_sent.status != 200) {
            return Refused("relay approval at B", relay_sent);
        }
        Note(1, b_approver.name, "approves the relay (four eyes); it leaves B");

        // C preserves automatically; its confirmation comes back to B as case steps.
        CONCORD_ASSIGN_OR_RETURN(auto confirmed, UntilState(duty, relay_case, "responded"));
        std::string confirmation;
        if (const auto* timeline = confirmed.if_contains("timeline");
            timeline != nullptr && timeline->is_array() && !timeline->as_array().empty() &&
            timeline->as_array().back().is_object()) {
            confirmation = Str(timeline->as_array().back().as_object(), "reasons");
        }
        boost::system::error_code ec;
        boost::json::value held = boost::json::parse(confirmation, ec);
        if (!ec && held.is_object()) {
            reference_ = Str(held.as_object(), "reference");
            sha256_ = Str(held.as_object(), "sha256");
        }
        Note(1, people_[b_duty_].name, "sees the relay case \"responded\" with C's confirmation");
        // C's responder sees the provider's side: when the request arrived and when the node
        // confirmed it (times from C's case timeline).
        CONCORD_ASSIGN_OR_RETURN(
            std::string case_c,
            Until(
                "the case at C",
                [&]() -> Result<std::string> {
                    CONCORD_ASSIGN_OR_RETURN(
                        auto r, responder.api->Call("GET", "/api/v1/cases?state=responded")
                    );
                    const boost::json::value* list = r.json.if_contains("cases");
                    if (r.status == 200 && list != nullptr && list->is_array() &&
                        !list->as_array().empty() && list->as_array().front().is_object()) {
                        return Str(list->as_array().front().as_object(), "id");
                    }
                    return MakeError(ErrorCode::kNotFound, "not yet");
                }
            )
        );
        CONCORD_ASSIGN_OR_RETURN(auto view_c, ReadCase(responder, case_c));
        if (const auto* timeline = view_c.if_contains("timeline");
            timeline != nullptr && timeline->is_array()) {
            for (const auto& e : timeline->as_array()) {
                if (!e.is_object()) {
                    continue;
                }
                const std::string transition = Str(e.as_object(), "transition");
                auto at = ParseTimestamp(Str(e.as_object(), "at"));
                if (!at || (transition != "received" && transition != "respond")) {
                    continue;
                }
                moments_.push_back(Moment{
                    nodes_[2].id,
                    transition == "received" ? "node" : "node (hook)",
                    transition == "received"
                        ? "the relayed order arrives; the hook runs"
                        : "preserved (" + reference_ + "): confirmation steps to B",
                    static_cast<double>(*at - t0_wall_)});
            }
        }

        // B's officer responds to A with the confirmation.
        CONCORD_RETURN_IF_ERROR(Step(duty, case_b, "execute"));
        CONCORD_RETURN_IF_ERROR(Step(
            duty,
            case_b,
            "respond",
            "Preserved by the provider: reference " + reference_ + ", SHA-256 " + sha256_
        ));
        Note(1, duty.name, "responds to A with the provider's confirmation");
        CONCORD_ASSIGN_OR_RETURN(auto done, UntilState(officer, case_a, "responded"));
        (void)done;
        Note(0, officer.name, "sees case \"responded\" with the confirmation");
        whole_ms_ = moments_.back().at_ms;
        std::stable_sort(moments_.begin(), moments_.end(), [](const Moment& x, const Moment& y) {
            return x.at_ms < y.at_ms;
        });
        return {};
    }

    // Every message the scenario sent, followed to a verified receipt and inclusion proof.
    void VerifyAll() {
        for (std::size_t from = 0; from < nodes_.size(); ++from) {
            auto listed = apis_[from]->Call("GET", "/api/v1/messages?box=outbox&limit=100");
            const boost::json::value* list =
                listed ? listed->json.if_contains("messages") : nullptr;
            if (list == nullptr || !list->is_array()) {
                Delivery d;
                d.from = nodes_[from].id;
                d.problem = "cannot list the outbox";
                deliveries_.push_back(d);
                continue;
            }
            for (const auto& item : list->as_array()) {
                Delivery d;
                d.from = nodes_[from].id;
                d.to = Str(item.as_object(), "peer");
                d.type = Str(item.as_object(), "type");
                d.id = Str(item.as_object(), "id");
                auto message = apis_[from]->WaitDelivered(d.id, std::chrono::seconds(30));
                if (!message) {
                    d.problem = message.error().message;
                } else {
                    d.receipt_ok = true;
                    const federation::NodeEntry* to = directory_.FindNode(d.to);
                    auto index = to == nullptr ? Result<std::uint64_t>(MakeError(
                                                     ErrorCode::kNotFound, "unknown receiver"
                                                 ))
                                               : server::testing::VerifyDelivery(*message, *to);
                    d.proof_ok = index.has_value();
                    d.ledger_index = index.value_or(0);
                    if (!index) {
                        d.problem = index.error().message;
                    }
                }
                deliveries_.push_back(d);
            }
        }
        // UUIDv7 ids: the order in which they were sent.
        std::sort(deliveries_.begin(), deliveries_.end(), [](const Delivery& x, const Delivery& y) {
            return x.id < y.id;
        });
    }

    // The scenario `rounds` times (each a new case; the people are enrolled once), then every
    // message verified.
    Result<bool> RunScenario(int rounds) {
        CONCORD_RETURN_IF_ERROR(People());
        Result<void> played;
        for (int i = 0; i < rounds && played; ++i) {
            moments_.clear();
            played = Scenario();
            if (played) {
                paths_ms_.push_back(whole_ms_);
            }
        }
        VerifyAll();
        Print(played ? std::string() : played.error().message);
        return played.has_value() && !deliveries_.empty() &&
               std::all_of(deliveries_.begin(), deliveries_.end(), [](const Delivery& d) {
                   return d.receipt_ok && d.proof_ok && d.problem.empty();
               });
    }

    void Print(const std::string& problem) {
        auto& out = ctx_.out;
        out << "\nConcord demo: three nodes on loopback, one signed directory\n";
        for (const auto& n : nodes_) {
            out << "  " << std::left << std::setw(12) << n.id << " "
                << "https://127.0.0.1:" << n.port << "  " << n.authority << " (" << n.party
                << ")\n";
        }
        out << "\nPeople (each signed in with password and TOTP, acting with a personal token):\n";
        for (const auto& p : people_) {
            std::string roles;
            for (const auto& r : p.roles) {
                roles += (roles.empty() ? "" : ", ") + r;
            }
            out << "  " << std::left << std::setw(12) << nodes_[p.node].id << " " << Pad(p.name, 16)
                << " " << roles << " (" << p.unit << ")\n";
        }
        out << "\nThe emergency, step by step (ms since A's approval; A's officer drafted it in "
            << std::fixed << std::setprecision(1) << drafted_ms_ << " ms before):\n";
        for (const auto& m : moments_) {
            out << "  " << std::right << std::setw(8) << std::fixed << std::setprecision(1)
                << m.at_ms << "  " << std::left << std::setw(12) << m.node << " " << Pad(m.who, 16)
                << " " << m.what << "\n";
        }
        if (problem.empty()) {
            out << "\n  A -> B -> C -> A: " << std::fixed << std::setprecision(1) << whole_ms_
                << " ms from A's approval to the provider's confirmation at A\n"
                << "  preserved: reference " << reference_ << ", SHA-256 " << sha256_ << "\n";
            if (paths_ms_.size() > 1) {
                std::vector<double> sorted = paths_ms_;
                std::sort(sorted.begin(), sorted.end());
                auto at = [&sorted](double p) {
                    const auto rank =
                        static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
                    return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
                };
                out << "  A -> B -> C -> A over " << sorted.size() << " rounds: p50 " << at(0.5)
                    << " ms, p99 " << at(0.99) << " ms, max " << sorted.back()
                    << " ms (the steps above are the last round's)\n";
            }
        } else {
            out << "\n  problem: " << problem << "\n";
        }
        out << "\nEvery message, verified independently of its sender:\n";
        const bool all_rows = paths_ms_.size() <= 1;
        std::size_t verified = 0;
        for (const auto& d : deliveries_) {
            const bool ok = d.receipt_ok && d.proof_ok && d.problem.empty();
            verified += ok ? 1 : 0;
            if (ok && !all_rows) {
                continue;
            }
            std::ostringstream hop;
            hop << d.from << " -> " << d.to;
            out << "  " << std::left << std::setw(28) << hop.str() << std::setw(10) << d.type
                << (d.receipt_ok ? "receipt verified  " : "receipt MISSING   ")
                << (d.proof_ok ? "proof verified (#" + std::to_string(d.ledger_index) + ")"
                               : "proof FAILED")
                << "\n";
            if (!d.problem.empty()) {
                out << "    problem: " << d.problem << "\n";
            }
        }
        if (!all_rows) {
            out << "  " << verified << " of " << deliveries_.size()
                << " messages (the newest 100 of each node): receipt and proof verified\n";
        }
    }

    void PrintRunning() {
        ctx_.out << "\nThe nodes keep running until Ctrl-C. Local API (bearer tokens):\n";
        for (const auto& n : nodes_) {
            ctx_.out << "  " << n.id << "  https://127.0.0.1:" << n.api_port << "/api/v1  token "
                     << n.init.api_token << "  (TLS pin " << n.init.entry.tls_sha256 << ")\n";
        }
        if (!web_root_.empty()) {
            ctx_.out
                << "Web UI (a self-signed certificate: compare its SHA-256 with the TLS pin):\n";
            for (const auto& n : nodes_) {
                ctx_.out << "  " << n.id << "  https://127.0.0.1:" << n.api_port << "/\n";
            }
        }
        ctx_.out << "  files: " << dir_.string() << std::endl;
    }

    void Shutdown() {
        for (auto& s : streams_) {
            s->Stop();
        }
        StopNodes(nodes_);
    }

private:
    Context& ctx_;
    std::filesystem::path dir_;
    std::uint16_t base_port_;
    std::filesystem::path concordd_;
    std::filesystem::path web_root_;  // the built web UI each node serves; empty: none
    std::string browser_people_;      // the web UI's people, as PrintRunning lists them
    legal::Catalog catalog_;
    federation::Directory directory_;
    std::vector<DemoNode> nodes_;
    std::vector<std::unique_ptr<server::testing::ApiClient>> apis_;
    std::vector<std::unique_ptr<server::testing::ArrivalLog>> arrivals_;
    std::vector<std::unique_ptr<net::EventStreamClient>> streams_;
    std::vector<Person> people_;
    std::size_t a_officer_{0};
    std::size_t a_approver_{0};
    std::size_t b_duty_{0};
    std::size_t b_approver_{0};
    std::size_t c_responder_{0};
    Clock::time_point t0_;
    std::int64_t t0_wall_{0};
    double drafted_ms_{0};
    double whole_ms_{0};
    std::string reference_;
    std::string sha256_;
    std::vector<Moment> moments_;
    std::vector<Delivery> deliveries_;
    std::vector<double> paths_ms_;
};

}  // namespace

void AddDemoCommand(CLI::App& app, Context& ctx) {
    struct Args {
        bool once{false};
        std::string dir;
        std::uint16_t base_port{7100};
        std::string concordd;
        std::string web;
        int rounds{1};
    };
    auto a = std::make_shared<Args>();
    CLI::App* demo = app.add_subcommand(
        "demo", "run a three-node federation on loopback through an emergency preservation request"
    );
    demo->add_flag(
        "--once", a->once, "run the scenario, stop the nodes and exit (0 = every step verified)"
    );
    demo->add_option("--dir", a->dir, "folder for the nodes (default: a new temporary folder)");
    demo->add_option(
            "--base-port",
            a->base_port,
            "nodes listen on BASE+1..BASE+3, their local APIs on BASE+101..BASE+103"
    )
        ->capture_default_str();
    demo->add_option("--concordd", a->concordd, "the concordd binary (default: beside concord)");
    demo->add_option(
        "--web",
        a->web,
        "the built web UI for the nodes to serve (default: web/dist of the current folder when it "
        "holds index.html; 'none': no UI)"
    );
    demo->add_option(
            "--rounds",
            a->rounds,
            "play the scenario this many times (new cases; the people are enrolled once) and "
            "print p50/p99 of the A->B->C->A time"
    )
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    demo->callback([&ctx, a] {
        Finish(ctx, [&]() -> Result<void> {
            std::filesystem::path dir = a->dir;
            if (dir.empty()) {
                std::string pattern =
                    (std::filesystem::temp_directory_path() / "concord-demo-XXXXXX").string();
                if (::mkdtemp(pattern.data()) == nullptr) {
                    return MakeError(ErrorCode::kUnavailable, "cannot create a temporary folder");
                }
                dir = pattern;
            }
            // Stop signals are waited for below rather than killing the process.
            sigset_t signals;
            sigemptyset(&signals);
            sigaddset(&signals, SIGINT);
            sigaddset(&signals, SIGTERM);
            pthread_sigmask(SIG_BLOCK, &signals, nullptr);
            std::filesystem::path web = a->web;
            if (web.empty() && std::filesystem::exists("web/dist/index.html")) {
                web = "web/dist";
            }
            if (web == "none") {
                web.clear();
            }
            if (!web.empty()) {
                if (!std::filesystem::exists(web / "index.html")) {
                    return MakeError(
                        ErrorCode::kInvalidArgument,
                        "--web: " + web.string() +
                            " holds no index.html (run npm run build in web/)"
                    );
                }
                web = std::filesystem::absolute(web);
            }
            Demo demo_run(ctx, dir, a->base_port, server::testing::FindConcordd(a->concordd), web);
            CONCORD_RETURN_IF_ERROR(demo_run.Setup());
            CONCORD_ASSIGN_OR_RETURN(bool verified, demo_run.RunScenario(a->rounds));
            ctx.out << (verified ? "\nevery step verified\n" : "\nSOME STEPS FAILED\n");
            if (!a->once) {
                if (!web.empty()) {
                    CONCORD_RETURN_IF_ERROR(demo_run.EnrolBrowserPeople());
                }
                demo_run.PrintRunning();
                int received = 0;
                sigwait(&signals, &received);
            }
            demo_run.Shutdown();
            if (!verified) {
                return MakeError(ErrorCode::kInternal, "the demo scenario did not verify");
            }
            return {};
        }());
    });
}

}  // namespace concord::cli
