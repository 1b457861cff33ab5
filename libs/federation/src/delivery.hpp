#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "concord/core/mutex.hpp"

#include "node_internal.hpp"
#include "outbox.hpp"

namespace concord::federation::internal {

/// The delivery workers: each claims a due outbox entry of its lanes (one worker serves the
/// emergency lane only, the others both), sends it, and then records the receipt, reschedules
/// it with full-jitter backoff, or gives up (signed non-delivery record and alert) when the
/// recipient refuses it for good or the delivery horizon is reached.
///
/// Thread-safety: Start and Stop from the owner; the workers are internal.
class Delivery {
public:
    /// An outbox entry claimed by one worker.
    struct Item {
        std::string id;
        std::string recipient;
        Lane lane{Lane::kNormal};
        std::int64_t horizon_ms{0};
        std::int64_t created_ms{0};
        std::int64_t attempts{0};
        std::string envelope;
        std::string envelope_sha256;
        std::int64_t envelope_time_ms{0};  // the envelope's "time"
    };

    Delivery(NodeContext& context, Outbox& outbox) : context_(context), outbox_(outbox) {}
    ~Delivery() { Stop(); }
    Delivery(const Delivery&) = delete;
    Delivery& operator=(const Delivery&) = delete;

    /// Starts the emergency worker and options.delivery_workers general ones (once).
    void Start();
    /// Joins the workers; call Outbox::Stop first so that they return.
    void Stop();

private:
    void Loop(bool emergency_only);
    std::optional<Item> ClaimDue(bool emergency_only, std::int64_t& next_due);
    void Deliver(const Item& item);
    Result<void> AcceptReceipt(const Item& item, const NodeEntry& peer, const std::string& reply);
    Result<void> Reschedule(const Item& item, const std::string& error);
    Result<void> GiveUp(const Item& item, const std::string& reason);

    NodeContext& context_;
    Outbox& outbox_;
    Mutex mu_;
    std::set<std::string> in_flight_ CONCORD_GUARDED_BY(mu_);
    bool started_ CONCORD_GUARDED_BY(mu_) = false;
    std::vector<std::thread> threads_;
};

}  // namespace concord::federation::internal
