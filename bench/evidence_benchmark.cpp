// Evidence files (issue 10 §1): a file sealed into the blob store as it arrives and opened back
// chunk by chunk, with throughput beside the limit measured in the same run and the peak
// resident memory while doing it.
//
//   bench_evidence [--size BYTES] [--chunk BYTES] [--dir PATH] [--local-only] [--concordd PATH]
//
// Then, unless --local-only, the same size through two running nodes: concordd processes on
// loopback; the file uploaded over HTTPS into an evidence package of a case at the sender (PUT,
// streamed), sealed, pushed by the sender to the recipient (every chunk authenticated there,
// the recipient's receipt recorded at the sender), and downloaded from the recipient (GET,
// streamed), with each node's peak resident memory in each phase (its VmHWM, reset through
// /proc/PID/clear_refs). Client and nodes share the machine's cores. The transfer is compared
// with the seal limit: the recipient's work per byte is the same (one AEAD pass, SHA-256 of the
// plaintext and of the ciphertext). Then uploads in parts (?size=) into a second draft at the
// sender: the file in one part, and the file cut at 0.6 and resumed from the byte the node kept.
//
// Default 1 GiB in 1 MiB chunks (the 10 GB run: --size 10000000000; it needs that much
// free disk under --dir, default the temporary folder). The plaintext is generated in memory (no
// source disk in the measurement); the sealed blob is written to and read back from disk.
//
// Limits: one core doing only the cryptography, on 256 MiB in memory: for sealing, secretstream
// push (XChaCha20-Poly1305) of every chunk and SHA-256 over the plaintext and the ciphertext (the
// blob's address); for opening, pull and SHA-256 of the plaintext. Sealing does exactly that
// work plus the blob writes; opening that work plus the reads.
// Memory: the peak resident set (VmHWM) is reset before each phase (/proc/self/clear_refs) and
// read after it, so a figure flat across sizes means constant memory.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <regex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "concord/app/blob_store.hpp"
#include "concord/app/evidence_stream.hpp"
#include "concord/crypto/init.hpp"
#include "concord/crypto/secretstream.hpp"
#include "concord/crypto/sha256.hpp"
#include "concord/legal/catalog.hpp"
#include "concord/net/client.hpp"
#include "concord/net/stream.hpp"
#include "concord/server/testing/local_node.hpp"
#include "concord/server/testing/pattern_body.hpp"
#include "concord/server/testing/people.hpp"
#include "concord/server/testing/process_federation.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using concord::ByteSpan;

double Seconds(Clock::duration d) {
    return std::chrono::duration<double>(d).count();
}

double MiBps(std::uint64_t bytes, double seconds) {
    return static_cast<double>(bytes) / (1024.0 * 1024.0) / seconds;
}

void ResetPeakRss(const std::string& pid = "self") {
    std::ofstream("/proc/" + pid + "/clear_refs") << "5";
}

double PeakRssMiB(const std::string& pid = "self") {
    std::ifstream in("/proc/" + pid + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmHWM:", 0) == 0) {
            return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
        }
    }
    return -1;
}

struct Limits {
    double seal_mibps;  ///< push + SHA-256 of the plaintext and of the ciphertext
    double open_mibps;  ///< pull + SHA-256 of the plaintext
};

