#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "concord/core/mutex.hpp"

namespace concord::net {

/// One Server-Sent Event.
struct Event {
    uint64_t id = 0;
    std::string event;  ///< the event type; empty means the default "message"
    std::string data;   ///< may contain newlines; they become several `data:` lines on the wire
};

/// A thread-safe source of Server-Sent Events. Publish assigns increasing ids (from 1) and keeps
/// the last `capacity` events, so a client reconnecting with `Last-Event-ID` gets what it
/// missed. Hand a `std::shared_ptr<EventHub>` to a Response (Response::event_stream) to stream it.
class EventHub {
public:
    explicit EventHub(size_t capacity = 1024);
    EventHub(const EventHub&) = delete;
    EventHub& operator=(const EventHub&) = delete;

    /// Appends an event and wakes every stream; returns its id. Ignored (returns 0) once closed.
    uint64_t Publish(std::string event, std::string data);
    /// The kept events with id > `last_id`, oldest first. `*gap` (if given) is set when events
    /// after `last_id` were already dropped from the window.
    [[nodiscard]] std::vector<Event> Since(uint64_t last_id, bool* gap = nullptr) const;
    /// The id of the newest event, 0 if none yet.
    [[nodiscard]] uint64_t LastId() const;
    /// Ends every stream of this hub (after they have written what is pending); new streams end
    /// at once.
    void Close();
    [[nodiscard]] bool Closed() const;

    /// Registers `wake`, called (under the hub's lock: it must only post work and return) after
    /// each Publish and on Close. Returns a handle for RemoveListener. Used by the server.
    uint64_t AddListener(std::function<void()> wake);
    /// Unregisters a listener; when this returns the listener is not running and won't again.
    void RemoveListener(uint64_t handle);

private:
    mutable Mutex mu_;
    size_t capacity_;
    std::deque<Event> events_ CONCORD_GUARDED_BY(mu_);
    uint64_t next_id_ CONCORD_GUARDED_BY(mu_) = 1;
    bool closed_ CONCORD_GUARDED_BY(mu_) = false;
    uint64_t next_listener_ CONCORD_GUARDED_BY(mu_) = 1;
    std::map<uint64_t, std::function<void()>> listeners_ CONCORD_GUARDED_BY(mu_);
};

/// Formats one event in the text/event-stream format: `id:`, `event:` (if any) and one `data:`
/// line per line of data (CRLF, CR and LF all split lines), then a blank line.
std::string FormatEvent(const Event& event);

/// Incremental parser of a text/event-stream body (the client side of FormatEvent).
class EventStreamParser {
public:
    /// Feeds bytes; calls `on_event` for each complete event. Comments (":...") are skipped.
    void Feed(std::string_view bytes, const std::function<void(const Event&)>& on_event);

private:
    void Line(std::string_view line, const std::function<void(const Event&)>& on_event);
    std::string pending_;
    bool last_was_cr_ = false;
    Event current_;
    bool has_data_ = false;
    uint64_t last_id_ = 0;
};

}  // namespace concord::net
