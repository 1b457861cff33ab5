#include "federation_harness.hpp"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "concord/core/bytes.hpp"
#include "concord/core/file.hpp"
#include "concord/core/time.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/crypto/init.hpp"
#include "concord/crypto/random.hpp"
#include "concord/federation/signed_json.hpp"
#include "concord/ledger/note.hpp"
#include "concord/server/testing/local_node.hpp"
#include "concord/server/testing/people.hpp"
#include "concord/server/testing/ports.hpp"
#include "concord/store/store.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace concord::functional {
namespace {

using Clock = std::chrono::steady_clock;

std::string ReadWhole(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Waits for `pid` until `limit`; true and the status if it exited.
bool WaitPid(pid_t pid, std::chrono::milliseconds limit, int* status) {
    const auto deadline = Clock::now() + limit;
    for (;;) {
        const pid_t r = ::waitpid(pid, status, WNOHANG);
        if (r == pid || r < 0) {
            return true;
        }
        if (Clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

Error HttpError(const std::string& what, const Reply& r) {
    return Error{
        ErrorCode::kUnavailable, what + ": HTTP " + std::to_string(r.status) + " " + r.body};
}

}  // namespace

std::filesystem::path ConcorddPath() {
    return std::filesystem::path(CONCORD_BINARY_DIR) / "apps" / "concordd" / "concordd";
}

std::filesystem::path ConcordPath() {
    return std::filesystem::path(CONCORD_BINARY_DIR) / "apps" / "concord" / "concord";
}

std::uint16_t FreePort() {
    auto port = server::testing::ReservePort();
    if (!port) {
        ADD_FAILURE() << port.error().ToString();
        return 0;
    }
    return *port;
}

bool WaitFor(const std::function<bool()>& condition, std::chrono::seconds limit) {
    const auto deadline = Clock::now() + limit;
    for (;;) {
        if (condition()) {
            return true;
        }
        if (Clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

// --- TestNode ------------------------------------------------------------------------------

TestNode::TestNode(std::string id, std::filesystem::path dir, std::uint16_t port)
    : id_(std::move(id)), dir_(std::move(dir)), port_(port), api_port_(FreePort()) {}

TestNode::~TestNode() {
    if (pid_ > 0) {
        Kill();
    }
}

std::string TestNode::BaseUrl() const {
    return "https://127.0.0.1:" + std::to_string(port_);
}

std::string TestNode::ApiUrl() const {
    return "https://127.0.0.1:" + std::to_string(api_port_);
}

Result<void> TestNode::Init(
    const std::string& party,
    const std::string& role,
    const std::filesystem::path& directory_file,
    const std::string& directory_key
) {
    server::InitOptions o;
    o.dir = dir_;
    o.node_id = id_;
    o.party = party;
    o.roles = {role};
    o.authority = "Authority of " + id_;
    o.listen = "127.0.0.1:" + std::to_string(port_);
    o.api_listen = "127.0.0.1:" + std::to_string(api_port_);
    o.passphrase = HexEncode(crypto::RandomBytes(16));
    o.write_passphrase_file = true;
    o.fast_key_derivation = true;
    o.directory_file = directory_file;
    o.directory_keys = {directory_key};
    CONCORD_ASSIGN_OR_RETURN(init_, server::InitNode(o));
    api_ = std::make_unique<server::testing::ApiClient>(
        ApiUrl(), init_.api_token, init_.entry.tls_sha256, std::chrono::seconds(30), BaseUrl()
    );
    return {};
}

Result<void> TestNode::SetConfig(
    std::string_view section, std::string_view key, std::string_view value
) {
    const auto path = dir_ / "config.toml";
    std::string text = ReadWhole(path);
    const std::string header = "[" + std::string(section) + "]\n";
    const std::string line = std::string(key) + " = " + std::string(value) + "\n";
    if (auto at = text.find(header); at != std::string::npos) {
        text.insert(at + header.size(), line);
    } else {
        text += "\n" + header + line;
    }
    return WriteFileAtomically(path, AsBytes(text), 0644, ExistingFile::kReplace);
}

Result<void> TestNode::Spawn(const std::string& failpoint) {
    if (pid_ > 0) {
        return MakeError(ErrorCode::kInvalidArgument, id_ + " is running already");
    }
    std::vector<std::string> env;
    if (!failpoint.empty()) {
        env.push_back("CONCORD_FAILPOINT=" + failpoint);
    }
    CONCORD_ASSIGN_OR_RETURN(
        pid_,
        server::testing::SpawnConcordd(
            ConcorddPath(), dir_ / "config.toml", dir_ / "concordd.log", env
        )
    );
    return {};
}

Result<void> TestNode::WaitHealthy(std::chrono::seconds limit) {
    auto healthy = server::testing::WaitHealthy(pid_, port_, init_.entry.tls_sha256, limit);
    if (!healthy) {
        Reap();
        return MakeError(
            healthy.error().code, id_ + ": " + healthy.error().message + "\n" + LogTail()
        );
    }
    return {};
}

Result<void> TestNode::Start(const std::string& failpoint) {
    CONCORD_RETURN_IF_ERROR(Spawn(failpoint));
    return WaitHealthy();
}

int TestNode::Terminate() {
    int status = 0;
    if (pid_ <= 0) {
        return status;
    }
    ::kill(pid_, SIGTERM);
    if (!WaitPid(pid_, kPatience, &status)) {
        ADD_FAILURE() << id_ << " did not stop on SIGTERM; killing it";
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
    return status;
}

void TestNode::Kill() {
    if (pid_ <= 0) {
        return;
    }
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
}

bool TestNode::Reap() {
    if (pid_ <= 0) {
        return true;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return true;
    }
    return false;
}

bool TestNode::WaitExit(std::chrono::seconds limit) {
    return WaitFor([this] { return Reap(); }, limit);
}

std::unique_ptr<net::HttpClient> TestNode::NewClient() const {
    return api_->NewClient();
}

Result<Reply> TestNode::Api(
    std::string_view method, const std::string& path, std::string_view body, net::HttpClient* client
) {
    return api_->Call(method, path, body, client);
}

Result<Reply> TestNode::Plain(
    std::string_view method, const std::string& path, std::string_view body, net::HttpClient* client
) {
    return api_->Plain(method, path, body, client);
}

Result<std::string> TestNode::Submit(
    const std::string& to,
    const std::string& type,
    const std::string& body_json,
    net::HttpClient* client
) {
    server::testing::Submission message;
    message.to = to;
    message.type = type;
    message.body = boost::json::parse(body_json);
    return api_->Submit(message, client);
}

Result<std::vector<MessageRow>> TestNode::ListAll(const std::string& box) {
    std::vector<MessageRow> out;
    std::string before;
    for (;;) {
        std::string path = "/api/v1/messages?box=" + box + "&limit=1000";
        if (!before.empty()) {
            path += "&before=" + before;
        }
        CONCORD_ASSIGN_OR_RETURN(Reply r, Api("GET", path));
        if (r.status != 200) {
            return HttpError("list " + box, r);
        }
        CONCORD_ASSIGN_OR_RETURN(
            const boost::json::array* messages, federation::GetArray(r.json, "messages")
        );
        for (const auto& v : *messages) {
            const auto& o = v.as_object();
            MessageRow row;
            row.id = federation::GetString(o, "id").value_or("");
            row.peer = federation::GetString(o, "peer").value_or("");
            row.type = federation::GetString(o, "type").value_or("");
            row.status = federation::GetString(o, "status").value_or("");
            row.attempts = federation::GetInt(o, "attempts").value_or(0);
            out.push_back(std::move(row));
        }
        if (messages->size() < 1000) {
            return out;
        }
        before = out.back().id;
    }
}

Result<double> TestNode::Metric(std::string_view name, std::string_view labels) {
    CONCORD_ASSIGN_OR_RETURN(Reply r, api_->Call("GET", "/metrics"));
    if (r.status != 200) {
        return HttpError("metrics", r);
    }
    const std::string prefix =
        std::string(name) + (labels.empty() ? "" : "{" + std::string(labels) + "}") + " ";
    std::istringstream lines(r.body);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.starts_with(prefix)) {
            return std::stod(line.substr(prefix.size()));
        }
    }
    return MakeError(ErrorCode::kNotFound, "metric " + prefix + "not found");
}

Result<std::string> TestNode::VerifyLedger() {
    if (pid_ > 0) {
        return MakeError(ErrorCode::kInvalidArgument, id_ + " must be stopped to verify");
    }
    const auto verifier =
        ledger::MakeVerifier(id_, ledger::NoteKeyType::kEd25519, init_.entry.signing_key);
    const std::string url = "sqlite:" + (dir_ / "node.db").string();
    ledger::Log::Verification report;
    {
        CONCORD_ASSIGN_OR_RETURN(auto store, store::Store::Open(url));
        CONCORD_ASSIGN_OR_RETURN(auto log, ledger::Log::Open(*store));
        CONCORD_ASSIGN_OR_RETURN(auto tx, store->Begin());
        CONCORD_ASSIGN_OR_RETURN(report, log->VerifyAll(*tx, std::span(&verifier, 1)));
    }
    std::string summary = id_ + ": " + std::to_string(report.size) + " entries, " +
                          std::to_string(report.checkpoints) + " checkpoints";
    if (report.checkpoints == 0) {
        return summary;  // `concord ledger verify` needs a checkpoint to verify against
    }
    const auto out = dir_ / "ledger-verify.out";
    std::filesystem::remove(out);
    CONCORD_ASSIGN_OR_RETURN(
        pid_t pid,
        server::testing::SpawnProcess(
            {ConcordPath().string(),
             "ledger",
             "verify",
             "--store",
             url,
             "--key",
             verifier.ToString()},
            out,
            {}
        )
    );
    int status = 0;
    if (!WaitPid(pid, kPatience, &status)) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        return MakeError(ErrorCode::kUnavailable, "concord ledger verify did not finish");
    }
    const std::string text = ReadWhole(out);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !text.starts_with("OK:")) {
        return MakeError(ErrorCode::kCorruption, "concord ledger verify " + id_ + ": " + text);
    }
    return summary + "; concord ledger verify: " + text;
}

std::string TestNode::LogTail(std::size_t bytes) const {
    const std::string text = ReadWhole(dir_ / "concordd.log");
    return text.size() <= bytes ? text : text.substr(text.size() - bytes);
}

// --- Federation ----------------------------------------------------------------------------

Federation::Federation(FederationOptions options)
    : options_(std::move(options)), directory_key_([] {
          (void)crypto::Initialize();
          return crypto::SigningKey::Generate();
      }()) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "concord-functional-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        ADD_FAILURE() << "cannot create a temporary folder";
    }
    dir_ = pattern;
}

Federation::~Federation() {
    for (auto& n : nodes_) {
        n->Kill();
    }
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    if (info != nullptr && info->result()->Failed()) {
        std::cerr << "keeping " << dir_ << " for inspection\n";
        for (auto& n : nodes_) {
            std::cerr << "--- " << n->Id() << " log tail ---\n" << n->LogTail(2000) << "\n";
        }
        return;
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

void Federation::AddNode(std::string id, std::string party, std::string role) {
    const auto dir = dir_ / id;
    nodes_.push_back(std::make_unique<TestNode>(std::move(id), dir, FreePort()));
    node_plan_.emplace_back(std::move(party), std::move(role));
}

void Federation::AddExternal(std::string id, std::string party) {
    ExternalIdentity x{
        federation::NodeKeys{crypto::SigningKey::Generate(), crypto::BoxKeyPair::Generate()}, {}};
    x.entry.id = std::move(id);
    x.entry.party = std::move(party);
    x.entry.authority = "Test sender " + x.entry.id;
    x.entry.roles = {"competent_authority"};
    x.entry.endpoint = "https://127.0.0.1:1";
    x.entry.tls_sha256 = std::string(64, '0');  // never dialled; a pin is required with https
    x.entry.signing_key = x.keys.signing.PublicKey();
    x.entry.box_key = x.keys.box.PublicKey();
    x.entry.languages = {"en"};
    externals_.push_back(std::move(x));
}

Result<void> Federation::Create() {
    const auto& pk = directory_key_.PublicKey().Bytes();
    const std::string directory_pub = crypto::Base64Encode(ByteSpan(pk.data(), pk.size()));
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        TestNode& n = *nodes_[i];
        CONCORD_RETURN_IF_ERROR(n.Init(
            node_plan_[i].first, node_plan_[i].second, dir_ / "directory.json", directory_pub
        ));
        CONCORD_RETURN_IF_ERROR(n.SetConfig("http", "rate_per_second", "100000"));
        CONCORD_RETURN_IF_ERROR(n.SetConfig("http", "rate_burst", "100000"));
        CONCORD_RETURN_IF_ERROR(n.SetConfig("api", "metrics", "true"));
        CONCORD_RETURN_IF_ERROR(
            n.SetConfig("directory", "reload_interval", "\"" + options_.reload_interval + "\"")
        );
        CONCORD_RETURN_IF_ERROR(
            n.SetConfig("delivery", "initial_backoff", "\"" + options_.initial_backoff + "\"")
        );
        CONCORD_RETURN_IF_ERROR(
            n.SetConfig("delivery", "max_backoff", "\"" + options_.max_backoff + "\"")
        );
        CONCORD_RETURN_IF_ERROR(
            n.SetConfig("witness", "interval", "\"" + options_.witness_interval + "\"")
        );
    }
    CONCORD_RETURN_IF_ERROR(RewriteDirectory());
    return {};
}

Result<void> Federation::StartAll() {
    for (auto& n : nodes_) {
        CONCORD_RETURN_IF_ERROR(n->Spawn());
    }
    for (auto& n : nodes_) {
        CONCORD_RETURN_IF_ERROR(n->WaitHealthy());
    }
    return {};
}

void Federation::ExpectCleanShutdown() {
    for (auto& n : nodes_) {
        if (!n->Running()) {
            continue;
        }
        const int status = n->Terminate();
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
            << n->Id() << " did not exit cleanly on SIGTERM (status " << status << "):\n"
            << n->LogTail();
    }
}

Result<std::uint64_t> Federation::RewriteDirectory() {
    ++serial_;
    std::vector<federation::Party> parties;
    for (const char* code : {"FR", "HU"}) {
        federation::Party p;
        p.code = code;
        p.name = std::string("State ") + code;
        p.languages = {"en"};
        p.instruments.push_back(federation::InstrumentBinding{"budapest", "ratified", "", {}, {}});
        parties.push_back(std::move(p));
    }
    std::vector<federation::NodeEntry> entries;
    for (const auto& n : nodes_) {
        entries.push_back(n->Entry());
    }
    for (const auto& x : externals_) {
        entries.push_back(x.entry);
    }
    CONCORD_ASSIGN_OR_RETURN(
        std::string signed_text,
        server::testing::SignedDirectory(serial_, parties, entries, directory_key_)
    );
    signed_text += "\n";
    CONCORD_RETURN_IF_ERROR(WriteFileAtomically(
        dir_ / "directory.json", AsBytes(signed_text), 0644, ExistingFile::kReplace
    ));
    return serial_;
}

Result<std::uint64_t> Federation::RevokeExternal(std::size_t i) {
    externals_[i].entry.revoked = true;
    return RewriteDirectory();
}

namespace {

// A personal token of a new user of `node` with `role` ("" after a test failure).
std::string TokenOf(TestNode& node, const char* login, const char* role) {
    auto t = server::testing::EnrolAndSignIn(
        node.Api(), server::testing::NewPerson{login, login, {role}, "cyber"}
    );
    EXPECT_TRUE(t) << Why(t);
    return t ? *t : std::string();
}

}  // namespace

CaseSender::CaseSender(TestNode& from)
    : drafter_(from.ApiUrl(), TokenOf(from, "pierre", "officer"), from.Entry().tls_sha256),
      approver_(from.ApiUrl(), TokenOf(from, "anne", "approver"), from.Entry().tls_sha256) {}

std::string CaseSender::Send(const boost::json::value& request, const std::string& peer) {
    boost::json::object draft{{"request", request}, {"peer_node", peer}};
    auto drafted = drafter_.Call("POST", "/api/v1/cases", boost::json::serialize(draft));
    EXPECT_TRUE(drafted && drafted->status == 201) << (drafted ? drafted->body : Why(drafted));
    if (!drafted || drafted->status != 201) {
        return "";
    }
    const std::string id(drafted->json.at("id").as_string());
    auto approved = approver_.Call("POST", "/api/v1/cases/" + id + "/approve", "{}");
    EXPECT_TRUE(approved && approved->status == 200) << (approved ? approved->body : Why(approved));
    return id;
}

std::string WaitForIncomingCases(TestNode& node, std::size_t count) {
    std::string newest;
    EXPECT_TRUE(WaitFor([&] {
        auto in = node.Api().Call("GET", "/api/v1/cases?direction=in");
        if (!in || in->status != 200 || in->json.at("cases").as_array().size() != count) {
            return false;
        }
        newest = std::string(in->json.at("cases").as_array()[0].at("id").as_string());
        return true;
    })) << node.LogTail();
    return newest;
}

}  // namespace concord::functional