Limits MeasureLimits(std::uint32_t chunk) {
    const std::uint64_t total = std::uint64_t{256} << 20;
    std::vector<std::uint8_t> plain(chunk, 0x5a);
    const auto key = concord::crypto::GenerateStreamKey();
    auto encryptor = concord::crypto::StreamEncryptor::Create(key).value();
    std::vector<concord::Bytes> sealed;  // a few chunks, to pull back
    concord::crypto::Sha256Hasher plain_hash;
    concord::crypto::Sha256Hasher sealed_hash;
    const auto seal_start = Clock::now();
    for (std::uint64_t done = 0; done < total; done += chunk) {
        plain_hash.Update(plain);
        concord::Bytes chunk_out = encryptor.Push(plain, done + chunk >= total);
        sealed_hash.Update(chunk_out);
        if (sealed.size() < 64) {
            sealed.push_back(std::move(chunk_out));
        }
    }
    (void)plain_hash.Finish();
    (void)sealed_hash.Finish();
    const double seal_s = Seconds(Clock::now() - seal_start);
    // Pull: the first chunks again and again from a fresh stream (each pull is the same work).
    std::uint64_t opened = 0;
    const auto open_start = Clock::now();
    while (opened < total) {
        auto decryptor = concord::crypto::StreamDecryptor::Create(key, encryptor.Header()).value();
        for (const auto& c : sealed) {
            if (opened >= total) {
                break;
            }
            const auto p = decryptor.Pull(c);
            if (!p) {
                std::abort();
            }
            plain_hash.Update(*p);
            opened += p->size();
        }
    }
    (void)plain_hash.Finish();
    return {MiBps(total, seal_s), MiBps(opened, Seconds(Clock::now() - open_start))};
}

std::string ReadText(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A person's client of a benchmark node's local API (a new sign-in).
std::unique_ptr<concord::server::testing::ApiClient> Person(
    const concord::server::testing::ProcessNode& node,
    concord::server::testing::ApiClient& admin,
    const char* login,
    const char* role
) {
    namespace testing = concord::server::testing;
    auto token = testing::EnrolAndSignIn(admin, testing::NewPerson{login, login, {role}, "cyber"});
    if (!token) {
        std::fprintf(stderr, "bench_evidence: %s: %s\n", login, token.error().ToString().c_str());
        return nullptr;
    }
    return std::make_unique<testing::ApiClient>(
        admin.BaseUrl(), *token, node.init.entry.tls_sha256
    );
}

bool Fail(const char* step, const concord::Result<concord::server::testing::ApiReply>& r) {
    std::fprintf(
        stderr, "bench_evidence: %s: %s\n", step, r ? r->body.c_str() : r.error().ToString().c_str()
    );
    return false;
}

// A case drafted by an officer of node 0 and approved there, so both nodes hold it; returns
// node 0's case id ("" on failure).
std::string CaseAtBothNodes(
    concord::server::testing::ApiClient& officer,
    concord::server::testing::ApiClient& approver,
    concord::server::testing::ApiClient& peer
) {
    boost::json::object draft;
    draft["request"] = boost::json::parse(
        ReadText(concord::legal::DefaultInstrumentsDir() / "examples/expedited-preservation.json")
    );
    draft["peer_node"] = "hu.poc";
    auto drafted = officer.Call("POST", "/api/v1/cases", boost::json::serialize(draft));
    if (!drafted || drafted->status != 201) {
        Fail("draft", drafted);
        return "";
    }
    std::string case_id(drafted->json.at("id").as_string());
    auto approved = approver.Call("POST", "/api/v1/cases/" + case_id + "/approve", "{}");
    if (!approved || approved->status != 200) {
        Fail("approve", approved);
        return "";
    }
    for (int i = 0; i < 3000; ++i) {
        auto in = peer.Call("GET", "/api/v1/cases?direction=in");
        if (in && in->status == 200 && !in->json.at("cases").as_array().empty()) {
            return case_id;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::fprintf(stderr, "bench_evidence: the case never reached hu.poc\n");
    return "";
}

// A body that fails as a broken connection after `cut` bytes of `inner`.
class CutAfter final : public concord::net::BodySource {
public:
    CutAfter(concord::net::BodySource& inner, std::uint64_t cut) : inner_(inner), left_(cut) {}
    concord::Result<size_t> Read(std::span<std::uint8_t> buffer) override {
        if (left_ == 0) {
            return concord::MakeError(concord::ErrorCode::kUnavailable, "cut by the bench");
        }
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), left_));
        CONCORD_ASSIGN_OR_RETURN(std::size_t n, inner_.Read(buffer.first(want)));
        left_ -= n;
        return n;
    }

private:
    concord::net::BodySource& inner_;
    std::uint64_t left_;
};

