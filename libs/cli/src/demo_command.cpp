// concord demo: a three-node federation on loopback running the emergency preservation scenario
// (README §Demo).

#include <array>
#include <chrono>
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

// One hop of the scenario and what was measured and verified.
struct Step {
    std::string label;
    std::size_t from{0};
    std::size_t to{0};
    std::string type;
    std::string priority;
    std::string id;
    double visible_ms{0};
    double receipt_ms{0};
    bool receipt_ok{false};
    bool proof_ok{false};
    std::uint64_t ledger_index{0};
    std::string problem;
};

double Millis(Clock::duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

class Demo {
public:
    Demo(
        Context& ctx,
        std::filesystem::path dir,
        std::uint16_t base_port,
        std::filesystem::path concordd
    )
        : ctx_(ctx), dir_(std::move(dir)), base_port_(base_port), concordd_(std::move(concordd)) {}
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
        const auto& pk = directory_key.public_key().bytes();
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
                std::chrono::seconds(10),
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

    // Sends one message and follows it to a verified receipt.
    Step Hop(
        std::string label,
        std::size_t from,
        std::size_t to,
        std::string type,
        std::string priority,
        const boost::json::value& body,
        const std::string& in_reply_to
    ) {
        Step s;
        s.label = std::move(label);
        s.from = from;
        s.to = to;
        s.type = std::move(type);
        s.priority = std::move(priority);
        server::testing::Submission submit;
        submit.to = nodes_[to].id;
        submit.type = s.type;
        submit.priority = s.priority;
        submit.in_reply_to = in_reply_to;
        submit.body = body;
        const auto t0 = Clock::now();
        auto submitted = apis_[from]->Submit(submit);
        if (!submitted) {
            s.problem = submitted.error().message;
            return s;
        }
        s.id = *submitted;
        auto visible = arrivals_[to]->Wait(s.id, std::chrono::seconds(30));
        if (!visible) {
            s.problem = "never arrived at " + nodes_[to].id;
            return s;
        }
        s.visible_ms = Millis(*visible - t0);
        auto message = apis_[from]->WaitDelivered(s.id, std::chrono::seconds(30));
        if (!message) {
            s.problem = message.error().message;
            return s;
        }
        s.receipt_ms = Millis(Clock::now() - t0);
        s.receipt_ok = true;
        auto index = server::testing::VerifyDelivery(*message, *directory_.FindNode(nodes_[to].id));
        s.proof_ok = index.has_value();
        s.ledger_index = index.value_or(0);
        if (!index) {
            s.problem = index.error().message;
        }
        // The receiving officer opens it (a signed retrieval record goes back).
        (void)apis_[to]->Message("inbox", s.id);
        return s;
    }

    Result<bool> RunScenario() {
        CONCORD_ASSIGN_OR_RETURN(
            std::string example,
            ReadFile(legal::DefaultInstrumentsDir() / "examples" / "expedited-preservation.json")
        );
        boost::json::value request = boost::json::parse(example);
        request.as_object()["date"] = FormatTimestamp(NowMillis()).substr(0, 10);
        std::vector<Step> steps;
        steps.push_back(
            Hop("A asks B to preserve data held by C", 0, 1, "request", "emergency", request, "")
        );
        const std::string request_id = steps.back().id;
        boost::json::object order;
        order["order"] = "preserve";
        order["on_behalf_of"] = request_id;
        order["instrument"] = request.at("instrument");
        order["data_categories"] = request.at("fields").at("data_categories");
        order["identifiers"] = request.at("fields").at("identifiers");
        order["time_range"] = request.at("fields").at("time_range");
        steps.push_back(
            Hop("B relays a preservation order to C", 1, 2, "order", "emergency", order, "")
        );
        boost::json::object confirmation;
        confirmation["status"] = "preserved";
        confirmation["order"] = steps.back().id;
        confirmation["preserved_at"] = FormatTimestamp(NowMillis());
        steps.push_back(
            Hop("C confirms preservation to B",
                2,
                1,
                "response",
                "emergency",
                confirmation,
                steps.back().id)
        );
        boost::json::object relay;
        relay["status"] = "preserved";
        relay["request"] = request_id;
        relay["custodian_confirmation"] = steps.back().id;
        steps.push_back(
            Hop("B confirms preservation to A", 1, 0, "response", "emergency", relay, request_id)
        );
        Print(steps);
        return std::all_of(steps.begin(), steps.end(), [](const Step& s) {
            return s.receipt_ok && s.proof_ok && s.problem.empty();
        });
    }

    void Print(const std::vector<Step>& steps) {
        auto& out = ctx_.out;
        out << "\nConcord demo: three nodes on loopback, one signed directory\n";
        for (const auto& n : nodes_) {
            out << "  " << std::left << std::setw(12) << n.id << " "
                << "https://127.0.0.1:" << n.port << "  " << n.authority << " (" << n.party
                << ")\n";
        }
        out << "\n  # " << std::setw(38) << "step" << std::setw(28) << "from -> to" << std::setw(10)
            << "type" << std::right << std::setw(11) << "visible ms" << std::setw(11)
            << "receipt ms"
            << "  receipt  proof (receiver ledger index)\n";
        for (std::size_t i = 0; i < steps.size(); ++i) {
            const Step& s = steps[i];
            std::ostringstream hop;
            hop << nodes_[s.from].id << " -> " << nodes_[s.to].id;
            out << "  " << (i + 1) << " " << std::left << std::setw(38) << s.label << std::setw(28)
                << hop.str() << std::setw(10) << s.type << std::right << std::fixed
                << std::setprecision(1) << std::setw(11) << s.visible_ms << std::setw(11)
                << s.receipt_ms << "  " << (s.receipt_ok ? "verified " : "MISSING  ")
                << (s.proof_ok ? "verified (#" + std::to_string(s.ledger_index) + ")" : "FAILED")
                << "\n";
            if (!s.problem.empty()) {
                out << "    problem: " << s.problem << "\n";
            }
        }
        out << "\n  visible = submit at the sender until the receiver's live event stream shows "
               "it;\n"
               "  receipt = until the sender holds the receiver's signed receipt and inclusion "
               "proof.\n";
    }

    void PrintRunning() {
        ctx_.out << "\nThe nodes keep running until Ctrl-C. Local API (bearer tokens):\n";
        for (const auto& n : nodes_) {
            ctx_.out << "  " << n.id << "  https://127.0.0.1:" << n.api_port << "/api/v1  token "
                     << n.init.api_token << "  (TLS pin " << n.init.entry.tls_sha256 << ")\n";
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
    legal::Catalog catalog_;
    federation::Directory directory_;
    std::vector<DemoNode> nodes_;
    std::vector<std::unique_ptr<server::testing::ApiClient>> apis_;
    std::vector<std::unique_ptr<server::testing::ArrivalLog>> arrivals_;
    std::vector<std::unique_ptr<net::EventStreamClient>> streams_;
};

}  // namespace

void AddDemoCommand(CLI::App& app, Context& ctx) {
    struct Args {
        bool once{false};
        std::string dir;
        std::uint16_t base_port{7100};
        std::string concordd;
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
            Demo demo_run(ctx, dir, a->base_port, server::testing::FindConcordd(a->concordd));
            CONCORD_RETURN_IF_ERROR(demo_run.Setup());
            CONCORD_ASSIGN_OR_RETURN(bool verified, demo_run.RunScenario());
            ctx.out << (verified ? "\nevery step verified\n" : "\nSOME STEPS FAILED\n");
            if (!a->once) {
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
