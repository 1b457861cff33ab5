#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <utility>

#include "concord/app/blob_store.hpp"
#include "concord/app/evidence_service.hpp"
#include "concord/core/result.hpp"
#include "concord/federation/directory.hpp"

namespace concord::server {

/// Pushes this node's sealed evidence packages to their recipients over the federation
/// listener (docs/formats/evidence.md "Transfer"): offers the manifest, sends each file's
/// encrypted bytes from where the recipient's verified bytes end (so an interrupted transfer
/// resumes, it never starts over), and records the recipient's signed receipt. A package that
/// fails is retried with exponential backoff; one the recipient keeps refusing (it answers 4xx)
/// is reported through Options::on_refused. Used by one thread (the node's evidence thread);
/// Cancel may be called from any thread.
class EvidenceSender {
public:
    struct Options {
        bool allow_plain_http{false};
        std::chrono::milliseconds initial_backoff{1000};
        std::chrono::milliseconds max_backoff{std::chrono::minutes(5)};
        /// Deadline of each step of a request (connect, handshake, each chunk).
        std::chrono::milliseconds timeout{std::chrono::seconds(30)};
        /// Refusals in a row (the recipient answered, and said no) after which `on_refused` is
        /// called, once per package while this sender runs. The package is still retried.
        int refusals_before_alert{5};
        /// Told of a package the recipient keeps refusing, with the last refusal (the node
        /// raises a duty alert). May be empty.
        std::function<void(const app::OutgoingPackage&, const std::string&)> on_refused;
    };

    EvidenceSender(app::EvidenceService& evidence, app::BlobStore& blobs, Options options)
        : evidence_(evidence), blobs_(blobs), options_(std::move(options)) {}

    /// Pushes every sealed package whose retry time has come; returns how many were delivered.
    std::size_t RunOnce(
        const federation::Directory& directory, std::chrono::steady_clock::time_point now
    );

    /// Makes a transfer in progress stop at its next chunk (the node is stopping).
    void Cancel() { cancelled_.store(true); }

private:
    Result<void> Push(const app::OutgoingPackage& package, const federation::Directory& directory);

    struct Retry {
        std::chrono::steady_clock::time_point next;
        std::chrono::milliseconds delay{0};
        int refusals{0};  ///< in a row; an unreachable recipient does not count
        bool alerted{false};
    };

    app::EvidenceService& evidence_;
    app::BlobStore& blobs_;
    Options options_;
    std::map<std::string, Retry> retries_;  // by package
    std::atomic<bool> cancelled_{false};
};

}  // namespace concord::server
