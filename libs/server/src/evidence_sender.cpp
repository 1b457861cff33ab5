#include "evidence_sender.hpp"

#include <algorithm>

#include <boost/json/parse.hpp>

#include "concord/core/log.hpp"
#include "concord/core/time.hpp"
#include "concord/net/client.hpp"
#include "concord/net/stream.hpp"

namespace concord::server {
namespace {

// Packages looked at per pass.
constexpr std::size_t kPassLimit = 32;
// Rounds of "send from where the recipient is" per file before the package is retried later.
constexpr int kRoundsPerFile = 4;

/// The body of one file's PUT: the encrypted blob from an offset, which stops at its next read
/// once the sender is cancelled.
class BlobBody final : public net::BodySource {
public:
    BlobBody(app::BlobReader& reader, const std::atomic<bool>& cancelled)
        : reader_(reader), cancelled_(cancelled) {}
    Result<size_t> Read(std::span<std::uint8_t> buffer) override {
        if (cancelled_.load()) {
            return MakeError(ErrorCode::kUnavailable, "the node is stopping");
        }
        return reader_.Read(buffer);
    }

private:
    app::BlobReader& reader_;
    const std::atomic<bool>& cancelled_;
};

/// The recipient's status document (api_fed_evidence.cpp), or the one inside a 409 answer.
struct PeerStatus {
    std::vector<std::uint64_t> received;
    std::vector<bool> complete;
    std::string receipt;
};

Result<PeerStatus> ParseStatus(const net::Response& response, std::size_t files) {
    boost::system::error_code ec;
    boost::json::value value = boost::json::parse(response.body, ec);
    const boost::json::object* o = value.if_object();
    if (!ec && o != nullptr && response.status == 409) {
        const auto* error = o->if_contains("error");
        const auto* inner = error != nullptr && error->is_object()
                                ? error->as_object().if_contains("status")
                                : nullptr;
        o = inner != nullptr ? inner->if_object() : nullptr;
    }
    const boost::json::array* list = nullptr;
    if (!ec && o != nullptr) {
        if (const auto* f = o->if_contains("files")) {
            list = f->if_array();
        }
    }
    if (list == nullptr || list->size() != files) {
        return MakeError(
            ErrorCode::kUnavailable,
            "recipient answered " + std::to_string(response.status) + ": " +
                response.body.substr(0, 300)
        );
    }
    PeerStatus status;
    for (const boost::json::value& f : *list) {
        const auto* file = f.if_object();
        const auto* received = file != nullptr ? file->if_contains("received") : nullptr;
        const auto* complete = file != nullptr ? file->if_contains("complete") : nullptr;
        if (received == nullptr || !received->is_int64() || received->as_int64() < 0 ||
            complete == nullptr || !complete->is_bool()) {
            return MakeError(ErrorCode::kUnavailable, "recipient sent a malformed status");
        }
        status.received.push_back(static_cast<std::uint64_t>(received->as_int64()));
        status.complete.push_back(complete->as_bool());
    }
    if (const auto* receipt = o->if_contains("receipt");
        receipt != nullptr && receipt->is_string()) {
        status.receipt = std::string(receipt->as_string());
    }
    return status;
}

// A 4xx answer other than a timeout or "too many" is the recipient's no (kPermissionDenied);
// anything else may pass by itself (kUnavailable).
ErrorCode Refusal(unsigned status) {
    return status >= 400 && status < 500 && status != 408 && status != 429
               ? ErrorCode::kPermissionDenied
               : ErrorCode::kUnavailable;
}

}  // namespace

std::size_t EvidenceSender::RunOnce(
    const federation::Directory& directory, std::chrono::steady_clock::time_point now
) {
    auto outgoing = evidence_.Outgoing(kPassLimit);
    if (!outgoing) {
        log::Warning("evidence: outgoing packages not read", {{"error", outgoing.error().message}});
        return 0;
    }
    std::size_t delivered = 0;
    for (const app::OutgoingPackage& p : *outgoing) {
        if (cancelled_.load()) {
            break;
        }
        auto retry = retries_.find(p.package);
        if (retry != retries_.end() && now < retry->second.next) {
            continue;
        }
        if (auto pushed = Push(p, directory); pushed) {
            retries_.erase(p.package);
            ++delivered;
            log::Info("evidence package delivered", {{"package", p.package}, {"to", p.to}});
        } else {
            Retry& r = retries_[p.package];
            r.delay = r.delay.count() == 0 ? options_.initial_backoff
                                           : std::min(options_.max_backoff, r.delay * 2);
            r.next = now + r.delay;
            r.refusals = pushed.error().code == ErrorCode::kPermissionDenied ? r.refusals + 1 : 0;
            if (r.refusals >= options_.refusals_before_alert && !r.alerted && options_.on_refused) {
                r.alerted = true;
                options_.on_refused(p, pushed.error().message);
            }
            log::Warning(
                "evidence package not delivered yet",
                {{"package", p.package},
                 {"to", p.to},
                 {"error", pushed.error().message},
                 {"retry_ms", static_cast<long long>(r.delay.count())}}
            );
        }
    }
    return delivered;
}

Result<void> EvidenceSender::Push(
    const app::OutgoingPackage& p, const federation::Directory& directory
) {
    const federation::NodeEntry* to = directory.FindNode(p.to);
    if (to == nullptr || to->revoked) {
        return MakeError(ErrorCode::kNotFound, "recipient " + p.to + " is not in the directory");
    }
    net::ClientOptions client_options;
    client_options.timeout = options_.timeout;
    client_options.pinned_cert_sha256 = to->tls_sha256;
    client_options.allow_plain_http = options_.allow_plain_http;
    net::HttpClient client(client_options);
    const std::string base = to->endpoint + "/fed/v1/evidence/" + p.package;
    CONCORD_ASSIGN_OR_RETURN(
        net::Response offered,
        client.Send("PUT", base, p.manifest, {{"Content-Type", "application/json"}})
    );
    if (offered.status != 200) {
        return MakeError(
            Refusal(offered.status),
            "manifest refused with " + std::to_string(offered.status) + ": " +
                offered.body.substr(0, 300)
        );
    }
    CONCORD_ASSIGN_OR_RETURN(PeerStatus status, ParseStatus(offered, p.files.size()));
    for (std::size_t i = 0; i < p.files.size(); ++i) {
        for (int round = 0; !status.complete[i]; ++round) {
            if (round == kRoundsPerFile) {
                return MakeError(
                    ErrorCode::kUnavailable, "file " + std::to_string(i) + " did not complete"
                );
            }
            CONCORD_ASSIGN_OR_RETURN(auto reader, blobs_.Open(p.files[i].sealed.encrypted_sha256));
            const std::uint64_t from = status.received[i];
            if (from > reader->Size()) {
                return MakeError(ErrorCode::kUnavailable, "recipient claims more than the file");
            }
            CONCORD_RETURN_IF_ERROR(reader->Seek(from));
            if (from > 0) {
                log::Info(
                    "evidence transfer resumes",
                    {{"package", p.package},
                     {"file", static_cast<long long>(i)},
                     {"offset", static_cast<long long>(from)}}
                );
            }
            BlobBody body(*reader, cancelled_);
            CONCORD_ASSIGN_OR_RETURN(
                net::Response sent,
                client.Upload(
                    "PUT",
                    base + "/files/" + std::to_string(i) + "?offset=" + std::to_string(from),
                    {{"Content-Type", "application/octet-stream"}},
                    body,
                    reader->Size() - from
                )
            );
            if (sent.status != 200 && sent.status != 409) {
                return MakeError(
                    Refusal(sent.status),
                    "file " + std::to_string(i) + " refused with " + std::to_string(sent.status) +
                        ": " + sent.body.substr(0, 300)
                );
            }
            CONCORD_ASSIGN_OR_RETURN(status, ParseStatus(sent, p.files.size()));
        }
    }
    if (status.receipt.empty()) {
        // Every file is there but no receipt yet: ask once more.
        CONCORD_ASSIGN_OR_RETURN(net::Response now, client.Send("GET", base, ""));
        CONCORD_ASSIGN_OR_RETURN(status, ParseStatus(now, p.files.size()));
        if (status.receipt.empty()) {
            return MakeError(ErrorCode::kUnavailable, "the recipient has not signed a receipt");
        }
    }
    return evidence_.RecordDelivered(p.package, status.receipt, directory, NowMillis());
}

}  // namespace concord::server