// Reads and drops the first `bytes` of `body` (the part the node already holds).
void Drop(concord::net::BodySource& body, std::uint64_t bytes) {
    std::vector<std::uint8_t> piece(std::size_t{1} << 20);
    while (bytes > 0) {
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(bytes, piece.size()));
        auto n = body.Read(std::span(piece.data(), want));
        if (!n || *n == 0) {
            return;
        }
        bytes -= *n;
    }
}

// Uploads in parts (?size=), as the web UI and the CLI send files, into a draft `path` of the
// node: the whole file in one part, then a file cut at a point that is not a chunk boundary
// (about 0.6 of it) and resumed from the byte the node says it kept. Prints the throughput of
// each beside the seal limit, the bytes sent again (what the cut part had on the wire past the
// last whole chunk), and the time the node takes to answer where the upload stands (it reads
// back and authenticates what it kept).
bool PartsThroughNode(
    std::uint64_t size,
    const Limits& limit,
    const concord::net::ClientOptions& options,
    const std::string& base,
    const std::string& path,
    const std::string& token
) {
    const concord::net::HeaderList headers{
        {"Authorization", "Bearer " + token}, {"Content-Type", "application/octet-stream"}};
    concord::net::HttpClient client(options);
    const std::string sized = "?size=" + std::to_string(size);
    concord::server::testing::PatternBody whole(size);
    const auto whole_start = Clock::now();
    auto one =
        client.Upload("PUT", base + path + "/files/parts-one.bin" + sized, headers, whole, size);
    const double whole_s = Seconds(Clock::now() - whole_start);
    if (!one || one->status != 201) {
        std::fprintf(stderr, "bench_evidence: upload in one part failed\n");
        return false;
    }
    const std::uint64_t cut = size / 5 * 3 + 12345;
    concord::server::testing::PatternBody first(size);
    CutAfter cut_body(first, cut);
    const auto cut_start = Clock::now();
    (void
    )client.Upload("PUT", base + path + "/files/parts-cut.bin" + sized, headers, cut_body, size);
    const double cut_s = Seconds(Clock::now() - cut_start);
    // Asked until the node has taken in what was on the wire (a second part is refused meanwhile).
    std::uint64_t kept = 0;
    double status_s = 0;
    for (int i = 0; i < 600; ++i) {
        const auto status_start = Clock::now();
        auto status = client.Send("GET", base + path + "/uploads/parts-cut.bin", "", headers);
        status_s = Seconds(Clock::now() - status_start);
        if (status && status->status == 200) {
            const std::uint64_t now =
                boost::json::parse(status->body).at("received").to_number<std::uint64_t>();
            if (now == kept && now > 0) {
                break;
            }
            kept = now;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    concord::server::testing::PatternBody rest(size);
    Drop(rest, kept);
    const auto rest_start = Clock::now();
    auto resumed = client.Upload(
        "PUT",
        base + path + "/files/parts-cut.bin" + sized + "&offset=" + std::to_string(kept),
        headers,
        rest,
        size - kept
    );
    const double rest_s = Seconds(Clock::now() - rest_start);
    if (!resumed || resumed->status != 201) {
        std::fprintf(stderr, "bench_evidence: the resumed part failed\n");
        return false;
    }
    std::printf(
        "through two nodes, upload in parts (?size=, as the web UI and the CLI send): one part "
        "%.0f MiB/s = %.0f %% "
        "of the seal limit; cut at byte %llu, the node kept %llu (sent again: %llu bytes, %.2f "
        "chunks); where it stands answered in %.3f s (kept bytes read back and authenticated: "
        "%.0f MiB/s); the whole cut-and-resumed file %.0f MiB/s (both parts' time)\n",
        MiBps(size, whole_s),
        100.0 * MiBps(size, whole_s) / limit.seal_mibps,
        static_cast<unsigned long long>(cut),
        static_cast<unsigned long long>(kept),
        static_cast<unsigned long long>(cut - kept),
        static_cast<double>(cut - kept) / static_cast<double>(std::uint64_t{1} << 20),
        status_s,
        MiBps(kept, status_s),
        MiBps(size, cut_s + rest_s)
    );
    return true;
}

// The file through two running nodes: uploaded into an evidence package of a case at the
// sender, sealed and pushed to the recipient (each chunk authenticated there), and downloaded
// from the recipient.
int ThroughNode(
    std::uint64_t size,
    const Limits& limit,
    const std::filesystem::path& concordd,
    const std::filesystem::path& root
) {
    namespace testing = concord::server::testing;
    std::filesystem::remove_all(root);
    std::filesystem::create_directories(root);
    auto federation = testing::ProcessFederation::Start(
        root,
        {{"fr.central", "FR", "central_authority"}, {"hu.poc", "HU", "central_authority"}},
        concordd,
        [](testing::ProcessNode& n) {
            std::ofstream(n.init.config_file, std::ios::app)
                << "\n[evidence]\nmax_file_bytes = " << (std::uint64_t{1} << 40) << "\n";
        }
    );
    if (!federation) {
        std::fprintf(
            stderr,
            "bench_evidence: %s (logs in %s)\n",
            federation.error().ToString().c_str(),
            root.c_str()
        );
        return 1;
    }
    const testing::ProcessNode& node = (*federation)->Node(0);
    const testing::ProcessNode& peer = (*federation)->Node(1);
    auto admin = node.NodeApi();
    auto peer_api = peer.NodeApi();
    auto officer = Person(node, *admin, "olga", "officer");
    auto approver = Person(node, *admin, "anne", "approver");
    if (!officer || !approver) {
        return 1;
    }
    const std::string case_id = CaseAtBothNodes(*officer, *approver, *peer_api);
    if (case_id.empty()) {
        return 1;
    }
    auto created = officer->Call("POST", "/api/v1/cases/" + case_id + "/evidence", "{}");
    if (!created || created->status != 201) {
        Fail("package", created);
        return 1;
    }
    const std::string package(created->json.at("package").as_string());
    const std::string path = "/api/v1/evidence/" + package;
    const concord::net::HeaderList headers{
        {"Authorization", "Bearer " + node.init.api_token},
        {"Content-Type", "application/octet-stream"}};
    const std::string pid = std::to_string(node.pid);
    const std::string peer_pid = std::to_string(peer.pid);
    concord::net::ClientOptions options = admin->Options();
    options.timeout = std::chrono::seconds(60);  // per step of a transfer

    testing::PatternBody body(size);
    ResetPeakRss(pid);
    const auto up_start = Clock::now();
    concord::net::HttpClient uploader(options);
    auto uploaded =
        uploader.Upload("PUT", admin->BaseUrl() + path + "/files/bench.bin", headers, body, size);
    const double up_s = Seconds(Clock::now() - up_start);
    const double up_rss = PeakRssMiB(pid);
    if (!uploaded || uploaded->status != 201) {
        std::fprintf(
            stderr,
            "bench_evidence: upload: %s\n",
            uploaded ? uploaded->body.c_str() : uploaded.error().ToString().c_str()
        );
        return 1;
    }

    // Sealed, the package goes to hu.poc by itself; the transfer ends with the receipt verified
    // and recorded at the sender ("delivered"), polled every 5 ms.
    ResetPeakRss(pid);
    ResetPeakRss(peer_pid);
    const auto transfer_start = Clock::now();
    auto sealed = officer->Call("POST", path + "/seal", "{}");
    if (!sealed || sealed->status != 200) {
        Fail("seal", sealed);
        return 1;
    }
    for (;;) {
        auto state = admin->Call("GET", path);
        if (state && state->status == 200 && state->json.at("state").as_string() == "delivered") {
            break;
        }
        if (Seconds(Clock::now() - transfer_start) > 3600) {
            std::fprintf(stderr, "bench_evidence: the package was not delivered within an hour\n");
            return 1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const double transfer_s = Seconds(Clock::now() - transfer_start);
    const double sender_rss = PeakRssMiB(pid);
    const double recipient_rss = PeakRssMiB(peer_pid);

    std::uint64_t received = 0;
    ResetPeakRss(peer_pid);
    const auto down_start = Clock::now();
    concord::net::ClientOptions peer_options = peer_api->Options();
    peer_options.timeout = std::chrono::seconds(60);
    concord::net::HttpClient downloader(peer_options);
    auto downloaded = downloader.Download(
        peer_api->BaseUrl() + path + "/files/bench.bin",
        {{"Authorization", "Bearer " + peer.init.api_token}},
        [&received](std::span<const std::uint8_t> piece) -> concord::Result<void> {
            received += piece.size();
            return {};
        }
    );
    const double down_s = Seconds(Clock::now() - down_start);
    const double down_rss = PeakRssMiB(peer_pid);
    if (!downloaded || downloaded->status != 200 || received != size) {
        std::fprintf(
            stderr,
            "bench_evidence: download: %s (%llu bytes)\n",
            downloaded ? downloaded->body.c_str() : downloaded.error().ToString().c_str(),
            static_cast<unsigned long long>(received)
        );
        return 1;
    }
    auto drafted = officer->Call("POST", "/api/v1/cases/" + case_id + "/evidence", "{}");
    if (!drafted || drafted->status != 201) {
        Fail("package", drafted);
        return 1;
    }
    const bool parts = PartsThroughNode(
        size,
        limit,
        options,
        admin->BaseUrl(),
        "/api/v1/evidence/" + std::string(drafted->json.at("package").as_string()),
        node.init.api_token
    );
    federation->reset();
    std::filesystem::remove_all(root);
    if (!parts) {
        return 1;
    }
    std::printf(
        "through two nodes (HTTPS on loopback; client and both concordd on the same cores):\n"
        "upload into a package (PUT, streamed): %.0f MiB/s = %.0f %% of the seal limit; sender "
        "peak RSS %.1f MiB\n",
        MiBps(size, up_s),
        100.0 * MiBps(size, up_s) / limit.seal_mibps,
        up_rss
    );
    std::printf(
        "transfer to the recipient (seal, push, every chunk authenticated, receipt): %.0f MiB/s "
        "= %.0f %% of the seal limit; peak RSS sender %.1f MiB, recipient %.1f MiB\n",
        MiBps(size, transfer_s),
        100.0 * MiBps(size, transfer_s) / limit.seal_mibps,
        sender_rss,
        recipient_rss
    );
    std::printf(
        "download from the recipient (GET, streamed): %.0f MiB/s = %.0f %% of the open limit; "
        "recipient peak RSS %.1f MiB\n",
        MiBps(size, down_s),
        100.0 * MiBps(size, down_s) / limit.open_mibps,
        down_rss
    );
    return 0;
}

int Run(
    std::uint64_t size,
    std::uint32_t chunk,
    const std::filesystem::path& dir,
    const std::filesystem::path* concordd
) {
    std::filesystem::remove_all(dir);
    auto blobs = concord::app::DirectoryBlobStore::OpenFolder(dir);
    if (!blobs) {
        std::fprintf(stderr, "bench_evidence: %s\n", blobs.error().ToString().c_str());
        return 1;
    }
    const auto key = concord::crypto::GenerateStreamKey();
    const Limits limit = MeasureLimits(chunk);

    std::vector<std::uint8_t> piece(std::size_t{1} << 20);
    std::mt19937 rng(7);
    for (auto& b : piece) {
        b = static_cast<std::uint8_t>(rng());
    }
    ResetPeakRss();
    const auto seal_start = Clock::now();
    auto sealer = concord::app::FileSealer::Create(key, chunk, **blobs).value();
    for (std::uint64_t done = 0; done < size;) {
        const std::size_t n =
            static_cast<std::size_t>(std::min<std::uint64_t>(piece.size(), size - done));
        piece[0] = static_cast<std::uint8_t>(done >> 20);  // not one repeated megabyte
        if (auto w = sealer.Write(ByteSpan(piece.data(), n)); !w) {
            std::fprintf(stderr, "bench_evidence: %s\n", w.error().ToString().c_str());
            return 1;
        }
        done += n;
    }
    auto sealed = sealer.Finish();
    if (!sealed) {
        std::fprintf(stderr, "bench_evidence: %s\n", sealed.error().ToString().c_str());
        return 1;
    }
    const double seal_s = Seconds(Clock::now() - seal_start);
    const double seal_rss = PeakRssMiB();

    ResetPeakRss();
    std::uint64_t released = 0;
    const auto open_start = Clock::now();
    auto opened = concord::app::OpenSealedFile(
        **blobs,
        key,
        chunk,
        *sealed,
        [&](ByteSpan p) -> concord::Result<void> {
            released += p.size();
            return {};
        }
    );
    const double open_s = Seconds(Clock::now() - open_start);
    const double open_rss = PeakRssMiB();
    std::filesystem::remove_all(dir);
    if (!opened || released != size) {
        std::fprintf(
            stderr,
            "bench_evidence: open failed: %s\n",
            opened ? "size" : opened.error().ToString().c_str()
        );
        return 1;
    }
    std::printf(
        "file: %.2f GiB in chunks of %u KiB, blob store in %s\n",
        static_cast<double>(size) / (1024.0 * 1024 * 1024),
        chunk / 1024,
        dir.c_str()
    );
    std::printf(
        "limits (one core, in memory, 256 MiB): seal = secretstream push + SHA-256 of plaintext "
        "and ciphertext %.0f MiB/s; open = pull + SHA-256 of plaintext %.0f MiB/s\n",
        limit.seal_mibps,
        limit.open_mibps
    );
    std::printf(
        "seal into the blob store: %.0f MiB/s = %.0f %% of the limit; peak RSS %.1f MiB\n",
        MiBps(size, seal_s),
        100.0 * MiBps(size, seal_s) / limit.seal_mibps,
        seal_rss
    );
    std::printf(
        "open from the blob store: %.0f MiB/s = %.0f %% of the limit; peak RSS %.1f MiB\n",
        MiBps(size, open_s),
        100.0 * MiBps(size, open_s) / limit.open_mibps,
        open_rss
    );
    if (concordd == nullptr) {
        return 0;
    }
    return ThroughNode(size, limit, *concordd, dir.string() + "-node");
}

}  // namespace

int main(int argc, char** argv) {
    std::uint64_t size = std::uint64_t{1} << 30;
    std::uint32_t chunk = concord::app::kDefaultEvidenceChunkBytes;
    std::filesystem::path dir = std::filesystem::temp_directory_path() / "concord-bench-evidence";
    bool local_only = false;
    std::string concordd;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--size" && i + 1 < argc) {
            size = std::strtoull(argv[++i], nullptr, 10);
        } else if (arg == "--chunk" && i + 1 < argc) {
            chunk = static_cast<std::uint32_t>(std::strtoul(argv[++i], nullptr, 10));
        } else if (arg == "--dir" && i + 1 < argc) {
            dir = argv[++i];
        } else if (arg == "--local-only") {
            local_only = true;
        } else if (arg == "--concordd" && i + 1 < argc) {
            concordd = argv[++i];
        } else if (arg.starts_with("--benchmark_filter=")) {
            // scripts/run-benchmarks passes Google Benchmark's flags to every bench_* program:
            // the filter is honoured against the name "Evidence", the others are ignored.
            bool match = true;
            try {
                match = std::regex_search("Evidence", std::regex(arg.substr(19)));
            } catch (const std::regex_error&) {
                match = true;
            }
            if (!match) {
                std::printf("skipped (--benchmark_filter does not match 'Evidence')\n");
                return 0;
            }
        } else if (arg.starts_with("--benchmark_")) {
            continue;
        } else {
            std::fprintf(
                stderr,
                "usage: bench_evidence [--size BYTES] [--chunk BYTES] [--dir PATH] [--local-only] "
                "[--concordd PATH]\n"
            );
            return 2;
        }
    }
    if (!concord::crypto::Initialize()) {
        return 1;
    }
    if (!concord::app::ChunkLayout::Create(size, chunk)) {
        std::fprintf(stderr, "bench_evidence: chunk size or file size out of range\n");
        return 2;
    }
    const std::filesystem::path found = concord::server::testing::FindConcordd(concordd);
    return Run(size, chunk, dir, local_only ? nullptr : &found);
}
